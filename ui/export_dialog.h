// The monitor's "Export charts…" dialog: the runs to export (the monitor's visible ones, ticked),
// their charts under the file names of the headless export (CONTRACTS.md) and the rest of what
// the monitor shows (throughput, lr, gradient, the probes' maps; all ticked), the
// comparison, image size and PNG scale, and the folder: typed (one that does not exist yet is
// created) or chosen in a folder dialog that can create one. It only asks; MonitorView writes
// through ui/run_export. GUI thread.
#pragma once

#include <QDialog>
#include <QList>
#include <QStringList>

#include "ui/metrics_store.h"
#include "ui/run_export.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace gwb::ui {

class ExportDialog : public QDialog {
  Q_OBJECT

 public:
  explicit ExportDialog(const QList<const StoredRun*>& runs, QWidget* parent = nullptr);

  struct Choice {
    QString dir;
    QStringList run_keys;  ///< the runs ticked
    bool comparison = true;
    ExportOptions options;  ///< charts: the ones ticked
  };
  Choice choice() const;

  /// The chart names offered (those of at least one run), in CONTRACTS.md's order.
  QStringList chartNames() const;
  void setDir(const QString& dir);
  void setChartTicked(const QString& name, bool ticked);
  /// loss.csv's loss_ema uses the monitor's smoothing.
  void setSmoothing(double weight) { smoothing_ = weight; }

  void accept() override;

 private:
  void browse();
  void updateState();

  QLineEdit* dir_;
  QListWidget* runs_;
  QListWidget* charts_;
  QCheckBox* comparison_;
  QSpinBox* width_;
  QSpinBox* height_;
  QDoubleSpinBox* scale_;
  QLabel* status_;
  QPushButton* ok_;
  double smoothing_ = 0.6;
};

}  // namespace gwb::ui
