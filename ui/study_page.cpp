// StudyPage: the form, the plan on a worker, the followed study's report on a worker, the charts.
#include "ui/study_page.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <cmath>
#include <ctime>

#include "engine/config/recipes.h"
#include "engine/util/error.h"
#include "plotting/study_charts.h"
#include "ui/study_export.h"

namespace gwb::ui {
namespace {

QString seconds(double s) {
  const long v = std::lround(s);
  return v >= 3600 ? QObject::tr("%1 h %2 min").arg(v / 3600).arg((v / 60) % 60)
                   : QObject::tr("%1 min %2 s").arg(v / 60).arg(v % 60);
}


}  // namespace

StudyPage::StudyPage(QWidget* parent) : QWidget(parent) {
  // The ends: every recipe, and each of its sizes; a configuration file through "File…".
  QStringList ends;
  for (const std::string& name : recipeNames()) {
    bool any = false;
    for (const RecipePreset& p : recipePresets()) {
      if (p.recipe != name) continue;
      if (!any) ends << QString::fromStdString(name);
      any = true;
      const QString sized = QStringLiteral("%1-n%2-l%3")
                                .arg(QString::fromStdString(name))
                                .arg(p.n_layers)
                                .arg(p.seq_len);
      if (!ends.contains(sized)) ends << sized;
    }
  }
  const auto endBox = [&](const QString& name, const QString& initial) {
    auto* box = new QComboBox;
    box->setObjectName(name);
    box->setEditable(true);
    box->addItems(ends);
    box->setCurrentText(initial);
    box->setToolTip(tr("A recipe (its size: the other end's where it publishes one), a recipe "
                       "with a size, a preset or a configuration file"));
    return box;
  };
  a_ = endBox(QStringLiteral("study_a"), QStringLiteral("reference"));
  b_ = endBox(QStringLiteral("study_b"), QStringLiteral("kanenorman"));
  const auto fileButton = [this](QComboBox* box) {
    auto* button = new QPushButton(tr("File…"));
    connect(button, &QPushButton::clicked, this, [this, box] {
      const QString path = QFileDialog::getOpenFileName(this, tr("Configuration"), {},
                                                        tr("JSON (*.json)"));
      if (!path.isEmpty()) box->setCurrentText(path);
    });
    return button;
  };
  design_ = new QComboBox;
  design_->setObjectName(QStringLiteral("study_design"));
  design_->addItems({QStringLiteral("path"), QStringLiteral("factorial")});
  groups_ = new QListWidget;
  groups_->setObjectName(QStringLiteral("study_groups"));
  groups_->setDragDropMode(QAbstractItemView::InternalMove);
  groups_->setMaximumHeight(150);
  for (const study::SwitchGroup& g : study::switchGroups()) {
    auto* item = new QListWidgetItem(QString::fromStdString(g.name), groups_);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsDragEnabled);
    item->setCheckState(Qt::Unchecked);
    QStringList keys;
    for (const std::string& k : g.keys) keys << QString::fromStdString(k);
    item->setToolTip(keys.join('\n'));
  }
  orders_ = new QSpinBox;
  orders_->setRange(1, 50);
  orders_->setToolTip(tr("Orders to walk: the given one, its reverse, then random ones; the "
                         "spread of a group's contribution over orders measures interactions"));
  fraction_ = new QSpinBox;
  fraction_->setRange(0, 6);
  fraction_->setToolTip(tr("p of a 2^(k-p) fraction (resolution IV or more)"));
  seeds_ = new QSpinBox;
  seeds_->setObjectName(QStringLiteral("study_seeds"));
  seeds_->setRange(1, 20);
  seeds_->setValue(3);
  seeds_->setToolTip(tr("The same seeds in every cell; one seed gives no interval"));
  scale_ = new QComboBox;
  scale_->setObjectName(QStringLiteral("study_scale"));
  scale_->addItems({QStringLiteral("full"), QStringLiteral("small"), QStringLiteral("cpu")});
  scale_->setToolTip(tr("full: the recipes' sizes; small: d 128, a quarter of the epochs; cpu: "
                        "d 64, L 64, a step budget. Effects at a small scale need not hold at "
                        "full scale."));
  steps_ = new QSpinBox;
  steps_->setRange(1, 1000000);
  steps_->setValue(600);

