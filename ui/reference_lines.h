// The dashed lines charts draw beside a run (STYLE.md: the paper's number on the chart is the
// point): the reported validation and test perplexities for its configuration, its own recipe's
// first and every line naming its recipe; for SNLI the reported accuracy and the majority-class
// baseline of the split it evaluated. One definition for the Monitor and the exports; colours from
// the engine's one table of sources. GUI-side values, no widgets.
#pragma once

#include <QColor>
#include <QString>
#include <vector>

#include "engine/runs/sources.h"
#include "ui/metrics_store.h"

namespace gwb::ui {

struct ReferenceLine {
  QString label;  ///< e.g. "kanenorman · recipe kanenorman · grassmann"
  double value = 0;
  QColor color;
  QString source;  ///< the source's key ("paper", ...), "majority"
  QString metric;  ///< "valid_ppl", "test_ppl", "valid_accuracy" (percent), "majority"
};

/// The colour of a source (sources.h).
QColor sourceColor(const std::string& source);

/// Wikitext-2: the reported perplexities beside `run` (none for an SNLI run).
std::vector<ReferenceLine> pplReferenceLines(const StoredRun& run);
/// SNLI: the majority class of its latest dev evaluation and the reported dev accuracy, percent
/// (none for a language model).
std::vector<ReferenceLine> accuracyReferenceLines(const StoredRun& run);

}  // namespace gwb::ui
