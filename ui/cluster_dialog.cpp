// ClusterSubmitDialog.
#include "ui/cluster_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include "engine/util/paths.h"

namespace gwb::ui {

ClusterSubmitDialog::ClusterSubmitDialog(const QString& runs_dir, QWidget* parent)
    : QDialog(parent), runs_dir_(runs_dir) {
  setWindowTitle(tr("Submit a sweep to the cluster"));
  unavailable_ = QString::fromStdString(cluster::submitUnavailable());
  task_ = new QComboBox;
  task_->addItems({"wikitext2", "snli"});
  family_ = new QComboBox;
  seeds_ = new QSpinBox;
  seeds_->setRange(1, 100);
  sets_ = new QLineEdit;
  sets_->setPlaceholderText(tr("e.g. train.epochs=1 train.max_steps=500"));
  sets_->setToolTip(
      tr("Overrides applied to every configuration (a.b=VALUE, separated by spaces)"));
  partition_ = new QLineEdit;
  partition_->setPlaceholderText(tr("the cluster's default"));
  gpus_ = new QSpinBox;
  gpus_->setRange(0, 16);
  gpus_->setSpecialValueText(tr("none"));
  gpus_->setToolTip(tr("GPUs per task (--gres=gpu:N)"));
  time_ = new QLineEdit;
  time_->setPlaceholderText(tr("HH:MM:SS, the partition's limit if empty"));
  time_->setToolTip(
      tr("Time limit per task; two minutes before it, a task stops with a "
         "checkpoint and can be resubmitted to continue"));
  account_ = new QLineEdit;
  account_->setPlaceholderText(tr("your default account"));
  cpus_ = new QSpinBox;
  cpus_->setRange(0, 256);
  cpus_->setSpecialValueText(tr("default"));
  mem_ = new QLineEdit;
  mem_->setPlaceholderText(tr("e.g. 32G"));
  setup_ = new QPlainTextEdit;
  setup_->setPlaceholderText(tr("Lines run before gwb on the node, e.g. module load cuda"));
  setup_->setMaximumHeight(70);

  auto* form = new QFormLayout;
  form->addRow(tr("Task"), task_);
  form->addRow(tr("Preset family"), family_);
  form->addRow(tr("Seeds"), seeds_);
  form->addRow(tr("Overrides"), sets_);
  form->addRow(tr("Partition"), partition_);
  form->addRow(tr("GPUs per task"), gpus_);
  form->addRow(tr("Time limit"), time_);
  form->addRow(tr("Account"), account_);
  form->addRow(tr("CPUs per task"), cpus_);
  form->addRow(tr("Memory per task"), mem_);
  form->addRow(tr("Set-up"), setup_);
  form->addRow(tr("Runs folder"), new QLabel(runs_dir_));

  preview_ = new QPlainTextEdit;
  preview_->setReadOnly(true);
  preview_->setLineWrapMode(QPlainTextEdit::NoWrap);
  preview_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  preview_->setMinimumWidth(560);
  status_ = new QLabel;
  status_->setWordWrap(true);

  auto* buttons = new QDialogButtonBox;
  submit_ = buttons->addButton(tr("Submit"), QDialogButtonBox::AcceptRole);
  write_ = buttons->addButton(tr("Write files only"), QDialogButtonBox::AcceptRole);
  write_->setToolTip(tr("Write the script and the configurations, submit nothing"));
  buttons->addButton(QDialogButtonBox::Cancel);
  connect(submit_, &QPushButton::clicked, this, [this] {
    submit_chosen_ = true;
    saveSettings();
    accept();
  });
  connect(write_, &QPushButton::clicked, this, [this] {
    submit_chosen_ = false;
    saveSettings();
    accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* left = new QVBoxLayout;
  left->addLayout(form);
  left->addStretch(1);
  auto* right = new QVBoxLayout;
  right->addWidget(new QLabel(tr("The job script (one array task per configuration x seed)")));
  right->addWidget(preview_, 1);
  auto* columns = new QHBoxLayout;
  columns->addLayout(left, 2);
  columns->addLayout(right, 3);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(columns, 1);
  layout->addWidget(status_);
  layout->addWidget(buttons);

  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(150);
  connect(debounce_, &QTimer::timeout, this, &ClusterSubmitDialog::updatePreview);
  const auto changed = [this] { debounce_->start(); };
  connect(task_, &QComboBox::currentTextChanged, this, [this, changed] {
    fillFamilies();
    changed();
  });
  connect(family_, &QComboBox::currentTextChanged, this, changed);
  connect(seeds_, &QSpinBox::valueChanged, this, changed);
  connect(gpus_, &QSpinBox::valueChanged, this, changed);
  connect(cpus_, &QSpinBox::valueChanged, this, changed);
  for (QLineEdit* e : {sets_, partition_, time_, account_, mem_})
    connect(e, &QLineEdit::textChanged, this, changed);
  connect(setup_, &QPlainTextEdit::textChanged, this, changed);

  loadSettings();
  updatePreview();
  resize(1100, 640);
}

void ClusterSubmitDialog::fillFamilies() {
  const QString keep = family_->currentText();
  const QSignalBlocker block(family_);
  family_->clear();
  for (const std::string& f : sweepFamilies(task_->currentText().toStdString()))
    family_->addItem(QString::fromStdString(f));
  if (family_->findText(keep) >= 0) family_->setCurrentText(keep);
}

SweepSubmission ClusterSubmitDialog::submission() const {
  SweepSubmission s;
  s.request.task = task_->currentText().toStdString();
  s.request.family = family_->currentText().toStdString();
  s.request.seeds = seeds_->value();
  for (const QString& set : sets_->text().split(' ', Qt::SkipEmptyParts))
    s.request.sets.push_back(set.toStdString());
  s.options.partition = partition_->text().trimmed().toStdString();
  s.options.gres = gpus_->value() > 0 ? "gpu:" + std::to_string(gpus_->value()) : "";
  s.options.time = time_->text().trimmed().toStdString();
  s.options.account = account_->text().trimmed().toStdString();
  s.options.cpus_per_task = cpus_->value();
  s.options.mem = mem_->text().trimmed().toStdString();
  for (const QString& line : setup_->toPlainText().split('\n', Qt::SkipEmptyParts))
    s.options.setup.push_back(line.toStdString());
  s.runs_dir = runs_dir_;
  s.submit = submit_chosen_ && unavailable_.isEmpty();
  return s;
}

QString ClusterSubmitDialog::script() const { return script_; }
QString ClusterSubmitDialog::problem() const { return problem_; }

void ClusterSubmitDialog::updatePreview() {
  debounce_->stop();
  const SweepSubmission s = submission();
  script_.clear();
  problem_.clear();
  try {
    const SweepPlan plan = planSweep(s.request);
    const cluster::Sweep sweep =
        cluster::makeSweep(plan, runs_dir_.toStdString(), s.options, executableDir() + "/gwb");
    script_ = QString::fromStdString(cluster::sbatchScript(sweep));
  } catch (const std::exception& e) {
    problem_ = QString::fromUtf8(e.what());
  }
  preview_->setPlainText(problem_.isEmpty() ? script_ : problem_);
  status_->setText(!problem_.isEmpty() ? problem_ : unavailable_);
  status_->setStyleSheet(problem_.isEmpty() && unavailable_.isEmpty() ? QString()
                                                                      : "color: #b00020");
  submit_->setEnabled(problem_.isEmpty() && unavailable_.isEmpty());
  submit_->setToolTip(unavailable_);
  write_->setEnabled(problem_.isEmpty());
}

QWidget* ClusterSubmitDialog::field(const QString& key) const {
  const QMap<QString, QWidget*> fields = {
      {"task", task_},           {"family", family_}, {"seeds", seeds_}, {"sets", sets_},
      {"partition", partition_}, {"gpus", gpus_},     {"time", time_},   {"account", account_},
      {"cpus", cpus_},           {"mem", mem_},       {"setup", setup_}};
  return fields.value(key);
}

void ClusterSubmitDialog::loadSettings() {
  QSettings settings;
  settings.beginGroup("cluster");
  task_->setCurrentText(settings.value("task", "wikitext2").toString());
  fillFamilies();
  family_->setCurrentText(settings.value("family", family_->itemText(0)).toString());
  seeds_->setValue(settings.value("seeds", 1).toInt());
  sets_->setText(settings.value("sets").toString());
  partition_->setText(settings.value("partition").toString());
  gpus_->setValue(settings.value("gpus", 1).toInt());
  time_->setText(settings.value("time").toString());
  account_->setText(settings.value("account").toString());
  cpus_->setValue(settings.value("cpus", 0).toInt());
  mem_->setText(settings.value("mem").toString());
  setup_->setPlainText(settings.value("setup").toString());
}

void ClusterSubmitDialog::saveSettings() const {
  QSettings settings;
  settings.beginGroup("cluster");
  settings.setValue("task", task_->currentText());
  settings.setValue("family", family_->currentText());
  settings.setValue("seeds", seeds_->value());
  settings.setValue("sets", sets_->text());
  settings.setValue("partition", partition_->text());
  settings.setValue("gpus", gpus_->value());
  settings.setValue("time", time_->text());
  settings.setValue("account", account_->text());
  settings.setValue("cpus", cpus_->value());
  settings.setValue("mem", mem_->text());
  settings.setValue("setup", setup_->toPlainText());
}

}  // namespace gwb::ui