  auto* form = new QFormLayout;
  auto* a_row = new QHBoxLayout;
  a_row->addWidget(a_, 1);
  a_row->addWidget(fileButton(a_));
  auto* b_row = new QHBoxLayout;
  b_row->addWidget(b_, 1);
  b_row->addWidget(fileButton(b_));
  form->addRow(tr("From (A)"), a_row);
  form->addRow(tr("To (B)"), b_row);
  form->addRow(tr("Design"), design_);
  auto* groups_hint = new QLabel(tr("Path: tick groups to fix their order (drag to reorder; none "
                                    "ticked: SPEC's order of those that differ). Factorial: tick "
                                    "the switches."));
  groups_hint->setWordWrap(true);
  groups_hint->setStyleSheet(QStringLiteral("color: #606060"));
  form->addRow(tr("Groups"), groups_);
  form->addRow(QString(), groups_hint);
  form->addRow(tr("Orders"), orders_);
  form->addRow(tr("Fraction p"), fraction_);
  form->addRow(tr("Seeds"), seeds_);
  form->addRow(tr("Scale"), scale_);
  form->addRow(tr("Steps (cpu)"), steps_);

  auto* plan_button = new QPushButton(tr("Plan"));
  plan_button->setObjectName(QStringLiteral("study_plan"));
  start_ = new QPushButton(QIcon(":/icons/start.png"), tr("Start here"));
  start_->setToolTip(tr("Write the study and queue its missing runs here"));
  submit_ = new QPushButton(tr("Submit to cluster"));
  submit_->setToolTip(tr("gwb study run --backend slurm: the missing runs as a job array"));
  auto* open = new QPushButton(tr("Open study…"));
  auto* exporting = new QPushButton(tr("Export…"));
  start_->setEnabled(false);
  submit_->setEnabled(false);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(plan_button);
  buttons->addWidget(start_);
  buttons->addWidget(submit_);
  buttons->addStretch(1);
  buttons->addWidget(open);
  buttons->addWidget(exporting);
  plan_label_ = new QLabel(tr("Choose two recipes and a design, then Plan."));
  plan_label_->setObjectName(QStringLiteral("study_plan_text"));
  plan_label_->setWordWrap(true);
  plan_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* left = new QWidget;
  auto* left_layout = new QVBoxLayout(left);
  left_layout->addLayout(form);
  left_layout->addLayout(buttons);
  left_layout->addWidget(plan_label_);
  left_layout->addStretch(1);

  study_label_ = new QLabel(tr("No study open."));
  study_label_->setWordWrap(true);
  study_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  cells_ = new QTableWidget;
  cells_->setObjectName(QStringLiteral("study_cells"));
  cells_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  cells_->setSelectionBehavior(QAbstractItemView::SelectRows);
  cells_->verticalHeader()->setVisible(false);
  cells_->horizontalHeader()->setStretchLastSection(true);
  waterfall_ = new plot::WaterfallChart;
  arch_ = new plot::IntervalBarChart;
  effects_ = new plot::IntervalBarChart;
  parallel_ = new plot::ParallelCoordinatesChart;
  auto* waterfall_tab = new QSplitter(Qt::Vertical);
  waterfall_tab->addWidget(waterfall_);
  waterfall_tab->addWidget(arch_);
  waterfall_tab->setStretchFactor(0, 3);
  waterfall_tab->setStretchFactor(1, 2);
  auto* parallel_tab = new QWidget;
  auto* parallel_layout = new QVBoxLayout(parallel_tab);
  parallel_layout->addWidget(parallel_, 1);
  open_selected_ = new QPushButton(tr("Open the kept runs in the Monitor"));
  open_selected_->setEnabled(false);
  parallel_layout->addWidget(open_selected_, 0, Qt::AlignRight);
  charts_ = new QTabWidget;
  charts_->addTab(waterfall_tab, tr("Waterfall"));
  charts_->addTab(effects_, tr("Effects"));
  charts_->addTab(parallel_tab, tr("Parallel coordinates"));
  auto* right = new QSplitter(Qt::Vertical);
  auto* top = new QWidget;
  auto* top_layout = new QVBoxLayout(top);
  top_layout->setContentsMargins(0, 0, 0, 0);
  top_layout->addWidget(study_label_);
  top_layout->addWidget(cells_, 1);
  right->addWidget(top);
  right->addWidget(charts_);
  right->setStretchFactor(1, 2);

  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(left);
  split->addWidget(right);
  split->setStretchFactor(1, 3);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(split);

