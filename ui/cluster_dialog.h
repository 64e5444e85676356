// The queue's "Submit to cluster..." dialog: which sweep (task, preset family, seeds, overrides),
// what each task asks of the cluster (partition, GPUs, time limit, account, CPUs, memory, set-up
// lines), and the job script that will be submitted, shown as it changes. The fields are remembered
// in QSettings. When this machine cannot submit (no sbatch), it says so and offers to write the
// files only. It writes and submits nothing itself: submission() is handed to the SweepMonitor.
// GUI thread only.
#pragma once

#include <QDialog>

#include "ui/sweep_monitor.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTimer;

namespace gwb::ui {

class ClusterSubmitDialog : public QDialog {
  Q_OBJECT

 public:
  /// Sweeps go to `runs_dir` (the run browser's folder).
  explicit ClusterSubmitDialog(const QString& runs_dir, QWidget* parent = nullptr);

  /// What the fields describe (submit: which button closed the dialog).
  SweepSubmission submission() const;
  /// The job script for the fields now ("" while they are invalid; problem() says why).
  QString script() const;
  QString problem() const;
  /// Why this machine cannot submit ("" if it can).
  QString unavailable() const { return unavailable_; }

  /// Field editors, for tests: "task", "family", "seeds", "sets", "partition", "gpus", "time",
  /// "account", "cpus", "mem", "setup".
  QWidget* field(const QString& key) const;
  QPushButton* submitButton() const { return submit_; }
  QPushButton* writeButton() const { return write_; }

  /// Re-renders the script now (otherwise 150 ms after the last edit).
  void updatePreview();

 private:
  void loadSettings();
  void saveSettings() const;
  void fillFamilies();

  QString runs_dir_;
  QString unavailable_;
  QComboBox* task_;
  QComboBox* family_;
  QSpinBox* seeds_;
  QLineEdit* sets_;
  QLineEdit* partition_;
  QSpinBox* gpus_;
  QLineEdit* time_;
  QLineEdit* account_;
  QSpinBox* cpus_;
  QLineEdit* mem_;
  QPlainTextEdit* setup_;
  QPlainTextEdit* preview_;
  QLabel* status_;
  QPushButton* submit_;
  QPushButton* write_;
  QTimer* debounce_;
  bool submit_chosen_ = true;
  QString script_, problem_;
};

}  // namespace gwb::ui
