// TimeSeriesChart's overlays: seed bands (mean ± std), the reported numbers' dashed lines and the
// vertical markers (spikes, resumes). The series, smoothing and interaction are
// time_series_chart.cpp's.
#include "plotting/time_series_chart.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace gwb::plot {
namespace {

// Which 4-px cells of the axis rect hold a drawn point, as a summed-area table: the cells a
// rectangle covers are counted in constant time (a replot places the overlays against tens of
// thousands of points).
class Occupancy {
 public:
  Occupancy(const QRect& area, const std::vector<QPointF>& points)
      : area_(area),
        w_(area.width() / kCell + 1),
        h_(area.height() / kCell + 1),
        sum_((w_ + 1) * (h_ + 1), 0) {
    std::vector<char> cell(w_ * h_, 0);
    for (const QPointF& p : points) {
      const int x = static_cast<int>(std::floor((p.x() - area.left()) / kCell));
      const int y = static_cast<int>(std::floor((p.y() - area.top()) / kCell));
      if (x >= 0 && x < w_ && y >= 0 && y < h_) cell[y * w_ + x] = 1;
    }
    for (int y = 0; y < h_; ++y) {
      for (int x = 0; x < w_; ++x) {
        at(x + 1, y + 1) = cell[y * w_ + x] + at(x, y + 1) + at(x + 1, y) - at(x, y);
      }
    }
  }
  /// Occupied cells under `rect` grown by 3 px.
  int count(const QRectF& rect) const {
    const QRectF r = rect.adjusted(-3, -3, 3, 3);
    const int x0 =
        std::clamp(static_cast<int>(std::floor((r.left() - area_.left()) / kCell)), 0, w_);
    const int x1 =
        std::clamp(static_cast<int>(std::ceil((r.right() - area_.left()) / kCell)), 0, w_);
    const int y0 = std::clamp(static_cast<int>(std::floor((r.top() - area_.top()) / kCell)), 0, h_);
    const int y1 =
        std::clamp(static_cast<int>(std::ceil((r.bottom() - area_.top()) / kCell)), 0, h_);
    if (x1 <= x0 || y1 <= y0) return 0;
    return at(x1, y1) - at(x0, y1) - at(x1, y0) + at(x0, y0);
  }

 private:
  static constexpr int kCell = 4;
  int& at(int x, int y) { return sum_[y * (w_ + 1) + x]; }
  int at(int x, int y) const { return sum_[y * (w_ + 1) + x]; }
  QRect area_;
  int w_, h_;
  std::vector<int> sum_;
};

}  // namespace

void TimeSeriesChart::updateLayout() {
  QCustomPlot::updateLayout();
  if (placeOverlays()) QCustomPlot::updateLayout();  // the legend moved to another corner
}

// The visible graphs' points in pixels, with points every few pixels along their lines (a line
// between two evaluations covers what lies under it too).
std::vector<QPointF> TimeSeriesChart::drawnPixels() const {
  std::vector<QPointF> out;
  for (int i = 0; i < graphCount(); ++i) {
    const QCPGraph* g = graph(i);
    if (!g->visible() || g->data()->isEmpty()) continue;
    const int stride = std::max(1, g->data()->size() / 1000);
    int k = 0;
    bool has_last = false;
    QPointF last;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it, ++k) {
      if (k % stride != 0 && it + 1 != g->data()->constEnd()) continue;
      if (!std::isfinite(it->value) || (log_y_ && it->value <= 0)) {
        has_last = false;
        continue;
      }
      const QPointF p(xAxis->coordToPixel(it->key), yAxis->coordToPixel(it->value));
      if (has_last && g->lineStyle() != QCPGraph::lsNone) {
        const double length = std::hypot(p.x() - last.x(), p.y() - last.y());
        const int pieces = std::min(200, static_cast<int>(length / 4));
        for (int j = 1; j < pieces; ++j) out.push_back(last + (p - last) * j / pieces);
      }
      out.push_back(p);
      last = p;
      has_last = true;
    }
  }
  return out;
}

