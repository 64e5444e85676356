// The Monitor's SNLI tab: the SNLI runs' train loss (about 1.1, which shared one chart with
// Wikitext-2 losses of about 6) above their validation accuracy over the x axis (overall, and per
// class dashed), with the majority-class baseline and the reported number as dashed lines, beside
// the confusion matrix of the latest evaluation of the first SNLI run shown. Its x range is its
// own (SNLI runs are short beside Wikitext-2 ones). GUI thread.
#pragma once

#include <QList>
#include <QSplitter>
#include <functional>

#include "ui/metrics_store.h"

namespace gwb::plot {
class TimeSeriesChart;
class ConfusionChart;
}  // namespace gwb::plot

namespace gwb::ui {

class AccuracyPanel : public QSplitter {
  Q_OBJECT

 public:
  explicit AccuracyPanel(QWidget* parent = nullptr);

  /// Draws a run's validation accuracies at the x `x_of` gives an event.
  void drawRun(const StoredRun& run, const std::function<double(const EventBase&)>& x_of);
  /// The reference lines and note of the runs shown, and the confusion matrix.
  void drawShown(const QList<const StoredRun*>& shown);
  plot::TimeSeriesChart* chart() const { return accuracy_; }
  /// The SNLI runs' train loss (MonitorView draws it with its smoothing).
  plot::TimeSeriesChart* trainLoss() const { return loss_; }
  plot::ConfusionChart* confusion() const { return confusion_; }

 private:
  void drawConfusion(const QList<const StoredRun*>& shown);
  plot::TimeSeriesChart* loss_;
  plot::TimeSeriesChart* accuracy_;
  plot::ConfusionChart* confusion_;
};

}  // namespace gwb::ui
