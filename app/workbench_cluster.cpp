// The wiring of cluster sweeps into the workbench: the submit dialog, one queue row per task, the
// runs opened in the monitor (followed as they grow) and listed by the browser as they appear.
// Errors come as non-modal message boxes, so nothing here waits on the cluster.
#include <QMessageBox>
#include <QStatusBar>
#include <memory>
#include <set>

#include "app/workbench.h"
#include "ui/cluster_dialog.h"
#include "ui/main_window.h"
#include "ui/metrics_store.h"
#include "ui/run_browser.h"
#include "ui/run_queue_widget.h"
#include "ui/sweep_monitor.h"

namespace gwb {
namespace {

constexpr char kRowPrefix[] = "sweep:";

// "sweep:<dir>#<index>" -> (dir, index).
bool parseRow(const QString& id, QString* dir, qint64* index) {
  const int hash = id.lastIndexOf('#');
  if (!isClusterRow(id) || hash < 0) return false;
  bool ok = false;
  *index = id.mid(hash + 1).toLongLong(&ok);
  *dir = id.mid(int(sizeof kRowPrefix) - 1, hash - int(sizeof kRowPrefix) + 1);
  return ok;
}

void showError(QWidget* parent, const QString& title, const QString& message) {
  auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, parent);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->setObjectName("clusterError");
  box->open();
}

}  // namespace

QString clusterRowId(const QString& sweep_dir, qint64 index) {
  return kRowPrefix + sweep_dir + "#" + QString::number(index);
}

bool isClusterRow(const QString& id) { return id.startsWith(kRowPrefix); }

ui::QueueRow clusterRow(const ui::SweepSnapshot& sweep, const ui::SweepTaskView& t) {
  ui::QueueRow row;
  row.id = clusterRowId(sweep.dir, t.index);
  row.name = t.name;
  row.arch = t.arch;
  row.state = t.queue_state;
  row.cluster_state = t.state;
  if (!t.job_id.isEmpty()) row.cluster_state += QObject::tr(", job %1").arg(t.job_id);
  if (t.state == "PENDING" && !t.reason.isEmpty()) row.cluster_state += " (" + t.reason + ")";
  row.step = t.step;
  row.total_steps = t.total_steps;
  row.eta_s = t.eta_s;
  row.device = QObject::tr("cluster");
  row.run_dir = t.run_dir;
  row.error = t.queue_state == "failed" ? t.error : QString();
  return row;
}

void connectCluster(ui::MainWindow& window, ui::SweepMonitor& monitor) {
  ui::RunQueueWidget* queue = window.queue();
  auto opened = std::make_shared<std::set<QString>>();  // run directories given to the store
  QObject::connect(
      queue, &ui::RunQueueWidget::clusterSubmitRequested, &window, [&window, &monitor] {
        auto* dialog = new ui::ClusterSubmitDialog(window.browser()->runsDir(), &window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        QObject::connect(dialog, &QDialog::accepted, &monitor, [&window, &monitor, dialog] {
          const ui::SweepSubmission s = dialog->submission();
          window.statusBar()->showMessage(
              s.submit ? QObject::tr("Submitting the sweep…") : QObject::tr("Writing the sweep…"),
              8000);
          monitor.submit(s);
        });
        dialog->open();
      });
  QObject::connect(&monitor, &ui::SweepMonitor::submitted, &window,
                   [&window](const QString& dir, const QString& job) {
                     window.statusBar()->showMessage(
                         job.isEmpty() ? QObject::tr("Wrote %1 (not submitted)").arg(dir)
                                       : QObject::tr("Submitted job %1: %2").arg(job, dir),
                         15000);
                   });
  QObject::connect(&monitor, &ui::SweepMonitor::actionFailed, &window,
                   [&window](const QString& what, const QString& message) {
                     showError(&window, QObject::tr("Cluster: %1").arg(what), message);
                   });
  auto last_error = std::make_shared<QString>();
  QObject::connect(&monitor, &ui::SweepMonitor::sweepUpdated, &window,
                   [&window, queue, opened, last_error](const ui::SweepSnapshot& s) {
                     if (!s.cluster_error.isEmpty() && s.cluster_error != *last_error) {
                       window.statusBar()->showMessage(
                           QObject::tr("Cluster: %1").arg(s.cluster_error), 15000);
                     }
                     *last_error = s.cluster_error;
                     bool appeared = false;
                     for (const ui::SweepTaskView& t : s.tasks) {
                       queue->setRow(clusterRow(s, t));
                       if (t.run_exists && !opened->count(t.run_dir)) {
                         try {  // followed from now on, as any run directory the store opens
                           window.store()->open(t.run_dir);
                           opened->insert(t.run_dir);
                           appeared = true;
                         } catch (const std::exception&) {
                           // config.json not written yet: the next poll tries again
                         }
                       }
                     }
                     if (appeared) window.browser()->refresh();
                   });
  QObject::connect(&monitor, &ui::SweepMonitor::sweepRemoved, queue, [queue](const QString& dir) {
    for (qint64 i = 0;; ++i) {
      const QString id = clusterRowId(dir, i);
      if (queue->row(id).id.isEmpty()) break;
      queue->removeRow(id);
    }
  });
  QObject::connect(queue, &ui::RunQueueWidget::stopRequested, &monitor,
                   [&monitor](const QString& id) {
                     QString dir;
                     qint64 index = 0;
                     if (parseRow(id, &dir, &index)) monitor.cancelTask(dir, index);
                   });
  QObject::connect(queue, &ui::RunQueueWidget::removeRequested, &monitor,
                   [&monitor](const QString& id) {
                     QString dir;
                     qint64 index = 0;
                     if (parseRow(id, &dir, &index)) monitor.unwatch(dir);
                   });
  QObject::connect(
      queue, &ui::RunQueueWidget::resumeRequested, &monitor,
      [&monitor, queue](const QString& run_dir) {
        QString dir;
        qint64 index = 0;
        if (isClusterRow(queue->selectedId()) && monitor.taskOf(run_dir, &dir, &index)) {
          monitor.resubmitTask(dir, index);
        }
      });
  monitor.restoreWatched();
}

}  // namespace gwb
