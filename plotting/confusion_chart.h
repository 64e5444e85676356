// A confusion matrix as a heat map with the count written in each cell (rows: gold class,
// columns: predicted class), coloured by the share of its gold row, so that the diagonal reads as
// per-class accuracy. The SNLI monitor and exports draw the latest or best evaluation with it.
// Qt only.
#pragma once

#include <qcustomplot.h>

#include <QString>
#include <QStringList>
#include <QVector>

namespace gwb::plot {

class ConfusionChart : public QCustomPlot {
  Q_OBJECT

 public:
  explicit ConfusionChart(QWidget* parent = nullptr);
  void setTitle(const QString& title);
  /// `counts[gold][predicted]` for the classes `labels` (square). Empty `counts` clears it and
  /// shows `empty_text` instead.
  void setMatrix(const QStringList& labels, const QVector<QVector<qint64>>& counts,
                 const QString& empty_text = QString());
  const QVector<QVector<qint64>>& counts() const { return counts_; }
  /// The text shown in cell (gold, predicted): its count and its share of the gold row.
  QString cellText(int gold, int predicted) const;

 private:
  QCPColorMap* map_;
  QCPColorScale* scale_;
  QCPTextElement* title_ = nullptr;
  QVector<QCPItemText*> texts_;
  QCPItemText* empty_ = nullptr;
  QVector<QVector<qint64>> counts_;
};

}  // namespace gwb::plot
