// MonitorView: layout, incremental drawing of the step-based curves, evaluations, seed bands and
// reference lines, the shared x range, and exports. The probe tabs live in ProbeCharts, the
// export dialog in ExportDialog.
#include "ui/monitor_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QSettings>
#include <QSlider>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>

#include "engine/util/paths.h"
#include "plotting/confusion_chart.h"
#include "plotting/time_series_chart.h"
#include "ui/chart_data.h"
#include "ui/export_dialog.h"
#include "ui/probe_charts.h"

namespace gwb::ui {
namespace {

plot::TimeSeriesChart* chart(const QString& title, const QString& y) {
  auto* c = new plot::TimeSeriesChart;
  c->setTitle(title);
  c->yAxis->setLabel(y);
  c->setMinimumHeight(160);
  // A common left margin (wide enough for "0.0015" and the axis label), so that the stacked
  // charts, which share their x range, also line their steps up.
  c->axisRect()->setMinimumMargins(QMargins(78, 15, 15, 15));
  return c;
}

QColor sourceColor(const std::string& source) {
  if (source == "paper") return QColor(0xb0, 0x30, 0x30);
  if (source == "reproduction") return QColor(0x30, 0x50, 0xa0);
  return QColor(0x60, 0x60, 0x60);
}

}  // namespace

MonitorView::MonitorView(MetricsStore* store, QWidget* parent) : QWidget(parent), store_(store) {
  try {
    reported_ = loadReportedNumbers(reportedNumbersPath());
    reported_snli_ = loadReportedSnli(reportedNumbersPath());
  } catch (const std::exception&) {
    // No reported numbers installed: the charts simply go without reference lines.
  }
  x_mode_ = new QComboBox;
  x_mode_->addItems({tr("step"), tr("tokens seen"), tr("wall time (s)")});
  log_y_ = new QCheckBox(tr("log y"));
  log_y_->setChecked(true);
  group_seeds_ = new QCheckBox(tr("group seeds (mean ± std)"));
  smoothing_ = new QSlider(Qt::Horizontal);
  smoothing_->setRange(0, 999);  // the weight in steps of 0.001
  smoothing_->setValue(600);
  smoothing_->setMaximumWidth(160);
  smoothing_label_ = new QLabel(QStringLiteral("0.60"));
  auto* export_button = new QPushButton(QIcon(":/icons/export.png"), tr("Export charts…"));
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("x axis")));
  bar->addWidget(x_mode_);
  bar->addWidget(log_y_);
  bar->addWidget(new QLabel(tr("smoothing")));
  bar->addWidget(smoothing_);
  bar->addWidget(smoothing_label_);
  bar->addWidget(group_seeds_);
  bar->addStretch(1);
  bar->addWidget(export_button);

  runs_list_ = new QListWidget;
  runs_list_->setMaximumWidth(260);
  runs_list_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  runs_list_->setToolTip(
      tr("Tick the runs to show; each keeps its colour in every chart and export"));
  remove_runs_ = new QPushButton(tr("Remove from monitor"));
  remove_runs_->setToolTip(tr("Take the selected runs out of the monitor (their folders stay)"));
  auto* list_panel = new QWidget;
  list_panel->setMaximumWidth(260);
  auto* list_layout = new QVBoxLayout(list_panel);
  list_layout->setContentsMargins(0, 0, 0, 0);
  list_layout->addWidget(runs_list_, 1);
  list_layout->addWidget(remove_runs_);

  loss_ = chart(tr("Train loss"), tr("loss"));
  ppl_ = chart(tr("Validation perplexity"), tr("perplexity"));
  ppl_->setStyle(plot::TimeSeriesChart::Style::Markers);  // evaluations: never smoothed
  ppl_->setSmoothLogValues(true);                         // were they ever, it would be on the loss
  position_ = chart(tr("Validation loss by position in the chunk (latest evaluation)"), tr("loss"));
  position_->setAxisLabels(tr("position"), tr("loss"));
  position_->setSmoothing(0);
  throughput_ = chart(tr("Throughput"), tr("tokens/s"));
  lr_ = chart(tr("Learning rate"), tr("lr"));
  grad_ = chart(tr("Gradient norm (before clipping); dotted: spikes"), tr("norm"));
  for (auto* c : {throughput_, lr_}) c->setSmoothing(0);
  accuracy_ =
      chart(tr("Validation accuracy (SNLI dev; dashed: per class E / N / C)"), tr("accuracy (%)"));
  accuracy_->setObjectName(QStringLiteral("accuracy"));
  accuracy_->setSmoothing(0);
  confusion_ = new plot::ConfusionChart;
  confusion_->setObjectName(QStringLiteral("confusion"));
  // Room for the three class names under the matrix and its two-line title (a narrower panel
  // overlapped the names and cut the title).
  confusion_->setMinimumWidth(420);
  confusion_->setTitle(tr("Confusion matrix of the latest evaluation"));
  confusion_->setMatrix({}, {}, tr("no data yet"));
  probes_ = new ProbeCharts(store_);

  auto* curves = new QSplitter(Qt::Vertical);
  curves->addWidget(loss_);
  curves->addWidget(ppl_);
  auto* strip = new QSplitter(Qt::Vertical);
  strip->addWidget(throughput_);
  strip->addWidget(lr_);
  strip->addWidget(grad_);
  tabs_ = new QTabWidget;
  auto* accuracy_tab = new QSplitter(Qt::Horizontal);
  accuracy_tab->addWidget(accuracy_);
  accuracy_tab->addWidget(confusion_);
  accuracy_tab->setStretchFactor(0, 3);
  accuracy_tab->setStretchFactor(1, 2);
  tabs_->addTab(curves, tr("Loss && perplexity"));
  tabs_->addTab(accuracy_tab, tr("Accuracy (SNLI)"));
  tabs_->addTab(probes_->alphaTab(), tr("Gate α"));
  tabs_->addTab(probes_->pluckerTab(), tr("Plücker"));
  tabs_->addTab(position_, tr("Loss by position"));
  tabs_->addTab(strip, tr("Throughput, lr, gradient"));

  auto* split = new QSplitter;
  split->addWidget(list_panel);
  split->addWidget(tabs_);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addWidget(split, 1);

  redraw_timer_ = new QTimer(this);
  redraw_timer_->setSingleShot(true);
  redraw_timer_->setInterval(40);
  connect(redraw_timer_, &QTimer::timeout, this, &MonitorView::redraw);
  connect(store_, &MetricsStore::runAdded, this, &MonitorView::onRunAdded);
  connect(store_, &MetricsStore::runUpdated, this, [this](const QString& key) {
    dirty_.insert(key);
    updateListItem(key);
    scheduleRedraw();
  });
  connect(remove_runs_, &QPushButton::clicked, this, [this] {
    QStringList keys;
    for (QListWidgetItem* item : runs_list_->selectedItems())
      keys << item->data(Qt::UserRole).toString();
    for (const QString& key : keys) store_->remove(key);
  });
  connect(store_, &MetricsStore::runRemoved, this, &MonitorView::onRunRemoved);
  connect(x_mode_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setXAxisMode(static_cast<XAxisMode>(i)); });
  connect(log_y_, &QCheckBox::toggled, this, &MonitorView::setLogY);
  connect(group_seeds_, &QCheckBox::toggled, this, &MonitorView::setGroupSeeds);
  connect(smoothing_, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 1000.0); });
  connect(runs_list_, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
    setRunVisible(item->data(Qt::UserRole).toString(), item->checkState() == Qt::Checked);
  });
  connect(export_button, &QPushButton::clicked, this, &MonitorView::exportDialog);
  setLogY(true);
  for (const QString& key : store_->keys()) onRunAdded(key);
}

