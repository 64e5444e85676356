// The wiring.
#include "app/workbench.h"

#include <QMessageBox>
#include <QStatusBar>

#include "app/controller/run_controller.h"
#include "engine/config/sweep_plan.h"
#include "engine/runtime/torch_runtime.h"
#include "ui/main_window.h"
#include "ui/metrics_store.h"
#include "ui/monitor_view.h"
#include "ui/run_browser.h"
#include "ui/run_queue_widget.h"
#include "ui/run_setup_panel.h"

namespace gwb {

ui::QueueRow queueRow(const RunEntry& e) {
  ui::QueueRow row;
  row.id = e.id;
  row.name = e.name;
  row.arch = e.arch;
  row.state = runStateName(e.state);
  row.step = e.step;
  row.total_steps = e.total_steps;
  row.eta_s = e.etaSeconds();
  row.tokens_per_s = e.tokens_per_s;
  row.device = e.device;
  row.run_dir = e.run_dir;
  row.error = e.error;
  return row;
}

int queueFamily(RunController& controller, const QString& family) {
  // "reference" (a Wikitext-2 family) or "snli scratch" (task, then family).
  const QStringList parts = family.split(' ', Qt::SkipEmptyParts);
  const std::string task = parts.size() > 1 ? parts[0].toStdString() : "wikitext2";
  const std::string name = (parts.size() > 1 ? parts[1] : family).toStdString();
  int queued = 0;
  for (const PlannedRun& run : planSweep({task, name, 1, {}}).runs) {
    controller.enqueue(run.config, QString::fromStdString(run.source));
    ++queued;
  }
  return queued;
}

void connectWorkbench(ui::MainWindow& window, RunController& controller) {
  ui::RunSetupPanel* setup = window.setupPanel();
  setup->setDeviceIsCuda(runtimeInfo().cuda);  // bf16 and cuda are valid on a GPU workstation
  ui::RunQueueWidget* queue = window.queue();
  QObject::connect(setup, &ui::RunSetupPanel::startRequested, &controller,
                   [&controller](const RunConfig& c) { controller.enqueue(c); });
  QObject::connect(setup, &ui::RunSetupPanel::pairRequested, &controller,
                   [&controller](const RunConfig& g, const RunConfig& t) {
                     controller.enqueue(g);
                     controller.enqueue(t);
                   });
  QObject::connect(setup, &ui::RunSetupPanel::speedrunRequested, &window,
                   [&window, &controller](const QString& family) {
                     try {
                       const int n = queueFamily(controller, family);
                       window.statusBar()->showMessage(
                           QObject::tr("Queued the %1 family: %2 runs").arg(family).arg(n), 8000);
                     } catch (const std::exception& e) {
                       QMessageBox::warning(&window, QObject::tr("Speedrun"),
                                            QString::fromUtf8(e.what()));
                     }
                   });
  const auto show = [&controller, queue](const QString& id) {
    if (const RunEntry* e = controller.entry(id)) queue->setRow(queueRow(*e));
  };
  QObject::connect(&controller, &RunController::runAdded, queue, show);
  QObject::connect(&controller, &RunController::runChanged, queue, show);
  QObject::connect(&controller, &RunController::runRemoved, queue, &ui::RunQueueWidget::removeRow);
  QObject::connect(&controller, &RunController::eventsArrived, window.store(),
                   [store = window.store()](const EventBatch& batch) {
                     if (!batch.run_dir.isEmpty()) store->appendLive(batch.run_dir, batch.events);
                   });
  QObject::connect(&controller, &RunController::runEnded, &window,
                   [&window, &controller](const QString& id) {
                     const RunEntry* e = controller.entry(id);
                     window.browser()->refresh();
                     if (e && e->state == RunState::Failed) {
                       window.statusBar()->showMessage(
                           QObject::tr("%1 failed: %2").arg(e->name, e->error), 15000);
                     } else if (e) {
                       window.statusBar()->showMessage(
                           QObject::tr("%1 %2").arg(e->name, runStateName(e->state)), 8000);
                     }
                   });
  // Rows of cluster tasks belong to connectCluster's wiring.
  QObject::connect(queue, &ui::RunQueueWidget::stopRequested, &controller,
                   [&controller](const QString& id) {
                     if (!isClusterRow(id)) controller.stop(id);
                   });
  QObject::connect(queue, &ui::RunQueueWidget::removeRequested, &controller,
                   [&controller](const QString& id) {
                     if (!isClusterRow(id)) controller.remove(id);
                   });
  QObject::connect(queue, &ui::RunQueueWidget::resumeRequested, &controller,
                   [&controller, queue](const QString& dir) {
                     if (!isClusterRow(queue->selectedId())) controller.enqueueResume(dir);
                   });
  QObject::connect(queue, &ui::RunQueueWidget::showRequested, &window,
                   [&window](const QString& dir) { window.openRuns({dir}); });
  QObject::connect(window.browser(), &ui::RunBrowser::resumeRequested, &controller,
                   [&controller](const QString& dir) { controller.enqueueResume(dir); });
  QObject::connect(window.browser(), &ui::RunBrowser::runsDirChanged, &controller,
                   [&controller](const QString& dir) { controller.setRunsDir(dir); });
  QObject::connect(queue, &ui::RunQueueWidget::concurrencyChanged, &controller,
                   [&controller](int runs) { controller.setMaxConcurrent(runs); });
  queue->setConcurrency(controller.maxConcurrent());
  controller.setRunsDir(window.browser()->runsDir());
}

}  // namespace gwb
