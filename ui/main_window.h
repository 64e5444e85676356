// The workbench's main window: set up and queue runs, watch them live, browse and compare runs,
// look at the data. Menus with the start/stop shortcuts, window state kept in QSettings, and the
// About box with the versions the application passes in (the UI never includes torch). The run
// controller lives in app/ and is connected to these widgets there.
#pragma once

#include <QMainWindow>
#include <functional>

class QTabWidget;
class QAction;

namespace gwb::ui {

class CompareView;
class StudyPage;
class DataPage;
class MetricsStore;
class MonitorView;
class RunBrowser;
class RunQueueWidget;
class RunSetupPanel;

/// Versions shown in the About box, gathered by the application (which may query LibTorch).
struct AboutInfo {
  QString version;
  QString git_commit;
  QString libtorch;
  QString cuda_device;  ///< empty: no CUDA device
  int threads = 1;
};

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(AboutInfo about, QWidget* parent = nullptr);

  MetricsStore* store() const { return store_; }
  RunSetupPanel* setupPanel() const { return setup_; }
  RunQueueWidget* queue() const { return queue_; }
  MonitorView* monitor() const { return monitor_; }
  RunBrowser* browser() const { return browser_; }
  CompareView* compare() const { return compare_; }
  StudyPage* studyPage() const { return study_; }
  DataPage* dataPage() const { return data_page_; }
  QTabWidget* tabs() const { return tabs_; }

  /// Opens run directories in the monitor (errors in a message box); returns the keys opened.
  QStringList openRuns(const QStringList& dirs, bool show = true);
  /// Opens and compares run directories.
  void compareRuns(const QStringList& dirs);
  void showTab(QWidget* page);

  /// The About text (also what the About box shows).
  QString aboutText() const;
  /// The README installed beside the data: Help > User guide opens it.
  QString userGuidePath() const;

  /// Asked when the window is about to close: false keeps it open (the application asks the user
  /// whether to stop training runs).
  void setCloseGuard(std::function<bool()> guard) { close_guard_ = std::move(guard); }
  /// A yes/no question (a message box; tests replace the handler).
  bool confirm(const QString& title, const QString& question);
  void setConfirmHandler(std::function<bool(const QString&, const QString&)> handler) {
    confirm_handler_ = std::move(handler);
  }

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  std::function<bool()> close_guard_;
  std::function<bool(const QString&, const QString&)> confirm_handler_;
  void createMenus();
  void showAbout();

  AboutInfo about_;
  QTabWidget* tabs_;
  MetricsStore* store_;
  RunSetupPanel* setup_;
  RunQueueWidget* queue_;
  MonitorView* monitor_;
  RunBrowser* browser_;
  CompareView* compare_;
  StudyPage* study_;
  DataPage* data_page_;
};

}  // namespace gwb::ui
