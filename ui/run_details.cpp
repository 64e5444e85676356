// RunDetailsDialog and the run log.
#include "ui/run_details.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <set>

#include "engine/config/config_diff.h"
#include "engine/runs/run_numbers.h"

namespace gwb::ui {
namespace {

QString fromStd(const std::string& s) { return QString::fromStdString(s); }

QString number(double v) { return QString::number(v, 'g', 6); }

// A log message of the trainer's own, by what it says.
QString kindOfMessage(const QString& message) {
  if (message.startsWith(QLatin1String("stopped"))) return QStringLiteral("stopped");
  if (message.startsWith(QLatin1String("resumed"))) return QStringLiteral("resumed");
  if (message.contains(QLatin1String("warning"), Qt::CaseInsensitive))
    return QStringLiteral("warning");
  return QStringLiteral("log");
}

QTableWidgetItem* cell(const QString& text) {
  auto* item = new QTableWidgetItem(text);
  item->setFlags(item->flags() & ~Qt::ItemIsEditable);
  return item;
}

}  // namespace

QList<RunLogLine> runLog(const RunRecord& record, const MetricsEvents& events) {
  QList<RunLogLine> lines;
  if (!events.steps.empty() || !events.evals.empty()) {
    const double t = events.steps.empty() ? 0 : events.steps.front().time;
    lines << RunLogLine{std::min(0.0, t), 0, QStringLiteral("started"),
                        QObject::tr("started (%1)").arg(fromStd(record.folder))};
  }
  // Paths inside the run's folder as the folder's own (checkpoints/best.safetensors).
  const std::string inside = record.dir + "/";
  const auto relative = [&](const std::string& path) {
    return fromStd(path.rfind(inside, 0) == 0 ? path.substr(inside.size()) : path);
  };
  for (const ResumedEvent& r : events.resumes) {
    lines << RunLogLine{r.time, r.step, QStringLiteral("resumed"),
                        r.checkpoint.empty() ? QObject::tr("started over (no checkpoint)")
                                             : QObject::tr("resumed from step %1 (%2)")
                                                   .arg(r.from_step)
                                                   .arg(relative(r.checkpoint))};
  }
  for (const LogEvent& l : events.logs) {
    const QString message = fromStd(l.message);
    // "resumed ..." messages of older runs are also resumed events: said once.
    if (message.startsWith(QLatin1String("resumed")) && !events.resumes.empty()) continue;
    lines << RunLogLine{l.time, l.step, kindOfMessage(message), message};
  }
  for (const EvalEvent& e : events.evals) {
    const QString what =
        e.classification
            ? QObject::tr("%1: accuracy %2 %, loss %3")
                  .arg(fromStd(e.split), QString::number(100 * e.accuracy, 'f', 2), number(e.loss))
            : QObject::tr("%1: perplexity %2, loss %3")
                  .arg(fromStd(e.split), QString::number(e.ppl, 'f', 2), number(e.loss));
    lines << RunLogLine{e.time, e.step, QStringLiteral("eval"), what};
  }
  for (const SpikeEvent& s : events.spikes) {
    lines << RunLogLine{
        s.time, s.step, QStringLiteral("spike"),
        QObject::tr("%1 spike: %2 times its running mean (loss %3, gradient "
                    "norm %4)")
            .arg(fromStd(s.what), number(s.ratio), number(s.loss), number(s.grad_norm))};
  }
  for (const CheckpointEvent& c : events.checkpoints) {
    lines << RunLogLine{
        c.time, c.step, QStringLiteral("checkpoint"),
        QObject::tr("%1 checkpoint saved: %2").arg(fromStd(c.kind), relative(c.path))};
  }
  if (events.failed) {
    lines << RunLogLine{events.failed->time, events.failed->step, QStringLiteral("failed"),
                        fromStd(events.failed->error)};
  }
  if (events.finished) {
    lines << RunLogLine{events.finished->time, events.finished->step, QStringLiteral("finished"),
                        QObject::tr("finished (%1)").arg(fromStd(events.finished->summary.status))};
  }
  std::stable_sort(lines.begin(), lines.end(), [](const RunLogLine& a, const RunLogLine& b) {
    return a.time < b.time || (a.time == b.time && a.step < b.step);
  });
  // What the reader found wrong with the files, after the events.
  for (const std::string& w : record.warnings)
    lines << RunLogLine{NAN, -1, QStringLiteral("warning"), fromStd(w)};
  if (events.skipped_lines > static_cast<std::int64_t>(record.warnings.size())) {
    lines << RunLogLine{
        NAN, -1, QStringLiteral("warning"),
        QObject::tr("%1 malformed metrics lines skipped in all").arg(events.skipped_lines)};
  }
  if (!record.problem.empty())
    lines << RunLogLine{NAN, -1, QStringLiteral("warning"), fromStd(record.problem)};
  return lines;
}

RunDetailsDialog::RunDetailsDialog(const QStringList& dirs, QWidget* parent) : QDialog(parent) {
  QStringList names;
  for (const QString& dir : dirs) {
    RunReader reader(dir.toStdString(), /*keep_events=*/true);
    reader.poll();
    records_ << reader.record();
    events_ << reader.events();
    names << fromStd(reader.record().name());
  }
  setWindowTitle(dirs.size() == 1 ? tr("Run details: %1").arg(names.front())
                                  : tr("Configurations of %1 runs").arg(dirs.size()));

  config_ = new QTableWidget;
  config_->verticalHeader()->setVisible(false);
  config_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  config_->horizontalHeader()->setStretchLastSection(true);
  only_diff_ = new QCheckBox(tr("only the keys that differ"));
  only_diff_->setChecked(dirs.size() > 1);
  only_diff_->setVisible(dirs.size() > 1);
  auto* config_page = new QWidget;
  auto* config_layout = new QVBoxLayout(config_page);
  auto* where = new QLabel(dirs.join('\n'));
  where->setTextInteractionFlags(Qt::TextSelectableByMouse);
  config_layout->addWidget(where);
  config_layout->addWidget(only_diff_);
  config_layout->addWidget(config_, 1);

  log_ = new QTableWidget(0, 4);
  log_->setHorizontalHeaderLabels({tr("time"), tr("step"), tr("what"), tr("message")});
  log_->verticalHeader()->setVisible(false);
  log_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  log_->horizontalHeader()->setStretchLastSection(true);
  log_run_ = new QComboBox;
  for (int i = 0; i < names.size(); ++i) log_run_->addItem(names[i], dirs[i]);
  log_run_->setVisible(dirs.size() > 1);
  auto* log_page = new QWidget;
  auto* log_layout = new QVBoxLayout(log_page);
  log_layout->addWidget(log_run_);
  log_layout->addWidget(log_, 1);

  auto* tabs = new QTabWidget;
  tabs->addTab(config_page, tr("Configuration"));
  tabs->addTab(log_page, tr("Log"));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(tabs, 1);
  layout->addWidget(buttons);
  resize(820, 620);

  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(only_diff_, &QCheckBox::toggled, this, [this] { fillConfig(); });
  connect(log_run_, &QComboBox::currentIndexChanged, this, &RunDetailsDialog::showLogOf);
  fillConfig();
  showLogOf(0);
}

void RunDetailsDialog::setOnlyDifferences(bool on) { only_diff_->setChecked(on); }

void RunDetailsDialog::fillConfig() {
  // Every key of every run's resolved configuration; a key a run lacks (an older run) is "—".
  std::vector<std::map<std::string, std::string>> flat;
  std::set<std::string> keys;
  QStringList headers{tr("key")};
  for (const RunRecord& r : records_) {
    flat.push_back(r.config ? flattenConfig(*r.config) : std::map<std::string, std::string>{});
    for (const auto& [k, v] : flat.back()) keys.insert(k);
    headers << fromStd(r.name());
  }
  config_->clear();
  config_->setColumnCount(static_cast<int>(headers.size()));
  config_->setHorizontalHeaderLabels(headers);
  config_->setRowCount(0);
  const QColor differs(255, 236, 179);
  for (const std::string& key : keys) {
    QStringList values;
    for (const auto& f : flat) {
      const auto it = f.find(key);
      values << (it == f.end() ? QStringLiteral("—") : fromStd(it->second));
    }
    const bool differ = std::any_of(values.begin(), values.end(),
                                    [&](const QString& v) { return v != values.front(); });
    if (only_diff_->isChecked() && !differ) continue;
    const int row = config_->rowCount();
    config_->insertRow(row);
    config_->setItem(row, 0, cell(fromStd(key)));
    for (int c = 0; c < values.size(); ++c) {
      QTableWidgetItem* item = cell(values[c]);
      if (differ) item->setBackground(differs);
      config_->setItem(row, c + 1, item);
    }
  }
  config_->resizeColumnsToContents();
}

void RunDetailsDialog::showLogOf(int index) {
  if (index < 0 || index >= records_.size()) return;
  if (log_run_->currentIndex() != index) log_run_->setCurrentIndex(index);
  const QList<RunLogLine> lines = runLog(records_[index], events_[index]);
  log_->setRowCount(0);
  for (const RunLogLine& l : lines) {
    const int row = log_->rowCount();
    log_->insertRow(row);
    log_->setItem(row, 0, cell(std::isnan(l.time) ? QString() : QString::number(l.time, 'f', 1)));
    log_->setItem(row, 1, cell(l.step < 0 ? QString() : QString::number(l.step)));
    QTableWidgetItem* kind = cell(l.kind);
    if (l.kind == "failed" || l.kind == "warning") kind->setForeground(QColor(180, 40, 40));
    if (l.kind == "stopped" || l.kind == "resumed") kind->setForeground(QColor(30, 90, 170));
    log_->setItem(row, 2, kind);
    log_->setItem(row, 3, cell(l.text));
  }
  log_->resizeColumnsToContents();
}

}  // namespace gwb::ui