  plan_watcher_ = new QFutureWatcher<Planned>(this);
  follow_watcher_ = new QFutureWatcher<Followed>(this);
  follow_timer_ = new QTimer(this);
  follow_timer_->setInterval(3000);
  connect(plan_watcher_, &QFutureWatcher<Planned>::finished, this,
          [this] { showPlan(plan_watcher_->result()); });
  connect(follow_watcher_, &QFutureWatcher<Followed>::finished, this,
          [this] { showReport(follow_watcher_->result()); });
  connect(follow_timer_, &QTimer::timeout, this, [this] {
    if (study_dir_.isEmpty() || follow_watcher_->isRunning()) return;
    follow_watcher_->setFuture(QtConcurrent::run(&StudyPage::computeReport, study_dir_));
  });
  connect(design_, &QComboBox::currentTextChanged, this, [this] { updateDesignControls(); });
  connect(scale_, &QComboBox::currentTextChanged, this, [this] { updateDesignControls(); });
  connect(plan_button, &QPushButton::clicked, this, [this] { plan(); });
  connect(start_, &QPushButton::clicked, this, [this] { startHere(); });
  connect(submit_, &QPushButton::clicked, this, [this] { submitToCluster(); });
  connect(open, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Open study"), runs_dir_.isEmpty() ? QString() : runs_dir_ + "/studies");
    QString error;
    if (!dir.isEmpty() && !openStudy(dir, &error)) say(error);
  });
  connect(exporting, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export study to"));
    if (dir.isEmpty()) return;
    QString error;
    const QStringList files = exportTo(dir, &error);
    say(error.isEmpty() ? tr("Wrote %n file(s) to %1", nullptr, files.size()).arg(dir) : error);
  });
  connect(parallel_, &plot::ParallelCoordinatesChart::selectionChanged, this,
          [this](const QVector<int>& lines) {
            open_selected_->setEnabled(!lines.isEmpty() && lines.size() < line_dirs_.size());
            open_selected_->setText(tr("Open the %n kept run pair(s) in the Monitor", nullptr,
                                       lines.size()));
          });
  connect(open_selected_, &QPushButton::clicked, this,
          [this] { emit openRunsRequested(selectedRunDirs()); });
  updateDesignControls();
}

StudyPage::~StudyPage() {
  plan_watcher_->waitForFinished();
  follow_watcher_->waitForFinished();
}

void StudyPage::setRunsDir(const QString& dir) { runs_dir_ = dir; }

void StudyPage::updateDesignControls() {
  const bool path = design_->currentText() == QLatin1String("path");
  orders_->setEnabled(path);
  fraction_->setEnabled(!path);
  steps_->setEnabled(scale_->currentText() == QLatin1String("cpu"));
}

study::StudyRequest StudyPage::request() const {
  study::StudyRequest r;
  r.design = design_->currentText().toStdString();
  r.a = a_->currentText().trimmed().toStdString();
  r.b = b_->currentText().trimmed().toStdString();
  std::vector<std::string> ticked;
  for (int i = 0; i < groups_->count(); ++i) {
    if (groups_->item(i)->checkState() == Qt::Checked)
      ticked.push_back(groups_->item(i)->text().toStdString());
  }
  (r.design == "path" ? r.order : r.switches) = ticked;
  r.orders = orders_->value();
  r.fraction = fraction_->value();
  r.seeds = seeds_->value();
  r.scale = scale_->currentText().toStdString();
  r.steps = steps_->value();
  return r;
}

void StudyPage::setRequest(const study::StudyRequest& r) {
  design_->setCurrentText(QString::fromStdString(r.design));
  a_->setCurrentText(QString::fromStdString(r.a));
  b_->setCurrentText(QString::fromStdString(r.b));
  const std::vector<std::string>& ticked = r.design == "path" ? r.order : r.switches;
  // The ticked groups first, in their order; the others after.
  for (int pos = 0; pos < static_cast<int>(ticked.size()); ++pos) {
    for (int i = 0; i < groups_->count(); ++i) {
      if (groups_->item(i)->text().toStdString() != ticked[pos]) continue;
      QListWidgetItem* item = groups_->takeItem(i);
      groups_->insertItem(pos, item);
      break;
    }
  }
  for (int i = 0; i < groups_->count(); ++i) {
    const std::string name = groups_->item(i)->text().toStdString();
    const bool on = std::find(ticked.begin(), ticked.end(), name) != ticked.end();
    groups_->item(i)->setCheckState(on ? Qt::Checked : Qt::Unchecked);
  }
  orders_->setValue(r.orders);
  fraction_->setValue(r.fraction);
  seeds_->setValue(r.seeds);
  scale_->setCurrentText(QString::fromStdString(r.scale));
  steps_->setValue(static_cast<int>(r.steps));
}

StudyPage::Planned StudyPage::computePlan(const study::StudyRequest& request,
                                          const QString& runs_dir, bool cuda) {
  Planned p;
  try {
    const study::StudyPlan plan = study::planStudy(request, cuda);
    const study::RunIndex index(runs_dir.toStdString());
    p.study = study::assignRuns(plan, runs_dir.toStdString(),
                                study::studyId(plan, std::time(nullptr)), index);
    p.estimate = study::estimateSeconds(study::runsToTrain(*p.study), index);
  } catch (const std::exception& e) {
    p.error = QString::fromUtf8(e.what());
  }
  return p;
}