void MonitorView::onRunAdded(const QString& key) {
  const StoredRun* run = store_->run(key);
  auto* item = new QListWidgetItem(run->name);
  item->setData(Qt::UserRole, key);
  item->setToolTip(key);
  item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
  item->setCheckState(hidden_.contains(key) ? Qt::Unchecked : Qt::Checked);
  QPixmap swatch(12, 12);
  swatch.fill(run->color);
  item->setIcon(QIcon(swatch));
  runs_list_->addItem(item);
  updateListItem(key);
  dirty_.insert(key);
  rebuild_ = true;  // the reference lines and groups may change
  scheduleRedraw();
}

void MonitorView::updateListItem(const QString& key) {
  const StoredRun* run = store_->run(key);
  if (!run) return;
  for (int i = 0; i < runs_list_->count(); ++i) {
    QListWidgetItem* item = runs_list_->item(i);
    if (item->data(Qt::UserRole).toString() != key) continue;
    // A run whose folder is gone stays readable here, and says so; so do malformed metrics
    // lines (a kill mid-write elsewhere, an edit), which were skipped and cost nothing else.
    QString text = run->missing ? tr("%1 (folder deleted or moved)").arg(run->name) : run->name;
    QString tip =
        run->missing ? tr("%1 no longer exists; its curves are what was read").arg(key) : key;
    const std::int64_t skipped = run->events.skipped_lines;
    if (skipped > 0) {
      text += skipped == 1 ? tr(" ⚠ 1 malformed line skipped")
                           : tr(" ⚠ %1 malformed lines skipped").arg(skipped);
      for (const std::string& w : run->events.warnings) tip += "\n" + QString::fromStdString(w);
    }
    if (item->text() != text) item->setText(text);
    item->setForeground(run->missing ? QColor(0x90, 0x90, 0x90) : palette().text().color());
    QFont font = item->font();
    font.setItalic(run->missing);
    item->setFont(font);
    item->setToolTip(tip);
  }
}

