// CompareView.
#include "ui/compare_view.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
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

#include "engine/util/paths.h"
#include "plotting/bar_chart.h"

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

// "section.key" -> value text of a configuration, without what never defines an experiment.
std::map<QString, QString> flatten(const RunConfig& config) {
  std::map<QString, QString> out;
  const QJsonObject root =
      QJsonDocument::fromJson(QByteArray::fromStdString(runConfigToJson(config))).object();
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (it.value().isObject()) {
      const QJsonObject section = it.value().toObject();
      for (auto k = section.begin(); k != section.end(); ++k) {
        out[it.key() + '.' + k.key()] = valueText(k.value());
      }
    }
  }
  for (const char* skip : {"train.device", "train.threads"}) out.erase(skip);
  return out;
}

QString meanStd(const Stat& s, int decimals = 2) {
  if (s.n == 0) return {};
  return s.n > 1
             ? QStringLiteral("%1 ± %2").arg(s.mean, 0, 'f', decimals).arg(s.std, 0, 'f', decimals)
             : QString::number(s.mean, 'f', decimals);
}

}  // namespace

CompareView::CompareView(MetricsStore* store, QWidget* parent) : QWidget(parent), store_(store) {
  try {
    reported_ = loadReportedNumbers(reportedNumbersPath());
    reported_snli_ = loadReportedSnli(reportedNumbersPath());
  } catch (const std::exception&) {
  }
  table_ = new QTableWidget;
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->setVisible(false);
  bars_ = new plot::BarChart;
  bars_->setValueLabel(tr("perplexity"));
  pairs_ = new QLabel;
  pairs_->setWordWrap(true);
  pairs_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* hint = new QLabel(
      tr("Select runs in the Runs tab and press Compare. Gap = (ours − reported) / reported; "
         "the paper's and the reference reproduction's numbers are validation perplexities with "
         "BERT tokens, Arledge's are test perplexities with GPT-2 tokens."));
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
  std::vector<RunRecord> records;
  for (const QString& key : keys_) {
    const StoredRun* run = store_->run(key);
    if (run && run->has_config) records.push_back(recordOf(*run));
  }
  rows_ = buildReport(records, reported_);
  rebuildSnli(records);
  // Keys that differ between the rows' configurations.
  differing_.clear();
  std::vector<std::map<QString, QString>> flat;
  for (const ReportRow& row : rows_) {
    for (const RunRecord& r : records) {
      if (r.dir == row.run_dirs.front()) flat.push_back(flatten(r.config));
    }
  }
  if (flat.size() > 1) {
    for (const auto& [key, value] : flat.front()) {
      for (const auto& other : flat) {
        if (other.at(key) != value) {
          differing_ << key;
          break;
        }
      }
    }
  }
  QStringList headers = {tr("Configuration")};
  headers << differing_;
  headers << QStringList{tr("Runs"),           tr("Parameters"),    tr("Best valid PPL"),
                         tr("Test PPL"),       tr("tokens/s"),      tr("Paper"),
                         tr("Gap vs paper"),   tr("Reproduction"),  tr("Gap vs reproduction"),
                         tr("Arledge (test)"), tr("Gap vs Arledge")};
  table_->clear();
  table_->setColumnCount(headers.size());
  table_->setHorizontalHeaderLabels(headers);
  table_->setRowCount(static_cast<int>(rows_.size()));
  QStringList categories;
  QVector<double> ours, paper, repro, arledge;
  for (int i = 0; i < static_cast<int>(rows_.size()); ++i) {
    const ReportRow& row = rows_[i];
    const QString label =
        QString::fromStdString(configLabel(row.arch, row.n_layers, row.seq_len, row.tokenizer));
    categories << label;
    QStringList cells = {label};
    for (const QString& key : differing_) cells << flat[i].at(key);
    cells << QString::number(row.seeds.size()) +
                 (row.in_progress ? tr(" (%1 in progress: numbers so far)").arg(row.in_progress)
                                  : QString())
          << QLocale().toString(static_cast<qlonglong>(row.params)) << meanStd(row.best_valid_ppl)
          << meanStd(row.test_ppl) << meanStd(row.tokens_per_s, 0);
    double values[3] = {NAN, NAN, NAN};
    const char* sources[3] = {"paper", "reproduction", "arledge"};
    for (int s = 0; s < 3; ++s) {
      QString value, gap;
      for (const auto& ref : row.references) {
        if (ref.source != sources[s]) continue;
        values[s] = ref.value;
        value = QString::number(ref.value, 'f', 2);
        gap = std::isfinite(ref.gap_percent) ? QStringLiteral("%1%2%")
                                                   .arg(ref.gap_percent >= 0 ? "+" : "")
                                                   .arg(ref.gap_percent, 0, 'f', 1)
                                             : QString();
      }
      cells << value << gap;
    }
    for (int c = 0; c < cells.size(); ++c) table_->setItem(i, c, new QTableWidgetItem(cells[c]));
    ours << (row.best_valid_ppl.n ? row.best_valid_ppl.mean : NAN);
    paper << values[0];
    repro << values[1];
    arledge << values[2];
  }
  table_->resizeColumnsToContents();
  pairs_->setText(architectureGaps());
  bars_->setCategories(categories);
  bars_->addSeries(tr("ours (best valid)"), ours, QColor(0x4e, 0x79, 0xa7));
  bars_->addSeries(tr("paper"), paper, QColor(0xb0, 0x30, 0x30));
  bars_->addSeries(tr("reproduction"), repro, QColor(0x30, 0x50, 0xa0).lighter(150));
  bars_->addSeries(tr("Arledge (test)"), arledge, QColor(0x90, 0x90, 0x90));
}

