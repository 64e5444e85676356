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
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addWidget(split, 1);
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
    cells << QString::number(row.seeds.size())
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
