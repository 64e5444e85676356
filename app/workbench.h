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
struct QueueRow;
}  // namespace ui

/// What the queue shows for a controller entry.
ui::QueueRow queueRow(const RunEntry& entry);

/// Wires `controller` and `window` together (both must outlive the connections' use).
void connectWorkbench(ui::MainWindow& window, RunController& controller);

/// Queues the 8 configurations of a preset family; returns how many were queued. Errors name the
/// preset (InputError).
int queueFamily(RunController& controller, const QString& family);

}  // namespace gwb
