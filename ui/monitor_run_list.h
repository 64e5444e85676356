// The Monitor's list of its runs: one checkable row per run with its colour swatch, its name (and
// what is wrong with it: a folder deleted, malformed metrics lines skipped, with the file and
// lines in the tooltip), and a button that takes selected runs out of the Monitor. Its context
// menu asks for a run's details, a display name and a colour of the user's own. GUI thread.
#pragma once

#include <QStringList>
#include <QWidget>

#include "ui/metrics_store.h"

class QListWidget;
class QPushButton;

namespace gwb::ui {

class MonitorRunList : public QWidget {
  Q_OBJECT

 public:
  explicit MonitorRunList(QWidget* parent = nullptr);

  /// Adds a row for `run`, ticked if `visible`.
  void addRun(const StoredRun& run, bool visible);
  /// Updates the row's text, tooltip and look.
  void updateRun(const StoredRun& run);
  void removeRun(const QString& key);
  /// Ticks or unticks a row without signalling.
  void setTicked(const QString& key, bool ticked);
  /// The row's text ("" if there is none).
  QString text(const QString& key) const;
  QListWidget* list() const { return list_; }

 signals:
  void tickToggled(const QString& key, bool ticked);
  void removeRequested(const QStringList& keys);
  /// The context menu's Details… (the selected runs), Rename…, Colour… and Reset.
  void detailsRequested(const QStringList& keys);
  void renameRequested(const QString& key);
  void samplesRequested(const QString& key);
  void colourRequested(const QString& key);
  void resetLookRequested(const QString& key);

 private:
  void showMenu(const QPoint& at);
  QListWidget* list_;
  QPushButton* remove_;
};

}  // namespace gwb::ui
