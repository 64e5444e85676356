// The wiring.
#include "app/workbench.h"

#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <memory>

#include "app/controller/run_controller.h"
#include "engine/cluster/sweep_plan.h"
#include "engine/runtime/torch_runtime.h"
#include "engine/train/footprint.h"
#include "ui/main_window.h"
#include "ui/metrics_store.h"
#include "ui/monitor_view.h"
#include "ui/run_browser.h"
#include "ui/run_queue_widget.h"
#include "ui/run_setup_panel.h"
#include "ui/study_page.h"

namespace gwb {

ui::QueueRow queueRow(const RunEntry& e) {
  ui::QueueRow row;
  row.id = e.id;
  row.name = e.name;
  row.arch = e.arch;
  row.state = runStateName(e.state);
  row.step = e.step;
  row.total_steps = e.total_steps;
  // Only a run that trains has a rate (a queued or finished row kept a stale one); the ETA and
  // the rate come from the same recent steps, so they agree.
  row.eta_s = e.etaSeconds();
  const double recent = e.recentTokensPerSecond();
  row.tokens_per_s = !e.active() ? 0 : recent > 0 ? recent : e.tokens_per_s;
  row.device = e.device;
  row.run_dir = e.run_dir;
  row.error = e.error;
  return row;
}

// A Wikitext-2 or SNLI family name of the set-up panel ("reference", "snli scratch") as a request.
SweepRequest familyRequest(const QString& family) {
  const QStringList parts = family.split(' ', Qt::SkipEmptyParts);
  const std::string task = parts.size() > 1 ? parts[0].toStdString() : "wikitext2";
  const std::string name = (parts.size() > 1 ? parts[1] : family).toStdString();
  return {task, name, 1, {}};
}

QString sweepCostOnCpu(const QString& family) {
  if (runtimeInfo().cuda) return {};
  const SweepPlan plan = planSweep(familyRequest(family));
  double seconds = 0;
  for (const PlannedRun& run : plan.runs) seconds += estimateTrainingSeconds(run.config);
  return QObject::tr(
             "This machine has no CUDA device: the %1 family's %2 runs would train on the "
             "CPU for about %3 (estimated from each run's steps and FLOPs at this CPU's "
             "measured matrix-product speed). Queue them anyway?")
      .arg(family)
      .arg(plan.runs.size())
      .arg(ui::formatDuration(seconds));
}

int queueFamily(RunController& controller, const QString& family) {
  int queued = 0;
  for (const PlannedRun& run : planSweep(familyRequest(family)).runs) {
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
  QObject::connect(
      setup, &ui::RunSetupPanel::speedrunRequested, &window,
      [&window, &controller](const QString& family) {
        try {
          const QString cost = sweepCostOnCpu(family);
          if (!cost.isEmpty() && !window.confirm(QObject::tr("Speedrun on a CPU"), cost)) {
            return;
          }
          const int n = queueFamily(controller, family);
          window.statusBar()->showMessage(
              QObject::tr("Queued the %1 family: %2 runs").arg(family).arg(n), 8000);
        } catch (const std::exception& e) {
          QMessageBox::warning(&window, QObject::tr("Speedrun"), QString::fromUtf8(e.what()));
        }
      });
  // The queue's rows, and the Runs tab told what the queue does with each run folder (a run
  // queued to resume read "stopped" there, and a resumed one "stopped" until its lock was seen).
  auto dir_of = std::make_shared<QMap<QString, QString>>();  // row id -> its run folder
  const auto show = [&controller, &window, queue, dir_of](const QString& id) {
    const RunEntry* e = controller.entry(id);
    if (!e) return;
    queue->setRow(queueRow(*e));
    const QString dir = e->run_dir.isEmpty() ? e->resume_dir : e->run_dir;
    if (dir.isEmpty()) return;
    (*dir_of)[id] = dir;
    window.browser()->setQueueState(dir, e->state == RunState::Queued ? QStringLiteral("queued")
                                         : e->active()                ? QStringLiteral("training")
                                                                      : QString());
  };
  QObject::connect(&controller, &RunController::runAdded, queue, show);
  QObject::connect(&controller, &RunController::runChanged, queue, show);
  QObject::connect(&controller, &RunController::runRemoved, queue,
                   [&window, queue, dir_of](const QString& id) {
                     queue->removeRow(id);
                     const QString dir = dir_of->take(id);
                     if (!dir.isEmpty()) window.browser()->setQueueState(dir, {});
                   });
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
  // Resume from the queue or the Runs tab: the controller's one rule (one trainer per folder,
  // the same row continues, finished runs and runs trained elsewhere refused with the reason).
  const auto resume = [&window, &controller](const QString& dir) {
    QString why;
    const QString id = controller.enqueueResume(dir, &why);
    if (!why.isEmpty()) window.statusBar()->showMessage(why, 10000);
    return id;
  };
  QObject::connect(queue, &ui::RunQueueWidget::resumeRequested, &controller,
                   [queue, resume](const QString& dir) {
                     if (!isClusterRow(queue->selectedId())) resume(dir);
                   });
  QObject::connect(queue, &ui::RunQueueWidget::clearQueuedRequested, &controller,
                   [&controller] { controller.clearQueued(); });
  QObject::connect(queue, &ui::RunQueueWidget::showRequested, &window,
                   [&window](const QString& dir) { window.openRuns({dir}); });
  QObject::connect(window.browser(), &ui::RunBrowser::resumeRequested, &controller, resume);
  QObject::connect(
      window.studyPage(), &ui::StudyPage::runsRequested, &controller,
      [&controller, &window](const QString& study_dir, const QList<RunConfig>& configs,
                             const QStringList& dirs) {
        for (int i = 0; i < configs.size(); ++i)
          controller.enqueue(configs[i], study_dir + QStringLiteral("/study.json"), dirs[i]);
        window.statusBar()->showMessage(
            QObject::tr("Queued %n run(s) of the study", nullptr, configs.size()), 8000);
      });
  window.studyPage()->setDeviceIsCuda(runtimeInfo().cuda);
  QObject::connect(window.browser(), &ui::RunBrowser::runsDirChanged, &controller,
                   [&controller](const QString& dir) { controller.setRunsDir(dir); });
  QObject::connect(queue, &ui::RunQueueWidget::concurrencyChanged, &controller,
                   [&controller](int runs) { controller.setMaxConcurrent(runs); });
  queue->setConcurrency(controller.maxConcurrent());
  controller.setRunsDir(window.browser()->runsDir());

  // The queue outlives the session: restored now, saved at every change.
  controller.restoreQueue(QSettings().value(QStringLiteral("queue/state")).toByteArray());
  const auto save = [&controller] {
    QSettings().setValue(QStringLiteral("queue/state"), controller.saveQueue());
  };
  for (auto signal :
       {&RunController::runAdded, &RunController::runChanged, &RunController::runRemoved}) {
    QObject::connect(&controller, signal, &controller, save);
  }
  // Quitting while runs train or wait asks first; the runs stop with a checkpoint and the queue
  // comes back at the next start.
  window.setCloseGuard([&window, &controller, save] {
    int training = 0, queued = 0;
    for (const QString& id : controller.ids()) {
      const RunEntry* e = controller.entry(id);
      training += e->active();
      queued += e->state == RunState::Queued;
    }
    save();
    if (training + queued == 0) return true;
    return window.confirm(
        QObject::tr("Quit"),
        QObject::tr("%1 run(s) are training and %2 queued. Quit anyway? Training runs stop after "
                    "their current step with a resumable checkpoint; the queue is restored at the "
                    "next start.")
            .arg(training)
            .arg(queued));
  });
}

}  // namespace gwb
