// The comparison as one multi-panel figure, like the reference's results figure: perplexity of
// ours vs the paper vs the reproduction per configuration (grouped bars), the validation
// perplexity curves of the runs, and their loss by position (each panel with its legend). For the
// comparison view and exports.
#pragma once

#include <qcustomplot.h>
#include <QColor>
#include <QStringList>
#include <QVector>

namespace gwb::plot {

class ComparisonFigure : public QCustomPlot {
  Q_OBJECT

 public:
  struct Bars {
    QString name;
    QColor color;
    QVector<double> values;  // one per category; NaN: none
  };
  struct Curve {
    QString label;
    QColor color;
    QVector<double> x, y;
  };

  explicit ComparisonFigure(QWidget* parent = nullptr);

  void setBars(const QStringList& categories, const QVector<Bars>& bars);
  void setCurves(const QVector<Curve>& valid_ppl, const QVector<Curve>& loss_by_position);
  int barSeriesCount() const { return static_cast<int>(bars_.size()); }
  /// A grey line under the figure about the bars (e.g. that no configuration has a reported
  /// number), shown as "Bars: <note>". Empty: none.
  void setBarNote(const QString& note);

 protected:
  /// Lays out, then turns the bars' category names when they do not fit side by side.
  void updateLayout() override;

 private:
  QStringList categories_;
  QCPAxisRect* bar_rect_;
  QCPAxisRect* ppl_rect_;
  QCPAxisRect* position_rect_;
  QCPLegend* bar_legend_;
  QCPLegend* curve_legend_;
  QCPLegend* position_legend_;
  std::vector<QCPBars*> bars_;
  QCPTextElement* bar_note_ = nullptr;
};

}  // namespace gwb::plot
