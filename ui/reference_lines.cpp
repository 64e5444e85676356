// Reference lines from the engine's reported numbers.
#include "ui/reference_lines.h"

#include <QObject>

#include "engine/runs/reported.h"

namespace gwb::ui {

QColor sourceColor(const std::string& source) { return QColor(QRgb(sourceStyle(source).rgb)); }

std::vector<ReferenceLine> pplReferenceLines(const StoredRun& run) {
  std::vector<ReferenceLine> out;
  if (!run.has_config || run.config.data.isSnli()) return out;
  const bool v1 = run.record.corpus == "v1";
  for (const ReportedMatch& m : matchReported(reportedNumbers().wikitext2, run.config)) {
    ReferenceLine line;
    line.source = QString::fromStdString(m.number.source);
    line.metric = QString::fromStdString(m.number.metric);
    line.value = m.value;
    line.color = sourceColor(m.number.source);
    line.label = QString::fromStdString(m.number.label);
    if (!m.number.recipe.empty())
      line.label += QObject::tr(" · recipe %1").arg(QString::fromStdString(m.number.recipe));
    line.label += QStringLiteral(" · ") + run.arch;
    if (m.number.metric == "test_ppl") line.label += QObject::tr(" (test)");
    if (m.own_recipe && v1) line.label += QObject::tr(" (this run: v1, not the recipe's corpus)");
    out.push_back(line);
  }
  return out;
}

std::vector<ReferenceLine> accuracyReferenceLines(const StoredRun& run) {
  std::vector<ReferenceLine> out;
  if (!run.has_config || !run.config.data.isSnli()) return out;
  // The majority-class baseline of the split evaluated, from the evaluation itself.
  for (auto it = run.events.evals.rbegin(); it != run.events.evals.rend(); ++it) {
    if (it->split != "valid" || it->examples <= 0 || it->confusion.size() != 3) continue;
    std::int64_t largest = 0;
    for (const auto& row : it->confusion) {
      std::int64_t n = 0;
      for (const std::int64_t v : row) n += v;
      largest = std::max(largest, n);
    }
    out.push_back({QObject::tr("majority class (dev)"), 100.0 * largest / it->examples,
                   sourceColor("majority"), QStringLiteral("majority"),
                   QStringLiteral("majority")});
    break;
  }
  if (const auto n = matchReportedSnli(reportedNumbers().snli, run.config)) {
    out.push_back(
        {QString::fromStdString(n->label) + QStringLiteral(" ") + run.arch + QObject::tr(" (dev)"),
         n->of(run.config.model.arch).val, sourceColor(n->source),
         QString::fromStdString(n->source), QStringLiteral("valid_accuracy")});
  }
  return out;
}

}  // namespace gwb::ui