void MonitorView::onRunRemoved(const QString& key) {
  for (int i = 0; i < runs_list_->count(); ++i) {
    if (runs_list_->item(i)->data(Qt::UserRole).toString() == key) delete runs_list_->takeItem(i--);
  }
  hidden_.remove(key);
  rebuild_ = true;
  scheduleRedraw();
}

void MonitorView::scheduleRedraw() {
  if (!redraw_timer_->isActive()) redraw_timer_->start();
}

void MonitorView::setXAxisMode(XAxisMode mode) {
  mode_ = mode;
  if (x_mode_->currentIndex() != static_cast<int>(mode))
    x_mode_->setCurrentIndex(static_cast<int>(mode));
  rebuild_ = true;
  redraw();
}

void MonitorView::setSmoothing(double weight) {
  // The weight itself is kept (and saved): the slider only shows it, to 0.001.
  smoothing_weight_ = std::clamp(weight, 0.0, 0.999);
  const int position = static_cast<int>(std::lround(smoothing_weight_ * 1000));
  if (smoothing_->value() != position) {
    const QSignalBlocker block(smoothing_);
    smoothing_->setValue(position);
  }
  const bool hundredths =
      std::abs(smoothing_weight_ * 100 - std::round(smoothing_weight_ * 100)) < 1e-9;
  smoothing_label_->setText(QString::number(smoothing_weight_, 'f', hundredths ? 2 : 3));
  loss_->setSmoothing(smoothing_weight_);
  grad_->setSmoothing(smoothing_weight_);
  loss_->refresh();
  grad_->refresh();
}

double MonitorView::smoothing() const { return smoothing_weight_; }

void MonitorView::saveSettings(QSettings& settings) const {
  settings.setValue("monitor/smoothing", smoothing_weight_);
  settings.setValue("monitor/logY", logY());
  settings.setValue("monitor/xAxis", static_cast<int>(mode_));
}

void MonitorView::restoreSettings(const QSettings& settings) {
  setSmoothing(settings.value("monitor/smoothing", smoothing_weight_).toDouble());
  setLogY(settings.value("monitor/logY", logY()).toBool());
  const int mode = settings.value("monitor/xAxis", static_cast<int>(mode_)).toInt();
  if (mode >= 0 && mode <= static_cast<int>(XAxisMode::Time))
    setXAxisMode(static_cast<XAxisMode>(mode));
}
bool MonitorView::logY() const { return log_y_->isChecked(); }

void MonitorView::setLogY(bool on) {
  if (log_y_->isChecked() != on) log_y_->setChecked(on);
  loss_->setLogY(on);
  ppl_->setLogY(on);
}

void MonitorView::setGroupSeeds(bool on) {
  group_ = on;
  if (group_seeds_->isChecked() != on) group_seeds_->setChecked(on);
  rebuild_ = true;
  redraw();
}

