// MonitorView: layout, incremental drawing of the step-based curves, evaluations, seed bands,
// reference lines and resume marks, the shared and linked x range. The run menu's actions, the
// process sample and exports are monitor_view_actions.cpp's; the probe tabs live in ProbeCharts,
// the export dialog in ExportDialog.
#include "ui/monitor_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSettings>
#include <QSlider>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>
#include <vector>

#include "engine/util/process_usage.h"
#include "plotting/confusion_chart.h"
#include "plotting/time_series_chart.h"
#include "ui/accuracy_panel.h"
#include "ui/chart_data.h"
#include "ui/monitor_run_list.h"
#include "ui/probe_charts.h"
#include "ui/reference_lines.h"
#include "ui/sample_dialog.h"

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

}  // namespace

MonitorView::MonitorView(MetricsStore* store, QWidget* parent) : QWidget(parent), store_(store) {
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

  run_list_ = new MonitorRunList;
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
  cpu_ = chart(tr("This process: CPU (100 % = one core busy)"), tr("CPU (%)"));
  memory_ = chart(tr("This process: resident memory"), tr("MiB"));
  for (auto* c : {cpu_, memory_}) {
    c->setSmoothing(0);
    c->setAxisLabels(tr("seconds since the workbench started"), c->yAxis->label());
    c->setYRangeIncludes(0, 0);
  }
  cpu_->setObjectName(QStringLiteral("process_cpu"));
  memory_->setObjectName(QStringLiteral("process_memory"));
  accuracy_panel_ = new AccuracyPanel;
  accuracy_ = accuracy_panel_->chart();
  snli_loss_ = accuracy_panel_->trainLoss();
  confusion_ = accuracy_panel_->confusion();
  probes_ = new ProbeCharts(store_);

  auto* curves = new QSplitter(Qt::Vertical);
  curves->addWidget(loss_);
  curves->addWidget(ppl_);
  auto* strip = new QSplitter(Qt::Vertical);
  strip->addWidget(throughput_);
  strip->addWidget(lr_);
  strip->addWidget(grad_);
  auto* process = new QSplitter(Qt::Horizontal);
  process->addWidget(cpu_);
  process->addWidget(memory_);
  strip->addWidget(process);
  tabs_ = new QTabWidget;
  tabs_->addTab(curves, tr("Loss && perplexity"));
  tabs_->addTab(accuracy_panel_, tr("SNLI: loss && accuracy"));
  tabs_->addTab(probes_->alphaTab(), tr("Gate α"));
  tabs_->addTab(probes_->pluckerTab(), tr("Plücker"));
  tabs_->addTab(position_, tr("Loss by position"));
  tabs_->addTab(strip, tr("Throughput, lr, gradient, process"));

  auto* split = new QSplitter;
  split->addWidget(run_list_);
  split->addWidget(tabs_);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addWidget(split, 1);

  redraw_timer_ = new QTimer(this);
  redraw_timer_->setSingleShot(true);
  redraw_timer_->setInterval(40);
  connect(redraw_timer_, &QTimer::timeout, this, &MonitorView::redraw);
  usage_ = std::make_unique<ProcessUsage>();
  started_.start();
  auto* process_timer = new QTimer(this);
  process_timer->setInterval(2000);
  connect(process_timer, &QTimer::timeout, this, &MonitorView::sampleProcess);
  process_timer->start();
  sampleProcess();
  connect(store_, &MetricsStore::runAdded, this, &MonitorView::onRunAdded);
  connect(store_, &MetricsStore::runUpdated, this, [this](const QString& key) {
    dirty_.insert(key);
    if (const StoredRun* run = store_->run(key)) run_list_->updateRun(*run);
    scheduleRedraw();
  });
  connect(run_list_, &MonitorRunList::removeRequested, this, [this](const QStringList& keys) {
    for (const QString& key : keys) store_->remove(key);
  });
  connect(store_, &MetricsStore::runRemoved, this, &MonitorView::onRunRemoved);
  connect(store_, &MetricsStore::runRestyled, this, [this](const QString& key) {
    if (const StoredRun* run = store_->run(key)) run_list_->updateRun(*run);
    rebuild_ = true;  // its series keep the name and colour they were made with
    scheduleRedraw();
  });
  connect(run_list_, &MonitorRunList::detailsRequested, this, &MonitorView::showDetails);
  connect(run_list_, &MonitorRunList::renameRequested, this, &MonitorView::renameRun);
  connect(run_list_, &MonitorRunList::samplesRequested, this, [this](const QString& key) {
    auto* dialog = new SampleDialog(key, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
  });
  connect(run_list_, &MonitorRunList::colourRequested, this, &MonitorView::chooseColour);
  connect(run_list_, &MonitorRunList::resetLookRequested, this,
          [this](const QString& key) { setLook(key, QString(), QColor()); });
  connect(x_mode_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setXAxisMode(static_cast<XAxisMode>(i)); });
  connect(log_y_, &QCheckBox::toggled, this, &MonitorView::setLogY);
  connect(group_seeds_, &QCheckBox::toggled, this, &MonitorView::setGroupSeeds);
  connect(smoothing_, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 1000.0); });
  connect(run_list_, &MonitorRunList::tickToggled, this, &MonitorView::setRunVisible);
  connect(export_button, &QPushButton::clicked, this, &MonitorView::exportDialog);
  // Linked x zoom (TensorBoard's and PlotJuggler's): zooming or dragging one chart of the same
  // steps moves the others with it, and a double-click resets them all. The SNLI tab's two
  // charts are linked among themselves.
  const auto link = [](std::initializer_list<plot::TimeSeriesChart*> charts) {
    const std::vector<plot::TimeSeriesChart*> group(charts);
    for (plot::TimeSeriesChart* c : group) {
      connect(c, &plot::TimeSeriesChart::userXRangeChanged, c, [c, group](const QCPRange& r) {
        for (plot::TimeSeriesChart* other : group) {
          if (other != c) other->followXRange(r);
        }
      });
      connect(c, &plot::TimeSeriesChart::viewResetByUser, c, [c, group] {
        for (plot::TimeSeriesChart* other : group) {
          if (other != c) other->resetView();
        }
      });
    }
  };
  link({loss_, ppl_, throughput_, lr_, grad_});
  link({snli_loss_, accuracy_});
  setLogY(true);
  for (const QString& key : store_->keys()) onRunAdded(key);
}

