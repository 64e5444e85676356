// CompareView.
#include "ui/compare_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>
#include <map>

#include "engine/config/config_diff.h"
#include "engine/runs/sources.h"
#include "plotting/bar_chart.h"
#include "ui/export_dialog.h"
#include "ui/reference_lines.h"

namespace gwb::ui {
namespace {

QString valueText(const QJsonValue& v) {
  if (v.isBool()) return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
  if (v.isDouble()) return QString::number(v.toDouble(), 'g', 10);
  if (v.isArray()) {
    QStringList items;
    for (const auto& item : v.toArray()) items << valueText(item);
    return QStringLiteral("[") + items.join(QStringLiteral(", ")) + QStringLiteral("]");
  }
  return v.toString();
}

QString gapText(double percent) {
  return std::isfinite(percent)
             ? QStringLiteral("%1%2%").arg(percent >= 0 ? "+" : "").arg(percent, 0, 'f', 1)
             : QString();
}

QString meanStd(const Stat& s, int decimals = 2) {
  if (s.n == 0) return {};
  return s.n > 1
             ? QStringLiteral("%1 ± %2").arg(s.mean, 0, 'f', decimals).arg(s.std, 0, 'f', decimals)
             : QString::number(s.mean, 'f', decimals);
}

}  // namespace

CompareView::CompareView(MetricsStore* store, QWidget* parent) : QWidget(parent), store_(store) {
  table_ = new QTableWidget;
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->setVisible(false);
  bars_ = new plot::BarChart;
  bars_->setValueLabel(tr("perplexity"));
  pairs_ = new QLabel;
  pairs_->setWordWrap(true);
  pairs_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* hint = new QLabel(
      tr("Select runs in the Runs tab and press Compare. Gap = (ours − reported) / reported; a "
         "run's own recipe's number comes first, the others' for the same size and tokens beside "
         "it. A run not finished is compared by its latest evaluations and marked *."));
  hint->setWordWrap(true);
  auto* export_button = new QPushButton(tr("Export comparison…"));
  auto* bar = new QHBoxLayout;
  bar->addWidget(hint, 1);
  bar->addWidget(export_button);
  auto* top = new QWidget;
  auto* top_layout = new QVBoxLayout(top);
  top_layout->setContentsMargins(0, 0, 0, 0);
  top_layout->addWidget(table_, 1);
  top_layout->addWidget(pairs_);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(top);
  split->addWidget(bars_);
  split->setSizes({240, 460});
  snli_table_ = new QTableWidget;
  snli_table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  snli_table_->verticalHeader()->setVisible(false);
  snli_bars_ = new plot::BarChart;
  snli_bars_->setValueLabel(tr("test accuracy (%)"));
  auto* snli_hint = new QLabel(
      tr("SNLI: accuracies in %, gaps in points (ours − reported). The paper's and the reference "
         "reproduction's numbers come from heads on a frozen DistilBERT (matched on backbone, "
         "head variant and architecture); from-scratch runs have none and compare with each "
         "other and with the majority class (34.3% on test). The reference heads are degenerate: "
         "Plücker(z, z) = 0."));
  snli_hint->setWordWrap(true);
  auto* snli_split = new QSplitter(Qt::Vertical);
  auto* snli_top = new QWidget;
  auto* snli_layout = new QVBoxLayout(snli_top);
  snli_layout->setContentsMargins(0, 0, 0, 0);
  snli_layout->addWidget(snli_hint);
  snli_layout->addWidget(snli_table_, 1);
  snli_split->addWidget(snli_top);
  snli_split->addWidget(snli_bars_);
  snli_split->setSizes({240, 460});
  tasks_ = new QTabWidget;
  tasks_->addTab(split, tr("Wikitext-2"));
  tasks_->addTab(snli_split, tr("SNLI"));
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addWidget(tasks_, 1);
  connect(export_button, &QPushButton::clicked, this, &CompareView::exportDialog);
  connect(store_, &MetricsStore::runUpdated, this, [this](const QString& key) {
    if (keys_.contains(key)) rebuild();
  });
}

void CompareView::setRuns(const QStringList& keys) {
  keys_ = keys;
  rebuild();
}

void CompareView::rebuild() {
  records_.clear();
  for (const QString& key : keys_) {
    const StoredRun* run = store_->run(key);
    if (run && run->has_config) records_.push_back(run->current());
  }
  rows_ = buildReport(records_, reportedNumbers().wikitext2);
  rebuildSnli(records_);
  // Keys that differ between the rows' configurations.
  std::vector<const RunConfig*> configs;
  for (const ReportRow& row : rows_) {
    for (const RunRecord& r : records_) {
      if (r.dir == row.run_dirs.front()) configs.push_back(&*r.config);
    }
  }
  differing_.clear();
  for (std::size_t i = 1; i < configs.size(); ++i) {
    for (const std::string& key :
         gwb::differingKeys(*configs.front(), *configs[i], DiffScope::Runs)) {
      if (key != "seed" && !differing_.contains(QString::fromStdString(key)))
        differing_ << QString::fromStdString(key);
    }
  }
  QStringList headers = {tr("Configuration")};
  headers << differing_;
  headers << QStringList{tr("Runs"),
                         tr("Status"),
                         tr("Recipe"),
                         tr("Corpus"),
                         tr("Parameters"),
                         tr("Best valid PPL"),
                         tr("Test PPL"),
                         tr("tokens/s (recent)"),
                         tr("Reported (its recipe)"),
                         tr("Gap"),
                         tr("Other reported (gap)")};
  table_->clear();
  table_->setColumnCount(headers.size());
  table_->setHorizontalHeaderLabels(headers);
  table_->setRowCount(static_cast<int>(rows_.size()));
  for (int i = 0; i < static_cast<int>(rows_.size()); ++i) {
    const ReportRow& row = rows_[i];
    const auto flat = flattenConfig(*configs[static_cast<std::size_t>(i)]);
    const QString mark = row.not_finished ? QStringLiteral(" *") : QString();
    QStringList cells = {
        QString::fromStdString(configLabel(row.arch, row.n_layers, row.seq_len, row.tokenizer))};
    for (const QString& key : differing_)
      cells << QString::fromStdString(flat.at(key.toStdString()));
    const ReportRow::Reference* own = nullptr;
    QStringList others;
    for (const auto& ref : row.references) {
      if (ref.own_recipe && !own) {
        own = &ref;
        continue;
      }
      others << QStringLiteral("%1 %2 (%3)")
                    .arg(QString::fromStdString(ref.label))
                    .arg(ref.value, 0, 'f', 2)
                    .arg(gapText(ref.gap_percent));
    }
    cells << QString::number(row.seeds.size()) +
                 (row.in_progress ? tr(" (%1 in progress: numbers so far)").arg(row.in_progress)
                                  : QString())
          << QString::fromStdString(row.statusText()) << QString::fromStdString(row.recipe)
          << (row.corpus == "v1" ? tr("v1, not the recipe's corpus")
                                 : QString::fromStdString(row.corpus))
          << QLocale().toString(static_cast<qlonglong>(row.params))
          << meanStd(row.best_valid_ppl) + mark << meanStd(row.test_ppl)
          << meanStd(row.tokens_per_s, 0)
          << (own ? QStringLiteral("%1 %2")
                        .arg(QString::fromStdString(own->label))
                        .arg(own->value, 0, 'f', 2)
                  : QString())
          << (own ? gapText(own->gap_percent) : QString()) << others.join(QStringLiteral("; "));
    for (int c = 0; c < cells.size(); ++c) table_->setItem(i, c, new QTableWidgetItem(cells[c]));
  }
  table_->resizeColumnsToContents();
  pairs_->setText(architectureGaps());
  const ComparisonBars data = comparisonBars(rows_);
  QStringList categories;
  for (const std::string& c : data.categories) categories << QString::fromStdString(c);
  bars_->setCategories(categories);
  for (std::size_t k = 0; k < data.sources.size(); ++k) {
    const SourceStyle style = sourceStyle(data.sources[k]);
    bars_->addSeries(
        style.source == "ours" ? tr("ours (best valid)") : QString::fromStdString(style.label),
        QVector<double>(data.values[k].begin(), data.values[k].end()), sourceColor(style.source));
  }
}

void CompareView::rebuildSnli(const std::vector<RunRecord>& records) {
  snli_rows_ = buildSnliReport(records, reportedNumbers().snli);
  const QStringList headers = {tr("Family"),
                               tr("Architecture"),
                               tr("Encoding"),
                               tr("Runs"),
                               tr("Trained parameters"),
                               tr("Best valid %"),
                               tr("Test %"),
                               tr("Test E / N / C %"),
                               tr("Paper val / test"),
                               tr("Gap vs paper"),
                               tr("Reproduction val / test"),
                               tr("Gap vs reproduction")};
  snli_table_->clear();
  snli_table_->setColumnCount(headers.size());
  snli_table_->setHorizontalHeaderLabels(headers);
  snli_table_->setRowCount(static_cast<int>(snli_rows_.size()));
  const auto pct = [](const Stat& s) { return meanStd(s); };
  const auto points = [](double p) {
    return std::isfinite(p) ? QStringLiteral("%1%2").arg(p >= 0 ? "+" : "").arg(p, 0, 'f', 2)
                            : QString();
  };
  for (int i = 0; i < static_cast<int>(snli_rows_.size()); ++i) {
    const SnliReportRow& row = snli_rows_[i];
    QStringList cells = {
        QString::fromStdString(row.family),
        QString::fromStdString(row.arch),
        QString::fromStdString(row.pair_encoding),
        QString::number(row.seeds.size()) +
            (row.not_finished ? tr(" (%1 not finished: numbers so far)").arg(row.not_finished)
                              : QString()),
        QLocale().toString(static_cast<qlonglong>(row.params)),
        pct(row.best_valid_accuracy),
        pct(row.test_accuracy),
        row.test_per_class[0].n ? QStringLiteral("%1 / %2 / %3")
                                      .arg(row.test_per_class[0].mean, 0, 'f', 1)
                                      .arg(row.test_per_class[1].mean, 0, 'f', 1)
                                      .arg(row.test_per_class[2].mean, 0, 'f', 1)
                                : QString()};
    for (const char* source : {"paper", "reproduction"}) {
      QString value, gap;
      for (const auto& ref : row.references) {
        if (ref.source != source) continue;
        value = QStringLiteral("%1 / %2").arg(ref.val, 0, 'f', 2).arg(ref.test, 0, 'f', 2);
        gap = points(ref.gap_test);
      }
      cells << value << gap;
    }
    for (int c = 0; c < cells.size(); ++c)
      snli_table_->setItem(i, c, new QTableWidgetItem(cells[c]));
  }
  snli_table_->resizeColumnsToContents();
  const SnliComparisonBars data = snliComparisonBars(snli_rows_);
  QStringList categories;
  for (const std::string& c : data.categories) categories << QString::fromStdString(c);
  snli_bars_->setCategories(categories);
  for (std::size_t k = 0; k < data.sources.size(); ++k) {
    const SourceStyle style = sourceStyle(data.sources[k]);
    snli_bars_->addSeries(
        style.source == "ours" ? tr("ours (test)") : QString::fromStdString(style.label),
        QVector<double>(data.values[k].begin(), data.values[k].end()), sourceColor(style.source));
  }
  // Show the task the compared runs are about.
  if (!snli_rows_.empty() && rows_.empty()) tasks_->setCurrentIndex(1);
  if (snli_rows_.empty() && !rows_.empty()) tasks_->setCurrentIndex(0);
}

QString CompareView::architectureGaps() const {
  // Rows that differ only in the architecture: the gap the paper is about.
  QStringList lines;
  for (const PairGap& pair : pairGaps(rows_, records_)) {
    const ReportRow& g = rows_[pair.grassmann];
    QString line =
        tr("Grassmann vs Transformer, N%1 L%2 %3%4: %5 validation perplexity (%6)")
            .arg(g.n_layers)
            .arg(g.seq_len)
            .arg(QString::fromStdString(g.tokenizer))
            .arg(g.recipe.empty() ? QString()
                                  : tr(", recipe %1").arg(QString::fromStdString(g.recipe)))
            .arg(gapText(pair.gap_percent))
            .arg(QString::fromStdString(pair.note));
    QStringList reported;
    for (const auto& r : pair.reported)
      reported << QStringLiteral("%1 %2").arg(QString::fromStdString(r.label),
                                              gapText(r.gap_percent));
    if (!reported.isEmpty()) line += tr("; reported: ") + reported.join(QStringLiteral(", "));
    lines << line;
  }
  return lines.join('\n');
}

QStringList CompareView::exportTo(const QString& dir, const ExportOptions& options) const {
  QList<const StoredRun*> runs;
  for (const QString& key : keys_) {
    if (const StoredRun* r = store_->run(key)) runs << r;
  }
  return exportComparisonFiles(runs, dir, options);
}

void CompareView::exportDialog() {
  QList<const StoredRun*> runs;
  for (const QString& key : keys_) {
    if (const StoredRun* r = store_->run(key)) runs << r;
  }
  if (runs.isEmpty()) return;
  // The Monitor's export dialog (a typed folder that does not exist yet is created), with the
  // comparison ticked and the runs' own charts offered but not ticked.
  ExportDialog dialog(runs, this);
  dialog.setWindowTitle(tr("Export comparison"));
  for (const QString& name : dialog.chartNames()) dialog.setChartTicked(name, false);
  if (dialog.exec() != QDialog::Accepted) return;
  const ExportDialog::Choice choice = dialog.choice();
  QList<const StoredRun*> chosen;
  for (const StoredRun* r : runs) {
    if (choice.run_keys.contains(r->key)) chosen << r;
  }
  try {
    const QStringList files =
        choice.options.charts.isEmpty()
            ? exportComparisonFiles(chosen, choice.dir, choice.options)
            : exportRuns(chosen, choice.dir, choice.options, choice.comparison);
    QMessageBox::information(this, tr("Export"),
                             tr("%1 files written to %2").arg(files.size()).arg(choice.dir));
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Export failed"), QString::fromUtf8(e.what()));
  }
}

}  // namespace gwb::ui
