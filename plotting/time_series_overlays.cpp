// TimeSeriesChart's overlays: seed bands (mean ± std), the reported numbers' dashed lines and the
// vertical markers (spikes, resumes). The series, smoothing and interaction are time_series_chart.cpp's.
#include "plotting/time_series_chart.h"

namespace gwb::plot {

void TimeSeriesChart::setBand(const QString& id, const QString& label, const QColor& color,
                              const QVector<double>& x, const QVector<double>& mean,
                              const QVector<double>& std) {
  QVector<double> lower(mean.size()), upper(mean.size());
  for (int i = 0; i < mean.size(); ++i) {
    lower[i] = mean[i] - std[i];
    upper[i] = mean[i] + std[i];
  }
  QColor fill = color;
  fill.setAlpha(50);
  QCPGraph* low = addGraph();
  low->setData(x, lower, true);
  low->setPen(Qt::NoPen);
  low->removeFromLegend();
  QCPGraph* high = addGraph();
  high->setData(x, upper, true);
  high->setPen(Qt::NoPen);
  high->setBrush(fill);
  high->setChannelFillGraph(low);
  high->removeFromLegend();
  QCPGraph* line = addGraph();
  line->setData(x, mean, true);
  line->setPen(QPen(color, 1));
  line->setName(label + QStringLiteral(" (mean ± std)"));
  bands_.insert(bands_.end(), {low, high, line});
  Q_UNUSED(id);
}

QVector<TimeSeriesChart::BandData> TimeSeriesChart::bandData() const {
  QVector<BandData> out;
  for (std::size_t i = 0; i + 2 < bands_.size(); i += 3) {
    BandData b;
    for (auto it = bands_[i + 2]->data()->constBegin(); it != bands_[i + 2]->data()->constEnd();
         ++it) {
      b.x << it->key;
      b.mean << it->value;
    }
    for (auto it = bands_[i]->data()->constBegin(); it != bands_[i]->data()->constEnd(); ++it)
      b.lower << it->value;
    for (auto it = bands_[i + 1]->data()->constBegin(); it != bands_[i + 1]->data()->constEnd();
         ++it)
      b.upper << it->value;
    out << b;
  }
  return out;
}

void TimeSeriesChart::clearBands() {
  for (QCPGraph* g : bands_) removeGraph(g);
  bands_.clear();
}

void TimeSeriesChart::addReferenceLine(const QString& label, double y, const QColor& color) {
  auto* line = new QCPItemStraightLine(this);
  line->setPen(QPen(color, 1, Qt::DashLine));
  line->point1->setTypeX(QCPItemPosition::ptAxisRectRatio);
  line->point2->setTypeX(QCPItemPosition::ptAxisRectRatio);
  line->point1->setCoords(0, y);
  line->point2->setCoords(1, y);
  auto* text = new QCPItemText(this);
  text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
  text->position->setCoords(0.99, y);
  text->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
  text->setText(label + QStringLiteral(": ") + QString::number(y, 'f', y < 100 ? 2 : 1));
  text->setColor(color.darker(120));
  text->setFont(QFont(font().family(), 8));
  references_.push_back({line, text, y});
}

void TimeSeriesChart::clearReferenceLines() {
  for (const Reference& r : references_) {
    removeItem(r.line);
    removeItem(r.label);
  }
  references_.clear();
}

void TimeSeriesChart::setMarkers(const QVector<double>& x, const QColor& color) {
  for (QCPItemStraightLine* m : markers_) removeItem(m);
  markers_.clear();
  for (double v : x) {
    auto* line = new QCPItemStraightLine(this);
    line->setPen(QPen(color, 1, Qt::DotLine));
    line->point1->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->point2->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->point1->setCoords(v, 0);
    line->point2->setCoords(v, 1);
    markers_.push_back(line);
  }
}

}  // namespace gwb::plot
