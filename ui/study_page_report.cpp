// StudyPage's followed study: its report read on a worker, the cells' table and the charts, the
// runs the parallel coordinates keep, and the export.
#include <QDir>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include "plotting/study_charts.h"
#include "ui/study_export.h"
#include "ui/study_page.h"

namespace gwb::ui {
namespace {

QString levelsText(const std::vector<std::pair<std::string, std::string>>& levels) {
  QStringList at_b;
  for (const auto& [name, level] : levels) {
    if (level == "B") at_b << QString::fromStdString(name);
  }
  return at_b.isEmpty() ? QObject::tr("(all A)") : at_b.join('+');
}

}  // namespace

StudyPage::Followed StudyPage::computeReport(const QString& study_dir) {
  Followed f;
  try {
    f.study = study::readStudy(study_dir.toStdString());
    f.report = study::buildStudyReport(*f.study);
  } catch (const std::exception& e) {
    f.error = QString::fromUtf8(e.what());
  }
  return f;
}

bool StudyPage::openStudy(const QString& dir, QString* error) {
  Followed f = computeReport(dir);
  if (!f.error.isEmpty()) {
    if (error) *error = f.error;
    return false;
  }
  study_dir_ = dir;
  setRequest(f.study->plan.request);
  plan_label_->setText(tr("Showing the study in %1 (followed while its runs train). Plan makes a "
                          "new one from the settings above.")
                           .arg(QDir::toNativeSeparators(dir)));
  showReport(f);
  follow_timer_->start();
  return true;
}

void StudyPage::refreshNow() {
  if (!study_dir_.isEmpty()) showReport(computeReport(study_dir_));
}

void StudyPage::showReport(const Followed& f) {
  if (!f.error.isEmpty()) {
    study_label_->setText(f.error);  // e.g. study.json edited by hand: said, not guessed around
    return;
  }
  study_ = f.study;
  report_ = f.report;
  const study::StudyReport& r = *report_;
  QString head = tr("Study %1: %2 %3 → %4, scale %5%6. Runs: %7 of %8 finished.")
                     .arg(QString::fromStdString(r.id), QString::fromStdString(r.design),
                          QString::fromStdString(r.a), QString::fromStdString(r.b),
                          QString::fromStdString(r.scale),
                          r.steps > 0 ? tr(" (%1 steps)").arg(r.steps) : QString())
                     .arg(r.runs_finished)
                     .arg(r.runs_total);
  head +=
      tr(" Delta: Grassmann - Transformer best valid loss, same seed; 95% Student-t "
         "intervals.");
  for (const std::string& w : r.warnings)
    head += QStringLiteral("\n⚠ ") + QString::fromStdString(w);
  study_label_->setText(head);

  const QStringList headers = {tr("Cell"),
                               tr("At B"),
                               tr("n"),
                               tr("Grassmann loss"),
                               tr("Transformer loss"),
                               tr("Delta (nats)"),
                               tr("Gap %"),
                               tr("Unfinished")};
  cells_->setColumnCount(headers.size());
  cells_->setHorizontalHeaderLabels(headers);
  cells_->setRowCount(static_cast<int>(r.cells.size()));
  for (int i = 0; i < static_cast<int>(r.cells.size()); ++i) {
    const study::CellResult& c = r.cells[i];
    const QStringList row = {QString::fromStdString(c.id),
                             levelsText(c.levels),
                             QString::number(c.delta.n),
                             QString::fromStdString(study::intervalText(c.grassmann.loss)),
                             QString::fromStdString(study::intervalText(c.transformer.loss)),
                             QString::fromStdString(study::intervalText(c.delta)),
                             QString::fromStdString(study::intervalText(c.gap_percent, 1)),
                             QString::number(c.unfinished)};
    for (int col = 0; col < row.size(); ++col)
      cells_->setItem(i, col, new QTableWidgetItem(row[col]));
  }
  cells_->resizeColumnsToContents();

  const bool path = r.design == "path";
  waterfall_->setBars(studyWaterfall(r), studyGapLabel());
  const IntervalBars arch = studyArchChanges(r);
  arch_->setData(arch.categories, arch.series, arch.value_label);
  const IntervalBars effects = studyEffects(r);
  effects_->setData(effects.categories, effects.series, effects.value_label);
  charts_->setTabEnabled(0, path);
  charts_->setTabEnabled(1, !path);
  if (!charts_->isTabEnabled(charts_->currentIndex())) charts_->setCurrentIndex(path ? 0 : 1);
  const ParallelData p = studyParallel(*study_, r);
  if (p.lines.size() != parallel_->lineCount() || line_dirs_ != p.run_dirs) {
    line_dirs_ = p.run_dirs;
    parallel_->setData(p.axes, p.categorical, p.lines);  // keeps nobody's brush: lines changed
  }
  emit reportShown();
}

QStringList StudyPage::selectedRunDirs() const {
  QStringList dirs;
  for (const int i : parallel_->selected()) {
    if (i < line_dirs_.size()) dirs << line_dirs_[i];
  }
  dirs.removeDuplicates();
  return dirs;
}

QStringList StudyPage::exportTo(const QString& dir, QString* error) {
  if (study_dir_.isEmpty()) {
    if (error) *error = tr("Open or start a study first");
    return {};
  }
  try {
    return exportStudyDirectory(study_dir_, dir, ExportOptions{});
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return {};
  }
}

}  // namespace gwb::ui