MonitorView::~MonitorView() = default;

void MonitorView::onRunAdded(const QString& key) {
  const StoredRun* run = store_->run(key);
  run_list_->addRun(*run, !hidden_.contains(key));
  dirty_.insert(key);
  rebuild_ = true;  // the reference lines and groups may change
  scheduleRedraw();
}

void MonitorView::onRunRemoved(const QString& key) {
  run_list_->removeRun(key);
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
  for (auto* c : {loss_, snli_loss_, grad_}) {
    c->setSmoothing(smoothing_weight_);
    c->refresh();
  }
}

double MonitorView::smoothing() const { return smoothing_weight_; }

void MonitorView::saveSettings(QSettings& settings) const {
  settings.setValue("monitor/runs", store_->keys());
  settings.setValue("monitor/hidden", QStringList(hidden_.begin(), hidden_.end()));
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
  // The runs the Monitor showed, read on the watcher's thread (a thousand-step history does not
  // hold up the start); a folder deleted since is left out.
  const QStringList hidden = settings.value("monitor/hidden").toStringList();
  for (const QString& key : settings.value("monitor/runs").toStringList()) {
    if (!QFileInfo::exists(key + "/config.json") && !QFileInfo::exists(key + "/metrics.jsonl"))
      continue;
    if (hidden.contains(key)) hidden_.insert(key);
    store_->openAsync(key);
  }
}

bool MonitorView::logY() const { return log_y_->isChecked(); }

void MonitorView::setLogY(bool on) {
  if (log_y_->isChecked() != on) log_y_->setChecked(on);
  loss_->setLogY(on);
  snli_loss_->setLogY(on);
  ppl_->setLogY(on);
}

void MonitorView::setGroupSeeds(bool on) {
  group_ = on;
  if (group_seeds_->isChecked() != on) group_seeds_->setChecked(on);
  rebuild_ = true;
  redraw();
}

void MonitorView::setRunVisible(const QString& key, bool visible) {
  run_list_->setTicked(key, visible);  // the tick follows (opening a run re-ticks it)
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

QString MonitorView::listText(const QString& key) const { return run_list_->text(key); }

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
  for (auto* c : {loss_, snli_loss_, ppl_, position_, throughput_, lr_, grad_, accuracy_})
    c->clearSeries();
  plotted_steps_.clear();
  for (auto* c : {loss_, snli_loss_, ppl_, throughput_, lr_, grad_, accuracy_})
    c->xAxis->setLabel(xLabel());
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
  if (rebuild_ || !dirty_.isEmpty()) {
    drawReferences();
    drawResumes();
    accuracy_panel_->drawShown(visibleRuns());
  }
  probes_->update(visibleRuns(), dirty_, rebuild_);
  dirty_.clear();
  rebuild_ = false;
  shareXRange();
  for (auto* c : {loss_, snli_loss_, ppl_, position_, throughput_, lr_, grad_, accuracy_})
    c->refresh();
}

