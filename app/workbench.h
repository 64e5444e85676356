// Connects the run controller (engine threads) to the main window's widgets: the set-up panel
// queues runs, the queue shows and steers them, their events feed the monitor's store, the browser
// resumes runs. Linked by grassmann-workbench and by the GUI tests.
#pragma once

#include <QObject>
#include <QString>

namespace gwb {
class RunController;
struct RunEntry;
namespace ui {
class MainWindow;
class SweepMonitor;
struct QueueRow;
struct SweepSnapshot;
struct SweepTaskView;
}  // namespace ui

/// What the queue shows for a controller entry.
ui::QueueRow queueRow(const RunEntry& entry);

/// Wires `controller` and `window` together (both must outlive the connections' use).
void connectWorkbench(ui::MainWindow& window, RunController& controller);

/// Wires the sweep monitor (cluster sweeps) to the window: the queue's "Submit to cluster..."
/// opens the dialog, each task of a watched sweep is a queue row (Stop cancels it, Resume
/// resubmits it, Remove stops watching its sweep), and runs open in the monitor as they appear.
void connectCluster(ui::MainWindow& window, ui::SweepMonitor& monitor);

/// Queue rows of cluster tasks: "sweep:<sweep folder>#<index>".
QString clusterRowId(const QString& sweep_dir, qint64 index);
bool isClusterRow(const QString& id);
/// What the queue shows for a task of a watched sweep.
ui::QueueRow clusterRow(const ui::SweepSnapshot& sweep, const ui::SweepTaskView& task);

/// Queues the configurations of a Wikitext-2 preset family (sweep_plan.h); returns how many were
/// queued. Errors name the family or the preset (InputError).
int queueFamily(RunController& controller, const QString& family);

}  // namespace gwb
