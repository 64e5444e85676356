// The Data page: what a run will train on. Above, the data sets and weights the workbench can
// download and install (DataDownloads: fetch with progress and Cancel, verify, reveal). Below, pick
// a task, tokenizer, folder and chunk length, and the page counts every split (lines, tokens,
// chunks / pairs and labels) on a worker thread through the token cache, of the copy a run would
// use (an empty folder: the installed one, else the embedded one), shows a table and a
// tokens-per-split chart, and reports bad input in place. At the bottom, the frozen backbone's
// feature caches (what they hold, their size) with Remove. Uses only torch-free engine headers.
#pragma once

#include <QFutureWatcher>
#include <QWidget>
#include <atomic>
#include <memory>

#include "engine/data/data_stats.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace gwb::plot {
class BarChart;
}

namespace gwb::ui {

class DataDownloads;

class DataPage : public QWidget {
  Q_OBJECT

 public:
  explicit DataPage(QWidget* parent = nullptr);
  /// Cancels and waits for a computation in flight (at most one split).
  ~DataPage() override;

  /// Starts counting with the current settings (no-op while one runs).
  void computeStats();
  /// Asks a running computation to stop after the current split.
  void cancel();
  bool isRunning() const { return watcher_.isRunning(); }

  /// The result shown, and the error of the last attempt ("" if none), for tests.
  const DataStats& stats() const { return stats_; }
  QString errorText() const;
  QTableWidget* table() const { return table_; }
  plot::BarChart* chart() const { return chart_; }
  DataDownloads* downloads() const { return downloads_; }
  QComboBox* taskBox() const { return task_; }
  QComboBox* tokenizerBox() const { return tokenizer_; }
  /// The frozen backbone's feature caches beside the token cache, one row per file.
  QTableWidget* featureCaches() const { return feature_caches_; }
  /// Lists the feature caches again.
  void refreshFeatureCaches();
  /// Removes the feature caches of the selected rows (tests select them first).
  void removeSelectedFeatureCaches();

  /// Sets the controls (task "wikitext2" / "snli", tokenizer "gpt2" / "bert", folder "" =
  /// embedded, chunk length).
  void setRequest(const QString& task, const QString& tokenizer, const QString& dir, int seq_len);

 signals:
  /// A computation ended: with results, cancelled, or failed (see errorText()).
  void finished();

 private:
  struct Outcome {
    DataStats stats;
    QString error;
  };
  void onFinished();
  void onSplitDone(const QString& split, int done, int total);
  void showStats();
  void browse();

  QComboBox* task_;
  QComboBox* tokenizer_;
  QLineEdit* dir_;
  QSpinBox* seq_len_;
  QPushButton* compute_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* status_;
  QTableWidget* table_;
  plot::BarChart* chart_;
  QTableWidget* feature_caches_;
  QLabel* feature_status_;
  DataDownloads* downloads_;

  QFutureWatcher<Outcome> watcher_;
  std::shared_ptr<std::atomic<bool>> cancel_flag_;
  DataStats stats_;
  QString error_;
};

}  // namespace gwb::ui