void MonitorView::setRunVisible(const QString& key, bool visible) {
  for (int i = 0; i < runs_list_->count(); ++i) {  // the tick follows (opening a run re-ticks it)
    QListWidgetItem* item = runs_list_->item(i);
    if (item->data(Qt::UserRole).toString() == key &&
        (item->checkState() == Qt::Checked) != visible) {
      const QSignalBlocker block(runs_list_);
      item->setCheckState(visible ? Qt::Checked : Qt::Unchecked);
    }
  }
  if (visible == !hidden_.contains(key)) return;
  if (visible) {
    hidden_.remove(key);
  } else {
    hidden_.insert(key);
  }
  rebuild_ = true;
  redraw();
  emit visibilityChanged(key, visible);
}

QString MonitorView::listText(const QString& key) const {
  for (int i = 0; i < runs_list_->count(); ++i) {
    if (runs_list_->item(i)->data(Qt::UserRole).toString() == key)
      return runs_list_->item(i)->text();
  }
  return {};
}

QList<const StoredRun*> MonitorView::visibleRuns() const {
  QList<const StoredRun*> out;
  for (const QString& key : store_->keys()) {
    if (!hidden_.contains(key)) out << store_->run(key);
  }
  return out;
}

double MonitorView::xOf(const EventBase& e) const {
  switch (mode_) {
    case XAxisMode::Tokens:
      return static_cast<double>(e.tokens);
    case XAxisMode::Time:
      return e.time;
    case XAxisMode::Step:
      break;
  }
  return static_cast<double>(e.step);
}

QString MonitorView::xLabel() const {
  return mode_ == XAxisMode::Step     ? tr("step")
         : mode_ == XAxisMode::Tokens ? tr("tokens seen")
                                      : tr("wall time (s)");
}

void MonitorView::rebuildAll() {
  for (auto* c : {loss_, ppl_, position_, throughput_, lr_, grad_, accuracy_}) c->clearSeries();
  plotted_steps_.clear();
  for (auto* c : {loss_, ppl_, throughput_, lr_, grad_, accuracy_}) c->xAxis->setLabel(xLabel());
  dirty_.clear();
  for (const QString& key : store_->keys()) dirty_.insert(key);
}

void MonitorView::redraw() {
  if (rebuild_) {
    rebuildAll();
  }
  QSet<QString> grouped;
  if (group_) {
    QMap<QString, int> members;
    for (const StoredRun* r : visibleRuns()) ++members[r->groupKey()];
    for (const StoredRun* r : visibleRuns()) {
      if (members[r->groupKey()] > 1) grouped.insert(r->key);
    }
  }
  for (const QString& key : dirty_) {
    const StoredRun* run = store_->run(key);
    if (!run || hidden_.contains(key) || grouped.contains(key)) continue;
    drawCurves(*run);
  }
  if (group_ || rebuild_) drawGroups();
  if (rebuild_ || !dirty_.isEmpty()) drawReferences();
  if (rebuild_ || !dirty_.isEmpty()) drawConfusion();
  probes_->update(visibleRuns(), dirty_, rebuild_);
  dirty_.clear();
  rebuild_ = false;
  shareXRange();
  for (auto* c : {loss_, ppl_, position_, throughput_, lr_, grad_, accuracy_}) c->refresh();
}

void MonitorView::shareXRange() {
  // Train loss, evaluations, throughput, lr and gradient of the runs shown cover the same steps:
  // one x range for all (each still pads it for its end markers), so an evaluation at step 20
  // sits where step 20 of the loss does, and one evaluation does not squeeze its axis.
  const std::initializer_list<plot::TimeSeriesChart*> charts = {loss_, ppl_,  throughput_,
                                                                lr_,   grad_, accuracy_};
  double lo = NAN, hi = NAN;
  for (plot::TimeSeriesChart* c : charts) {
    double a = 0, b = 0;
    if (!c->dataXRange(&a, &b)) continue;
    lo = std::isnan(lo) ? a : std::min(lo, a);
    hi = std::isnan(hi) ? b : std::max(hi, b);
  }
  for (plot::TimeSeriesChart* c : charts) c->setXExtent(lo, hi);
}

