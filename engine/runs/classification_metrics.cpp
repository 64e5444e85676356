// Counting predictions.
#include "engine/runs/classification_metrics.h"

namespace gwb {

void ClassificationCounts::add(int gold, int predicted, double loss) {
  ++confusion[static_cast<std::size_t>(gold)][static_cast<std::size_t>(predicted)];
  loss_sum += loss;
  ++examples;
}

double ClassificationCounts::accuracy() const {
  std::int64_t correct = 0;
  for (int k = 0; k < kClasses; ++k) correct += confusion[k][k];
  return examples > 0 ? static_cast<double>(correct) / static_cast<double>(examples) : 0;
}

std::vector<double> ClassificationCounts::perClassAccuracy() const {
  std::vector<double> out;
  for (int gold = 0; gold < kClasses; ++gold) {
    std::int64_t row = 0;
    for (int predicted = 0; predicted < kClasses; ++predicted) row += confusion[gold][predicted];
    out.push_back(row > 0 ? static_cast<double>(confusion[gold][gold]) / static_cast<double>(row)
                          : 0);
  }
  return out;
}

void ClassificationCounts::fill(EvalEvent& e) const {
  e.classification = true;
  e.examples = examples;
  e.loss = examples > 0 ? loss_sum / static_cast<double>(examples) : 0;
  e.accuracy = accuracy();
  e.per_class_accuracy = perClassAccuracy();
  e.confusion.clear();
  for (const auto& row : confusion) e.confusion.emplace_back(row.begin(), row.end());
}

}  // namespace gwb
