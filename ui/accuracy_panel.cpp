// AccuracyPanel.
#include "ui/accuracy_panel.h"

#include <algorithm>
#include <cmath>

#include "engine/config/tasks.h"
#include "plotting/confusion_chart.h"
#include "plotting/time_series_chart.h"
#include "ui/chart_data.h"
#include "ui/reference_lines.h"

namespace gwb::ui {

AccuracyPanel::AccuracyPanel(QWidget* parent) : QSplitter(Qt::Horizontal, parent) {
  accuracy_ = new plot::TimeSeriesChart;
  accuracy_->setTitle(tr("Validation accuracy (SNLI dev; dashed: per class E / N / C)"));
  accuracy_->setAxisLabels(tr("step"), tr("accuracy (%)"));
  accuracy_->setEmptyYRange(0, 100);  // empty, it read 0 to 1 under "accuracy (%)"
  accuracy_->setObjectName(QStringLiteral("accuracy"));
  accuracy_->setSmoothing(0);
  accuracy_->setMinimumHeight(160);
  accuracy_->axisRect()->setMinimumMargins(QMargins(78, 15, 15, 15));
  loss_ = new plot::TimeSeriesChart;
  loss_->setTitle(tr("Train loss (SNLI)"));
  loss_->setAxisLabels(tr("step"), tr("loss"));
  loss_->setObjectName(QStringLiteral("snli_train_loss"));
  loss_->setMinimumHeight(140);
  loss_->axisRect()->setMinimumMargins(QMargins(78, 15, 15, 15));
  confusion_ = new plot::ConfusionChart;
  confusion_->setObjectName(QStringLiteral("confusion"));
  // Room for the three class names under the matrix and its two-line title (a narrower panel
  // overlapped the names and cut the title).
  confusion_->setMinimumWidth(420);
  confusion_->setTitle(tr("Confusion matrix of the latest evaluation"));
  confusion_->setMatrix({}, {}, tr("no data yet"));
  auto* curves = new QSplitter(Qt::Vertical);
  curves->addWidget(loss_);
  curves->addWidget(accuracy_);
  curves->setStretchFactor(0, 2);
  curves->setStretchFactor(1, 3);
  addWidget(curves);
  addWidget(confusion_);
  setStretchFactor(0, 3);
  setStretchFactor(1, 2);
}

void AccuracyPanel::drawRun(const StoredRun& run,
                            const std::function<double(const EventBase&)>& x_of) {
  static const Qt::PenStyle kStyle[kSnliClasses] = {Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
  QVector<double> x, overall;
  QVector<double> per[kSnliClasses];
  for (const EvalEvent& e : run.events.evals) {
    if (e.split != "valid" || !e.classification) continue;
    x << x_of(e);
    overall << 100 * e.accuracy;
    for (int k = 0; k < kSnliClasses; ++k)
      per[k] << (k < static_cast<int>(e.per_class_accuracy.size()) ? 100 * e.per_class_accuracy[k]
                                                                   : NAN);
  }
  if (x.isEmpty()) return;
  accuracy_->setPoints(run.key, run.name, run.color, x, overall);
  for (int k = 0; k < kSnliClasses; ++k) {
    const QString id = run.key + QStringLiteral("#") + snliClassLetter(k);
    accuracy_->setPoints(id, run.name + QStringLiteral(" ") + snliClassLetter(k),
                         run.color.lighter(125), x, per[k]);
    accuracy_->setSeriesPenStyle(id, kStyle[k]);
  }
}

void AccuracyPanel::drawShown(const QList<const StoredRun*>& shown) {
  accuracy_->clearReferenceLines();
  QList<RunConfig> snli;
  bool any = false;
  QSet<QString> drawn;
  for (const StoredRun* r : shown) {
    if (!r->has_config) continue;
    any = true;
    if (!r->config.data.isSnli()) continue;
    snli << r->config;
    for (const ReferenceLine& line : accuracyReferenceLines(*r)) {
      if (drawn.contains(line.label)) continue;
      drawn.insert(line.label);
      accuracy_->addReferenceLine(line.label, line.value, line.color);
    }
  }
  accuracy_->setNote(reportedSnliNote(snli, reportedNumbers().snli));
  accuracy_->setEmptyText(any && snli.isEmpty() ? tr("no SNLI run shown: accuracy is for SNLI runs")
                                                : tr("no data yet"));
  loss_->setEmptyText(any && snli.isEmpty() ? tr("no SNLI run shown") : tr("no data yet"));
  drawConfusion(shown);
}

void AccuracyPanel::drawConfusion(const QList<const StoredRun*>& shown) {
  // The latest evaluation (valid, or the final test) of the first visible SNLI run.
  for (const StoredRun* r : shown) {
    if (!r->config.data.isSnli()) continue;
    const EvalEvent* latest = nullptr;
    for (const EvalEvent& e : r->events.evals) {
      if (e.classification) latest = &e;
    }
    if (!latest || latest->confusion.size() != kSnliClasses) continue;
    QVector<QVector<qint64>> counts;
    for (const auto& row : latest->confusion) counts << QVector<qint64>(row.begin(), row.end());
    // Two lines: the panel is narrow, and one line was cut at both ends.
    confusion_->setTitle(tr("Confusion matrix of %1\n%2 at step %3 (%4 pairs)")
                             .arg(r->name, QString::fromStdString(latest->split))
                             .arg(latest->step)
                             .arg(latest->examples));
    QStringList labels;
    for (int k = 0; k < kSnliClasses; ++k) labels << tr(snliClassName(k));
    confusion_->setMatrix(labels, counts);
    return;
  }
  const bool any_snli = std::any_of(shown.begin(), shown.end(), [](const StoredRun* r) {
    return r->has_config && r->config.data.isSnli();
  });
  confusion_->setTitle(tr("Confusion matrix of the latest evaluation"));
  confusion_->setMatrix({}, {},
                        shown.isEmpty() ? tr("no data yet")
                        : any_snli      ? tr("no SNLI evaluation yet")
                                        : tr("no SNLI run shown"));
}

}  // namespace gwb::ui