void MonitorView::drawCurves(const StoredRun& run) {
  const auto& steps = run.events.steps;
  int& done = plotted_steps_[run.key];
  if (done > static_cast<int>(steps.size())) {  // the store deduplicated a resume: redraw this run
    for (auto* c : {loss_, throughput_, lr_, grad_}) c->removeSeries(run.key);
    done = 0;
  }
  if (done < static_cast<int>(steps.size())) {
    QVector<double> x, loss, speed, lr, grad;
    for (int i = done; i < static_cast<int>(steps.size()); ++i) {
      const StepEvent& e = steps[i];
      x << xOf(e);
      loss << e.loss;
      speed << e.tokens_per_s;
      lr << e.lr;
      grad << e.grad_norm;
    }
    loss_->appendPoints(run.key, run.name, run.color, x, loss);
    throughput_->appendPoints(run.key, run.name, run.color, x, speed);
    lr_->appendPoints(run.key, run.name, run.color, x, lr);
    grad_->appendPoints(run.key, run.name, run.color, x, grad);
    done = static_cast<int>(steps.size());
  }
  if (run.config.data.isSnli()) {
    drawAccuracy(run);
    return;
  }
  QVector<double> x, ppl;
  const EvalEvent* latest = nullptr;
  for (const EvalEvent& e : run.events.evals) {
    if (e.split != "valid") continue;
    x << xOf(e);
    ppl << e.ppl;
    latest = &e;
  }
  if (!x.isEmpty()) ppl_->setPoints(run.key, run.name, run.color, x, ppl);
  if (latest) {
    QVector<double> pos, loss;
    for (int i = 0; i < static_cast<int>(latest->loss_by_position.size()); ++i) {
      pos << i + 1;
      loss << latest->loss_by_position[i];
    }
    position_->setPoints(run.key, run.name + tr(" (step %1)").arg(latest->step), run.color, pos,
                         loss);
  }
  QVector<double> spikes;
  for (const StoredRun* r : visibleRuns()) {
    for (const SpikeMark& s : spikeMarks(*r)) {
      spikes << (mode_ == XAxisMode::Step     ? s.step
                 : mode_ == XAxisMode::Tokens ? s.tokens
                                              : s.time);
    }
  }
  grad_->setMarkers(spikes, QColor(200, 60, 60));
}