void CompareView::rebuildSnli(const std::vector<RunRecord>& records) {
  snli_rows_ = buildSnliReport(records, reported_snli_);
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
  QStringList categories;
  QVector<double> ours, paper, repro;
  for (int i = 0; i < static_cast<int>(snli_rows_.size()); ++i) {
    const SnliReportRow& row = snli_rows_[i];
    bool running = false;
    for (bool b : row.in_progress) running = running || b;
    QStringList cells = {
        QString::fromStdString(row.family),
        QString::fromStdString(row.arch),
        QString::fromStdString(row.pair_encoding),
        QString::number(row.seeds.size()) + (running ? tr(" (in progress)") : QString()),
        QLocale().toString(static_cast<qlonglong>(row.params)),
        pct(row.best_valid_accuracy),
        pct(row.test_accuracy),
        row.test_per_class[0].n ? QStringLiteral("%1 / %2 / %3")
                                      .arg(row.test_per_class[0].mean, 0, 'f', 1)
                                      .arg(row.test_per_class[1].mean, 0, 'f', 1)
                                      .arg(row.test_per_class[2].mean, 0, 'f', 1)
                                : QString()};
    double per_source[2][4];
    for (auto& r : per_source)
      for (double& v : r) v = NAN;
    const char* sources[2] = {"paper", "reproduction"};
    for (int s = 0; s < 2; ++s) {
      QString value, gap;
      for (const auto& ref : row.references) {
        if (ref.source != sources[s]) continue;
        value = QStringLiteral("%1 / %2").arg(ref.val, 0, 'f', 2).arg(ref.test, 0, 'f', 2);
        gap = points(ref.gap_test);
        per_source[s][0] = ref.test;
        for (int k = 0; k < 3 && ref.test_per_class.size() == 3; ++k)
          per_source[s][k + 1] = ref.test_per_class[k];
      }
      cells << value << gap;
    }
    for (int c = 0; c < cells.size(); ++c)
      snli_table_->setItem(i, c, new QTableWidgetItem(cells[c]));
    const QString label = QString::fromStdString(row.arch) + QStringLiteral(" ") +
                          QString::fromStdString(row.family.substr(0, row.family.find(" (")));
    for (int part = 0; part < 4; ++part) {
      categories << (part == 0 ? label : QStringList{"E", "N", "C"}[part - 1]);
      const Stat& mine = part == 0 ? row.test_accuracy : row.test_per_class[part - 1];
      ours << (mine.n ? mine.mean : NAN);
      paper << per_source[0][part];
      repro << per_source[1][part];
    }
  }
  snli_table_->resizeColumnsToContents();
  snli_bars_->setCategories(categories);
  snli_bars_->addSeries(tr("ours (test)"), ours, QColor(0x4e, 0x79, 0xa7));
  snli_bars_->addSeries(tr("paper"), paper, QColor(0xb0, 0x30, 0x30));
  snli_bars_->addSeries(tr("reproduction"), repro, QColor(0x30, 0x50, 0xa0).lighter(150));
  // Show the task the compared runs are about.
  if (!snli_rows_.empty() && rows_.empty()) tasks_->setCurrentIndex(1);
  if (snli_rows_.empty() && !rows_.empty()) tasks_->setCurrentIndex(0);
}

QString CompareView::architectureGaps() const {
  // Rows that differ only in the architecture: the gap the paper is about.
  QStringList lines;
  for (const ReportRow& g : rows_) {
    if (g.arch != "grassmann" || !g.best_valid_ppl.n) continue;
    for (const ReportRow& t : rows_) {
      if (t.arch != "transformer" || !t.best_valid_ppl.n || t.n_layers != g.n_layers ||
          t.seq_len != g.seq_len || t.tokenizer != g.tokenizer) {
        continue;
      }
      QString line = tr("Grassmann vs Transformer, N%1 L%2 %3: %4 validation perplexity")
                         .arg(g.n_layers)
                         .arg(g.seq_len)
                         .arg(QString::fromStdString(g.tokenizer))
                         .arg(QStringLiteral("%1%2%")
                                  .arg(g.best_valid_ppl.mean >= t.best_valid_ppl.mean ? "+" : "")
                                  .arg(100.0 * (g.best_valid_ppl.mean - t.best_valid_ppl.mean) /
                                           t.best_valid_ppl.mean,
                                       0, 'f', 1));
      QStringList reported;
      for (const auto& gr : g.references) {
        for (const auto& tr_ : t.references) {
          if (gr.source == tr_.source && tr_.value > 0) {
            reported << QStringLiteral("%1 %2%3%")
                            .arg(QString::fromStdString(gr.label))
                            .arg(gr.value >= tr_.value ? "+" : "")
                            .arg(100.0 * (gr.value - tr_.value) / tr_.value, 0, 'f', 1);
          }
        }
      }
      if (!reported.isEmpty())
        line += QStringLiteral(" (") + reported.join(QStringLiteral(", ")) + QStringLiteral(")");
      lines << line;
    }
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
  if (keys_.isEmpty()) return;
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Export the comparison into"));
  if (dir.isEmpty()) return;
  bool ok = false;
  ExportOptions options;
  options.scale =
      QInputDialog::getDouble(this, tr("Export"), tr("PNG scale (1 to 3)"), 2, 1, 3, 1, &ok);
  if (!ok) return;
  try {
    const QStringList files = exportTo(dir, options);
    QMessageBox::information(this, tr("Export"),
                             tr("%1 files written to %2").arg(files.size()).arg(dir));
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Export failed"), QString::fromUtf8(e.what()));
  }
}

}  // namespace gwb::ui
