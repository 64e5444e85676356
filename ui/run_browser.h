// The run browser: every run directory under a runs folder (made here or by gwb elsewhere), with
// its configuration, status, steps and perplexities, and a note and tags of the researcher's own
// (kept in the run's notes.json). Opens runs in the monitor (replaying metrics.jsonl and following
// a run in progress), sends a selection to the comparison, resumes stopped runs, and deletes a run
// to the desktop's trash after confirmation. GUI thread only.
#pragma once

#include <QDateTime>
#include <QStringList>
#include <QWidget>

class QLineEdit;
class QTableWidget;
class QTimer;

namespace gwb::ui {

/// notes.json of a run directory.
struct RunNotes {
  QString note;
  QStringList tags;
};
RunNotes readRunNotes(const QString& run_dir);
/// Writes atomically; false on failure.
bool writeRunNotes(const QString& run_dir, const RunNotes& notes);

/// One run directory as the browser lists it.
struct RunListing {
  QString dir, name, task, arch, tokenizer, status;
  qint64 n_layers = 0, seq_len = 0, step = 0;
  double best_valid_ppl = 0, test_ppl = 0;              ///< language models
  double best_valid_accuracy = -1, test_accuracy = -1;  ///< SNLI (fractions; -1: none)
  QDateTime modified;
  RunNotes notes;
};
/// Reads the run directories directly under `runs_dir`, newest first (never its sweeps/ folder).
QList<RunListing> listRuns(const QString& runs_dir);

class RunBrowser : public QWidget {
  Q_OBJECT

 public:
  explicit RunBrowser(QWidget* parent = nullptr);

  void setRunsDir(const QString& dir);
  QString runsDir() const;
  /// Re-reads the folder (also every 5 seconds while visible).
  void refresh();
  QStringList selectedDirs() const;
  void selectDirs(const QStringList& dirs);
  int runCount() const;
  /// Moves `dir` to the trash without asking (the button asks first). False on failure.
  static bool moveToTrash(const QString& dir, QString* error = nullptr);

 signals:
  void openRequested(const QStringList& dirs);
  void compareRequested(const QStringList& dirs);
  void resumeRequested(const QString& dir);
  void runsDirChanged(const QString& dir);

 private:
  void editNotes();
  void deleteSelected();

  QLineEdit* folder_;
  QTableWidget* table_;
  QTimer* timer_;
  QList<RunListing> runs_;
};

}  // namespace gwb::ui