void MonitorView::drawAccuracy(const StoredRun& run) {
  static const char* const kClass[3] = {"E", "N", "C"};
  static const Qt::PenStyle kStyle[3] = {Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
  QVector<double> x, overall;
  QVector<double> per[3];
  for (const EvalEvent& e : run.events.evals) {
    if (e.split != "valid" || !e.classification) continue;
    x << xOf(e);
    overall << 100 * e.accuracy;
    for (int k = 0; k < 3; ++k)
      per[k] << (k < static_cast<int>(e.per_class_accuracy.size()) ? 100 * e.per_class_accuracy[k]
                                                                   : NAN);
  }
  if (x.isEmpty()) return;
  accuracy_->setPoints(run.key, run.name, run.color, x, overall);
  for (int k = 0; k < 3; ++k) {
    const QString id = run.key + QStringLiteral("#") + kClass[k];
    accuracy_->setPoints(id, run.name + QStringLiteral(" ") + kClass[k], run.color.lighter(125), x,
                         per[k]);
    accuracy_->setSeriesPenStyle(id, kStyle[k]);
  }
}

void MonitorView::drawConfusion() {
  // The latest evaluation (valid, or the final test) of the first visible SNLI run.
  for (const StoredRun* r : visibleRuns()) {
    if (!r->config.data.isSnli()) continue;
    const EvalEvent* latest = nullptr;
    for (const EvalEvent& e : r->events.evals) {
      if (e.classification) latest = &e;
    }
    if (!latest || latest->confusion.size() != 3) continue;
    QVector<QVector<qint64>> counts;
    for (const auto& row : latest->confusion) counts << QVector<qint64>(row.begin(), row.end());
    // Two lines: the panel is narrow, and one line was cut at both ends.
    confusion_->setTitle(tr("Confusion matrix of %1\n%2 at step %3 (%4 pairs)")
                             .arg(r->name, QString::fromStdString(latest->split))
                             .arg(latest->step)
                             .arg(latest->examples));
    confusion_->setMatrix({tr("entailment"), tr("neutral"), tr("contradiction")}, counts);
    return;
  }
  const QList<const StoredRun*> shown = visibleRuns();
  const bool any_snli = std::any_of(shown.begin(), shown.end(), [](const StoredRun* r) {
    return r->has_config && r->config.data.isSnli();
  });
  confusion_->setTitle(tr("Confusion matrix of the latest evaluation"));
  confusion_->setMatrix({}, {},
                        shown.isEmpty() ? tr("no data yet")
                        : any_snli      ? tr("no SNLI evaluation yet")
                                        : tr("no SNLI run shown"));
}

void MonitorView::drawGroups() {
  loss_->clearBands();
  ppl_->clearBands();
  if (!group_) return;
  QMap<QString, QList<const StoredRun*>> groups;
  for (const StoredRun* r : visibleRuns()) groups[r->groupKey()] << r;
  for (auto it = groups.begin(); it != groups.end(); ++it) {
    if (it.value().size() < 2) continue;
    const StoredRun& first = *it.value().first();
    const SeedBand loss = seedBand(it.value(), SeedBand::TrainLoss);
    const SeedBand ppl = seedBand(it.value(), SeedBand::ValidPpl);
    const QString label = first.configLabel() + tr(", %1 seeds").arg(it.value().size());
    const auto xs = [this](const SeedBand& b) {
      return mode_ == XAxisMode::Step ? b.steps : mode_ == XAxisMode::Tokens ? b.tokens : b.times;
    };
    if (!loss.steps.isEmpty())
      loss_->setBand(it.key(), label, first.color, xs(loss), loss.mean, loss.std);
    if (!ppl.steps.isEmpty())
      ppl_->setBand(it.key(), label, first.color, xs(ppl), ppl.mean, ppl.std);
  }
}

void MonitorView::drawReferences() {
  ppl_->clearReferenceLines();
  accuracy_->clearReferenceLines();
  QSet<QString> drawn;
  QList<RunConfig> wikitext, snli;
  for (const StoredRun* r : visibleRuns()) {
    if (!r->has_config) continue;
    (r->config.data.isSnli() ? snli : wikitext) << r->config;
  }
  // A line under the chart where a configuration shown has no reported number, naming those
  // that have one; and why a chart of the other task stays empty.
  ppl_->setNote(reportedPplNote(wikitext, reported_));
  accuracy_->setNote(reportedSnliNote(snli, reported_snli_));
  const bool any = !wikitext.isEmpty() || !snli.isEmpty();
  ppl_->setEmptyText(any && wikitext.isEmpty()
                         ? tr("no Wikitext-2 run shown: SNLI runs have accuracies instead")
                         : tr("no data yet"));
  accuracy_->setEmptyText(any && snli.isEmpty() ? tr("no SNLI run shown: accuracy is for SNLI runs")
                                                : tr("no data yet"));
  position_->setEmptyText(any && wikitext.isEmpty() ? tr("no Wikitext-2 run shown")
                                                    : tr("no data yet"));
  for (const StoredRun* r : visibleRuns()) {
    if (!r->has_config) continue;
    if (r->config.data.isSnli()) {
      // The majority-class baseline of the split evaluated, from the evaluation itself.
      for (auto it = r->events.evals.rbegin(); it != r->events.evals.rend(); ++it) {
        if (it->split != "valid" || it->examples <= 0 || it->confusion.size() != 3) continue;
        std::int64_t largest = 0;
        for (const auto& row : it->confusion) {
          std::int64_t n = 0;
          for (std::int64_t v : row) n += v;
          largest = std::max(largest, n);
        }
        const QString label = tr("majority class (dev)");
        if (!drawn.contains(label)) {
          drawn.insert(label);
          accuracy_->addReferenceLine(label, 100.0 * largest / it->examples,
                                      QColor(0x80, 0x80, 0x80));
        }
        break;
      }
      if (const auto n = matchReportedSnli(reported_snli_, r->config)) {
        const QString label =
            QString::fromStdString(n->label) + QStringLiteral(" ") + r->arch + tr(" (dev)");
        if (!drawn.contains(label)) {
          drawn.insert(label);
          accuracy_->addReferenceLine(label, n->of(r->config.model.arch).val,
                                      sourceColor(n->source));
        }
      }
      continue;
    }
    for (const char* source : {"paper", "reproduction", "arledge"}) {
      const auto n = matchReported(reported_, source, r->config);
      if (!n) continue;
      const QString label = QString::fromStdString(n->label) + QStringLiteral(" ") + r->arch +
                            (n->metric == "test_ppl" ? tr(" (test)") : QString());
      if (drawn.contains(label)) continue;
      drawn.insert(label);
      ppl_->addReferenceLine(label, n->value(r->config.model.arch), sourceColor(n->source));
    }
  }
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