void MonitorView::shareXRange() {
  // Train loss, evaluations, throughput, lr and gradient of the runs shown cover the same steps:
  // one x range for all (each still pads it for its end markers), so an evaluation at step 20
  // sits where step 20 of the loss does, and one evaluation does not squeeze its axis. The
  // SNLI tab's train loss and accuracy hold SNLI runs only and share their own range (a 60-step
  // SNLI run was squeezed into a tenth of the axis beside a Wikitext-2 run of 600).
  const std::initializer_list<plot::TimeSeriesChart*> charts = {loss_, ppl_, throughput_, lr_,
                                                                grad_};
  double lo = NAN, hi = NAN;
  for (plot::TimeSeriesChart* c : charts) {
    double a = 0, b = 0;
    if (!c->dataXRange(&a, &b)) continue;
    lo = std::isnan(lo) ? a : std::min(lo, a);
    hi = std::isnan(hi) ? b : std::max(hi, b);
  }
  for (plot::TimeSeriesChart* c : charts) c->setXExtent(lo, hi);
  double a = 0, b = 0, c = 0, d = 0;
  const bool has_loss = snli_loss_->dataXRange(&a, &b),
             has_accuracy = accuracy_->dataXRange(&c, &d);
  if (has_loss || has_accuracy) {
    const double from = has_loss && has_accuracy ? std::min(a, c) : has_loss ? a : c;
    const double to = has_loss && has_accuracy ? std::max(b, d) : has_loss ? b : d;
    snli_loss_->setXExtent(from, to);
    accuracy_->setXExtent(from, to);
  }
}

void MonitorView::drawCurves(const StoredRun& run) {
  const auto& steps = run.events.steps;
  int& done = plotted_steps_[run.key];
  if (done > static_cast<int>(steps.size())) {  // the store deduplicated a resume: redraw this run
    for (auto* c : {loss_, snli_loss_, throughput_, lr_, grad_}) c->removeSeries(run.key);
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
    // SNLI losses (about 1.1) have their own chart beside the accuracy: on one axis with
    // Wikitext-2 losses (about 6) neither could be read.
    (run.config.data.isSnli() ? snli_loss_ : loss_)
        ->appendPoints(run.key, run.name, run.color, x, loss);
    throughput_->appendPoints(run.key, run.name, run.color, x, speed);
    lr_->appendPoints(run.key, run.name, run.color, x, lr);
    grad_->appendPoints(run.key, run.name, run.color, x, grad);
    done = static_cast<int>(steps.size());
  }
  if (run.config.data.isSnli()) {
    accuracy_panel_->drawRun(run, [this](const EventBase& e) { return xOf(e); });
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

void MonitorView::drawGroups() {
  loss_->clearBands();
  snli_loss_->clearBands();
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
    plot::TimeSeriesChart* loss_chart = first.config.data.isSnli() ? snli_loss_ : loss_;
    if (!loss.steps.isEmpty())
      loss_chart->setBand(it.key(), label, first.color, xs(loss), loss.mean, loss.std);
    if (!ppl.steps.isEmpty())
      ppl_->setBand(it.key(), label, first.color, xs(ppl), ppl.mean, ppl.std);
  }
}

void MonitorView::drawReferences() {
  ppl_->clearReferenceLines();
  QSet<QString> drawn;
  QList<RunConfig> wikitext;
  bool snli = false;
  for (const StoredRun* r : visibleRuns()) {
    if (!r->has_config) continue;
    if (r->config.data.isSnli()) {
      snli = true;
      continue;
    }
    wikitext << r->config;
    for (const ReferenceLine& line : pplReferenceLines(*r)) {
      if (drawn.contains(line.label)) continue;
      drawn.insert(line.label);
      ppl_->addReferenceLine(line.label, line.value, line.color);
    }
  }
  // A line under the chart where a configuration shown has no reported number, naming those
  // that have one; and why a chart of the other task stays empty.
  ppl_->setNote(reportedPplNote(wikitext, reportedNumbers().wikitext2));
  const bool lm_shown = !wikitext.isEmpty();
  ppl_->setEmptyText(snli && !lm_shown
                         ? tr("no Wikitext-2 run shown: SNLI runs have accuracies instead")
                         : tr("no data yet"));
  loss_->setEmptyText(snli && !lm_shown
                          ? tr("no Wikitext-2 run shown: SNLI train losses are on the SNLI tab")
                          : tr("no data yet"));
  position_->setEmptyText(snli && !lm_shown ? tr("no Wikitext-2 run shown") : tr("no data yet"));
}

void MonitorView::drawResumes() {
  // Where each run shown was stopped and resumed (W&B's and TensorBoard's restart marks): a
  // curve that continues after a pause at the same step, or repeats steps a checkpoint lost.
  QVector<double> lm, snli;
  for (const StoredRun* r : visibleRuns()) {
    for (const ResumedEvent& e : r->events.resumes) (r->config.data.isSnli() ? snli : lm) << xOf(e);
  }
  const QColor grey(110, 110, 110);
  loss_->setMarkers(lm, grey, tr("resumed"));
  snli_loss_->setMarkers(snli, grey, tr("resumed"));
}

}  // namespace gwb::ui