void StudyPage::plan() {
  if (plan_watcher_->isRunning()) return;
  plan_label_->setText(tr("Planning… (reading the recipes and the runs folder)"));
  start_->setEnabled(false);
  submit_->setEnabled(false);
  plan_watcher_->setFuture(
      QtConcurrent::run(&StudyPage::computePlan, request(), runs_dir_, cuda_));
}

bool StudyPage::planNow() {
  showPlan(computePlan(request(), runs_dir_, cuda_));
  return planned_.has_value();
}

void StudyPage::showPlan(const Planned& p) {
  planned_ = p.study;
  estimate_ = p.estimate;
  plan_error_ = p.error;
  start_->setEnabled(planned_.has_value());
  submit_->setEnabled(planned_.has_value());
  plan_label_->setStyleSheet(p.error.isEmpty() ? QString() : QStringLiteral("color: #b00020"));
  plan_label_->setText(planText());
  emit planShown();
}

QString StudyPage::planText() const {
  if (!plan_error_.isEmpty()) return plan_error_;
  if (!planned_) return plan_label_->text();
  const study::Study& s = *planned_;
  const study::RunCounts counts = study::countRuns(s);
  QStringList factors;
  for (const study::Factor& f : s.plan.factors) {
    QStringList keys;
    for (const std::string& k : f.keys) keys << QString::fromStdString(k);
    factors << QStringLiteral("%1 (%2)").arg(QString::fromStdString(f.name), keys.join(", "));
  }
  QString text =
      tr("%1 from %2 to %3, scale %4: %5 cells x %6 seeds.\n%7 runs: %8 to train, %9 reused "
         "(finished runs of the same configuration and seed).\n")
          .arg(QString::fromStdString(s.plan.request.design),
               QString::fromStdString(s.plan.a.label), QString::fromStdString(s.plan.b.label),
               QString::fromStdString(s.plan.request.scale))
          .arg(s.plan.cells.size())
          .arg(s.plan.seeds.size())
          .arg(counts.total)
          .arg(counts.to_train)
          .arg(counts.reused);
  text += estimate_ ? tr("Expected: about %1 of training at the pace runs here measured.\n")
                          .arg(seconds(*estimate_))
                    : tr("Expected time: unknown until a run here has measured a pace.\n");
  text += (s.plan.request.design == "path" ? tr("Groups: ") : tr("Switches: ")) +
          factors.join(QStringLiteral("; "));
  if (s.plan.request.design == "factorial" && !s.plan.factorial.generators.empty())
    text += tr("\nFraction: %1, resolution %2")
                .arg(QString::fromStdString(s.plan.factorial.definingRelation()))
                .arg(s.plan.factorial.resolution);
  for (const std::string& n : s.plan.notes) text += QStringLiteral("\n• ") + QString::fromStdString(n);
  return text;
}

bool StudyPage::startHere() {
  if (!planned_) return false;
  study::Study s = *planned_;
  try {
    study::writeStudy(s);
  } catch (const std::exception& e) {
    say(QString::fromUtf8(e.what()));
    return false;
  }
  QList<RunConfig> configs;
  QStringList dirs;
  for (const study::RunToTrain& r : study::runsToTrain(s)) {
    configs << r.config;
    dirs << QString::fromStdString(r.dir);
  }
  const QString dir = QString::fromStdString(s.dir);
  if (!configs.isEmpty()) emit runsRequested(dir, configs, dirs);
  say(tr("Study %1: %n run(s) queued", nullptr, configs.size()).arg(QString::fromStdString(s.id)));
  planned_.reset();
  start_->setEnabled(false);
  submit_->setEnabled(false);
  QString error;
  openStudy(dir, &error);
  return true;
}

void StudyPage::submitToCluster() {
  if (!planned_) return;
  const study::Study s = *planned_;
  try {
    study::writeStudy(s);
  } catch (const std::exception& e) {
    say(QString::fromUtf8(e.what()));
    return;
  }
  auto* process = new QProcess(this);
  const QString dir = QString::fromStdString(s.dir);
  connect(process, &QProcess::finished, this, [this, process, dir](int code) {
    const QString err = QString::fromUtf8(process->readAllStandardError()).trimmed();
    say(code == 0 ? tr("Submitted: %1").arg(err.section('\n', -1))
                  : tr("Not submitted: %1").arg(err.section('\n', -1)));
    process->deleteLater();
    openStudy(dir);
  });
  process->start(QCoreApplication::applicationDirPath() + QStringLiteral("/gwb"),
                 {QStringLiteral("study"), QStringLiteral("run"), dir, QStringLiteral("--backend"),
                  QStringLiteral("slurm")});
  say(tr("Submitting %1 to the cluster…").arg(dir));
}

void StudyPage::say(const QString& text) { emit messageShown(text); }

}  // namespace gwb::ui
