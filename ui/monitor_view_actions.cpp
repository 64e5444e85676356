// MonitorView's actions on its runs and itself: the run menu's details, name and colour, the
// process sample beside throughput, and exports. Layout and drawing are monitor_view.cpp's.
#include <QColorDialog>
#include <QDir>
#include <QInputDialog>
#include <QLineEdit>
#include <QMessageBox>

#include "engine/util/process_usage.h"
#include "plotting/time_series_chart.h"
#include "ui/export_dialog.h"
#include "ui/monitor_view.h"
#include "ui/run_details.h"

namespace gwb::ui {

void MonitorView::sampleProcess() {
  const double now = started_.elapsed() / 1000.0;
  const ProcessSample sample = sampleThisProcess();
  const bool rate = usage_->sample(now, sample);
  const QColor ink(70, 70, 70);
  memory_->appendPoints(QStringLiteral("rss"), tr("resident memory"), ink, {now},
                        {static_cast<double>(sample.rss_bytes) / (1024.0 * 1024.0)});
  memory_->refresh();
  if (!rate) return;
  cpu_->appendPoints(QStringLiteral("cpu"), tr("CPU"), ink, {now}, {usage_->cpuPercent()});
  cpu_->refresh();
  emit processSampled(usage_->cpuPercent(), sample.rss_bytes);
}

RunDetailsDialog* MonitorView::showDetails(const QStringList& keys) {
  if (keys.isEmpty()) return nullptr;
  auto* dialog = new RunDetailsDialog(keys, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->show();
  return dialog;
}

void MonitorView::setLook(const QString& key, const QString& name, const QColor& color) {
  try {
    store_->setLook(key, name, color);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Could not keep the name and colour"),
                         QString::fromUtf8(e.what()));
  }
}

void MonitorView::renameRun(const QString& key) {
  const StoredRun* run = store_->run(key);
  if (!run) return;
  bool ok = false;
  const QString name = QInputDialog::getText(
      this, tr("Rename run"),
      tr("Name for %1 in every chart, legend and export (empty: its configuration's name; kept "
         "in its notes.json):")
          .arg(QDir(key).dirName()),
      QLineEdit::Normal, run->name, &ok);
  if (!ok) return;
  const QColor kept(QString::fromStdString(run->record.notes.color));
  setLook(key, name, kept);
}

void MonitorView::chooseColour(const QString& key) {
  const StoredRun* run = store_->run(key);
  if (!run) return;
  const QColor color = QColorDialog::getColor(run->color, this, tr("Colour of %1").arg(run->name));
  if (!color.isValid()) return;
  setLook(key, QString::fromStdString(run->record.notes.display_name), color);
}

QStringList MonitorView::exportCharts(const QString& dir, const ExportOptions& options,
                                      bool comparison, const QStringList& run_keys) {
  QList<const StoredRun*> runs;
  for (const StoredRun* r : visibleRuns()) {
    if (run_keys.isEmpty() || run_keys.contains(r->key)) runs << r;
  }
  if (!QDir().mkpath(dir))
    throw std::runtime_error(("could not create the folder " + dir).toStdString());
  return exportRuns(runs, dir, options, comparison);
}

void MonitorView::exportDialog() {
  ExportDialog dialog(visibleRuns(), this);
  dialog.setSmoothing(smoothing_weight_);
  if (dialog.exec() != QDialog::Accepted) return;
  const ExportDialog::Choice choice = dialog.choice();
  try {
    const QStringList files =
        exportCharts(choice.dir, choice.options, choice.comparison, choice.run_keys);
    QMessageBox::information(this, tr("Export"),
                             tr("%1 files written to %2").arg(files.size()).arg(choice.dir));
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Export failed"), QString::fromUtf8(e.what()));
  }
}

}  // namespace gwb::ui
