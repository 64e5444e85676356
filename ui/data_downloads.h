// The Data page's downloads: the catalogue's items with what is installed (installed, verified,
// size, licence, source), Fetch with a progress bar and Cancel (the partial download stays, and
// the next fetch resumes it), Verify, Reveal folder. The engine's data manager
// (engine/data/fetch) runs on a worker thread; progress crosses as queued calls carrying plain
// values, so the GUI never waits on the network and never re-implements it with Qt Network.
#pragma once

#include <QFutureWatcher>
#include <QWidget>
#include <atomic>
#include <functional>
#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace gwb {
struct DownloadProgress;
}

namespace gwb::ui {

class DataDownloads : public QWidget {
  Q_OBJECT

 public:
  explicit DataDownloads(QWidget* parent = nullptr);
  /// Cancels and waits for a fetch in flight (the partial download is kept).
  ~DataDownloads() override;

  /// Reads the catalogue ($GWB_DATA_CATALOG or the shipped one) and each item's status again
  /// (manifests and file sizes only: quick).
  void refresh();
  /// Fetches (downloads, verifies, installs) `name` on the worker thread; no-op while busy.
  void fetch(const QString& name);
  /// Checks `name`'s installed files (sizes and SHA-256) on the worker thread.
  void verify(const QString& name);
  /// Asks the fetch or check in flight to stop soon.
  void cancel();
  /// Opens `name`'s installed folder (or the installed items' folder) with the revealer.
  void reveal(const QString& name);
  bool isRunning() const { return watcher_.isRunning(); }

  /// Replaces how folders are opened (default: QDesktopServices); tests record instead.
  void setRevealer(std::function<void(const QString&)> revealer) { revealer_ = revealer; }

  QTableWidget* table() const { return table_; }
  QProgressBar* progressBar() const { return progress_; }
  QString statusText() const;
  /// The installed items' folder (fetchedDataDir()).
  QString homeDir() const { return home_; }
  /// The name in the selected row ("" if none).
  QString selectedName() const;

 signals:
  /// A fetch or check ended (done, cancelled or failed: statusText() says which).
  void finished();

 private:
  enum class Kind { Done, Cancelled, Failed };
  struct Outcome {
    Kind kind = Kind::Done;
    QString message;
  };
  void start(const QString& name, bool fetch);
  void onProgress(const DownloadProgress& p);
  void onFinished();
  void updateButtons();
  void setStatus(const QString& text, bool error = false);

  QLabel* home_label_;
  QTableWidget* table_;
  QPushButton* fetch_;
  QPushButton* verify_;
  QPushButton* cancel_;
  QPushButton* reveal_;
  QPushButton* refresh_;
  QProgressBar* progress_;
  QLabel* status_;

  QString home_;
  QStringList missing_;  ///< per row: what the build lacks to fetch it ("" if nothing)
  QFutureWatcher<Outcome> watcher_;
  std::shared_ptr<std::atomic<bool>> cancel_flag_;
  std::function<void(const QString&)> revealer_;
};

}  // namespace gwb::ui
