// The run browser: every run directory under a runs folder (made here or by gwb elsewhere), with
// its configuration, status, steps and perplexities, and a note and tags of the researcher's own
// (kept in the run's notes.json). Opens runs in the monitor, sends a selection to the comparison,
// resumes stopped runs, and deletes a run to the desktop's trash after confirmation. The folder is
// read by the run watcher on its own thread (run_watcher.h): rows arrive as values and only the
// rows of runs that changed are redrawn. GUI thread only.
#pragma once

#include <QDateTime>
#include <QMap>
#include <QStringList>
#include <QWidget>
#include <map>

#include "ui/run_watcher.h"

class QLineEdit;
class QPushButton;
class QTableWidget;

namespace gwb::ui {

class RunDetailsDialog;
class SampleDialog;

/// One run directory as the browser lists it.
struct RunListing {
  QString dir, name, task, arch, tokenizer;
  /// running (its run.lock is held: a trainer here or a gwb elsewhere), finished, stopped,
  /// failed, or killed (no summary and nobody training it).
  QString status;
  bool in_progress = false;  ///< running: the numbers are its evaluations so far
  qint64 n_layers = 0, seq_len = 0, step = 0, seed = 0;
  double best_valid_ppl = 0, test_ppl = 0;              ///< language models
  double best_valid_accuracy = -1, test_accuracy = -1;  ///< SNLI (fractions; -1: none)
  QDateTime started;  ///< from the folder's name (UTC), else config.json's time
  QDateTime modified;
  QString differs;  ///< keys that tell it from other runs of the same name ("seed=2, ...")
  QString note;
  QStringList tags;
  QString corpus;  ///< a recipe's Wikitext-2: "raw" or "v1" ("" otherwise)
  QString recipe;
};
/// A listing of a record (the run watcher's value).
RunListing listingOf(const ListedRun& run);
/// Reads the run directories directly under `runs_dir` now, newest first (never its sweeps/ or
/// studies/ folders): for tests and scripts; the browser lists on the watcher's thread.
QList<RunListing> listRuns(const QString& runs_dir);
/// Whether a run's status lets it be resumed (stopped, failed, killed).
bool resumable(const RunListing& run);

class RunBrowser : public QWidget {
  Q_OBJECT

 public:
  explicit RunBrowser(QWidget* parent = nullptr);

  /// Follows `dir` (listed on the watcher's thread: rows arrive shortly after).
  void setRunsDir(const QString& dir);
  QString runsDir() const;
  /// Polls the folder now and waits for the rows (tests; the watcher polls every 2 s and as soon
  /// as a run folder appears).
  void refresh();
  QStringList selectedDirs() const;
  void selectDirs(const QStringList& dirs);
  int runCount() const;
  /// Moves `dir` to the trash without asking (the button asks first); `where` receives the
  /// folder's path in the trash. False on failure.
  static bool moveToTrash(const QString& dir, QString* error = nullptr, QString* where = nullptr);
  /// Shows only the runs whose cells contain `text` (case-insensitive); "" shows all.
  void setFilter(const QString& text);
  /// The listing of a run directory shown now (nullptr if none).
  const RunListing* listing(const QString& dir) const;
  /// The rows shown (after filtering), top to bottom.
  QStringList shownDirs() const;
  QTableWidget* table() const { return table_; }
  QPushButton* resumeButton() const { return resume_; }
  /// The last message for people (what a trash move did, why Resume is off).
  QString message() const { return message_; }
  /// The note and tags dialog of the one selected run (the Note… button).
  void editNotes();
  /// The Details… button: the selected runs' configurations and logs (not modal; deleted when
  /// closed). nullptr without a selection.
  RunDetailsDialog* showDetails();
  /// The Samples… button: text from the one selected run's checkpoint (not modal).
  SampleDialog* showSamples();
  /// What the workbench's queue is doing with the run in `dir` ("queued", "training"; "" for
  /// nothing): shown in its Status cell over its files' word (a run queued to resume read
  /// "stopped" there), and a queued run offers no Resume.
  void setQueueState(const QString& dir, const QString& state);

 signals:
  void messageShown(const QString& text);
  void openRequested(const QStringList& dirs);
  void compareRequested(const QStringList& dirs);
  void resumeRequested(const QString& dir);
  void runsDirChanged(const QString& dir);

 private:
  void onListed(const QString& folder, const QVector<ListedRun>& changed,
                const QStringList& removed, bool all);
  void setRow(int row, const RunListing& r);
  QString statusShown(const RunListing& r) const;
  void deleteSelected();
  void updateButtons();
  void applyFilter();
  void say(const QString& text);

  QMap<QString, QString> queue_state_;  // run folder -> the queue's word for it
  QLineEdit* folder_;
  QLineEdit* filter_;
  QTableWidget* table_;
  RunWatcher* watcher_;
  QPushButton* resume_;
  QPushButton* details_;
  QPushButton* sample_;
  std::map<QString, RunListing> runs_;  // by run directory
  QString message_;
};

}  // namespace gwb::ui
