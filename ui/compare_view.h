// The comparison view: the selected runs grouped by configuration (seeds as mean ± std) in a
// table that shows only the configuration keys that differ, beside each row's status and step,
// best validation and test perplexity, parameters, recent throughput and the reported numbers
// (its own recipe's first) with the gap in %; the Grassmann–Transformer gaps (at a common step
// while a run trains); a bar chart of ours beside every source per configuration; exports of the
// figure and the tables. The numbers are the engine's report (engine/report); this only draws.
// GUI thread only.
#pragma once

#include <QStringList>
#include <QWidget>

#include "engine/report/report.h"
#include "engine/report/snli_report.h"
#include "ui/metrics_store.h"
#include "ui/run_export.h"

class QLabel;
class QTabWidget;
class QTableWidget;

namespace gwb::plot {
class BarChart;
}

namespace gwb::ui {

class CompareView : public QWidget {
  Q_OBJECT

 public:
  explicit CompareView(MetricsStore* store, QWidget* parent = nullptr);

  /// Compares these runs (keys of the store).
  void setRuns(const QStringList& keys);
  QStringList runs() const { return keys_; }
  /// Configuration keys whose values differ between the compared configurations.
  QStringList differingKeys() const { return differing_; }
  const std::vector<ReportRow>& rows() const { return rows_; }
  QTableWidget* table() const { return table_; }
  plot::BarChart* bars() const { return bars_; }
  /// SNLI runs: their table (accuracies in %, gaps in points) and bars (test accuracy overall
  /// and per class, ours beside the reported numbers).
  const std::vector<SnliReportRow>& snliRows() const { return snli_rows_; }
  QTableWidget* snliTable() const { return snli_table_; }
  plot::BarChart* snliBars() const { return snli_bars_; }
  QTabWidget* tasks() const { return tasks_; }

  /// "Grassmann vs Transformer ..." lines for configurations present with both architectures,
  /// with the same gap as the paper and the reproduction report it.
  QString architectureGaps() const;
  /// comparison.{png,pdf,csv,json} and comparison_table.{md,csv,tex} in `dir`.
  QStringList exportTo(const QString& dir, const ExportOptions& options) const;
  /// "Export comparison…": the export dialog for the compared runs, then the files it asks for.
  void exportDialog();

 private:
  void rebuild();
  void rebuildSnli(const std::vector<RunRecord>& records);

  MetricsStore* store_;
  QStringList keys_;
  QStringList differing_;
  std::vector<RunRecord> records_;  // the compared runs as reports read them
  std::vector<ReportRow> rows_;
  std::vector<SnliReportRow> snli_rows_;
  QTabWidget* tasks_;
  QTableWidget* table_;
  QLabel* pairs_;
  plot::BarChart* bars_;
  QTableWidget* snli_table_;
  plot::BarChart* snli_bars_;
};

}  // namespace gwb::ui