bool TimeSeriesChart::placeOverlays() {
  const QRect area = axisRect()->rect();
  if (area.width() < 10 || area.height() < 10) return false;
  QCPLayoutInset* inset = axisRect()->insetLayout();
  const bool has_legend =
      legend->visible() && inset->elementCount() > 0 && inset->elementAt(0) == legend;
  if (!has_legend && references_.empty()) return false;  // nothing to place: no pixels gathered
  const Occupancy occupied(area, drawnPixels());
  const QSizeF legend_size = has_legend ? legend->outerRect().size() : QSizeF();
  const auto legendAt = [&](Qt::Alignment a) {
    if (!has_legend) return QRectF();
    const double x = a & Qt::AlignLeft    ? area.left()
                     : a & Qt::AlignRight ? area.right() - legend_size.width()
                                          : area.center().x() - legend_size.width() / 2;
    const double y = a & Qt::AlignTop      ? area.top()
                     : a & Qt::AlignBottom ? area.bottom() - legend_size.height()
                                           : area.center().y() - legend_size.height() / 2;
    return QRectF(QPointF(x, y), legend_size);
  };
  // A reference label goes at the right, left or middle of its line, above or below it.
  struct Place {
    double ratio;
    Qt::Alignment align;
  };
  static const Place kPlaces[] = {
      {0.99, Qt::AlignRight | Qt::AlignBottom},  {0.99, Qt::AlignRight | Qt::AlignTop},
      {0.01, Qt::AlignLeft | Qt::AlignBottom},   {0.01, Qt::AlignLeft | Qt::AlignTop},
      {0.5, Qt::AlignHCenter | Qt::AlignBottom}, {0.5, Qt::AlignHCenter | Qt::AlignTop}};
  const auto labelRect = [&](const Reference& r, const Place& place) {
    const QSizeF size = QFontMetricsF(r.label->font()).boundingRect(r.label->text()).size() +
                        QSizeF(r.label->padding().left() + r.label->padding().right(),
                               r.label->padding().top() + r.label->padding().bottom());
    const double x = area.left() + place.ratio * area.width();
    const double left = place.align & Qt::AlignRight  ? x - size.width()
                        : place.align & Qt::AlignLeft ? x
                                                      : x - size.width() / 2;
    const double top = place.align & Qt::AlignBottom ? yAxis->coordToPixel(r.y) - size.height()
                                                     : yAxis->coordToPixel(r.y);
    return QRectF(QPointF(left, top), size);
  };
  // For each corner of the legend (the current one first, kept on a tie), the labels placed one
  // after another where they cover the fewest points and neither the legend nor a label before
  // them; the corner with the least covered in all wins.
  // The corners first, then the middles of the edges (a legend over the middle of the top was
  // better than one over the curves' ends).
  std::vector<Qt::Alignment> corners{inset->insetAlignment(0)};
  if (has_legend) {
    for (Qt::Alignment a : {Qt::AlignTop | Qt::AlignRight, Qt::AlignTop | Qt::AlignLeft,
                            Qt::AlignBottom | Qt::AlignRight, Qt::AlignBottom | Qt::AlignLeft,
                            Qt::AlignTop | Qt::AlignHCenter, Qt::AlignBottom | Qt::AlignHCenter,
                            Qt::AlignVCenter | Qt::AlignRight, Qt::AlignVCenter | Qt::AlignLeft}) {
      if (a != corners.front()) corners.push_back(a);
    }
  }
  double best_total = std::numeric_limits<double>::infinity();
  Qt::Alignment best_corner = corners.front();
  std::vector<int> best_places;
  for (Qt::Alignment corner : corners) {
    const QRectF legend_rect = legendAt(corner);
    double total = has_legend ? occupied.count(legend_rect) : 0;
    std::vector<QRectF> taken;
    std::vector<int> chosen;
    for (const Reference& r : references_) {
      int best = 0;
      double best_cost = std::numeric_limits<double>::infinity();
      for (int i = 0; i < 6; ++i) {
        const QRectF rect = labelRect(r, kPlaces[i]);
        double cost = occupied.count(rect);
        if (has_legend && rect.intersects(legend_rect)) cost += 1e6;
        for (const QRectF& t : taken) cost += rect.intersects(t) ? 1e6 : 0;
        if (!QRectF(area).contains(rect)) cost += 1e3;  // cut by the axis rect's edge
        if (cost < best_cost) {
          best_cost = cost;
          best = i;
        }
      }
      total += best_cost;
      chosen.push_back(best);
      taken.push_back(labelRect(r, kPlaces[best]));
    }
    if (total < best_total) {
      best_total = total;
      best_corner = corner;
      best_places = chosen;
    }
  }
  for (std::size_t i = 0; i < references_.size(); ++i) {
    const Place& place = kPlaces[best_places[i]];
    references_[i].label->position->setCoords(place.ratio, references_[i].y);
    references_[i].label->setPositionAlignment(place.align);
  }
  if (!has_legend || best_corner == inset->insetAlignment(0)) return false;
  inset->setInsetAlignment(0, best_corner);
  return true;
}

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

void TimeSeriesChart::setMarkers(const QVector<double>& x, const QColor& color,
                                 const QString& label) {
  for (QCPItemStraightLine* m : markers_) removeItem(m);
  markers_.clear();
  for (QCPItemText* t : marker_labels_) removeItem(t);
  marker_labels_.clear();
  for (double v : x) {
    if (!label.isEmpty()) {
      auto* text = new QCPItemText(this);
      text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
      text->position->setCoords(v, 0);
      text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
      text->setPadding(QMargins(2, 1, 2, 1));
      text->setText(label);
      text->setColor(color.darker(120));
      text->setFont(QFont(font().family(), 7));
      marker_labels_.push_back(text);
    }
    auto* line = new QCPItemStraightLine(this);
    line->setPen(QPen(color, 1, Qt::DotLine));
    line->point1->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->point2->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->point1->setCoords(v, 0);
    line->point2->setCoords(v, 1);
    markers_.push_back(line);
  }
}

QVector<double> TimeSeriesChart::markerXs() const {
  QVector<double> out;
  for (const QCPItemStraightLine* m : markers_) out << m->point1->coords().x();
  return out;
}

}  // namespace gwb::plot
