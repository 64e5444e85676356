// A form of the run configuration built from the engine's one table of keys (config_keys.h): a
// field for every key with its label, help, type, choices and page ("Run" above the tabs, the
// others as tabs), each with its error line; the JSON the fields describe; the fields that do not
// apply to the choices shown (architecture, task, backbone...) disabled and their choices narrowed.
// It knows nothing of presets or runs: the set-up panel composes it. GUI thread only.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QStringList>

#include "engine/config/config_keys.h"
#include "engine/config/run_config.h"

class QLabel;
class QTabWidget;
class QWidget;

namespace gwb::ui {

class ConfigForm : public QObject {
  Q_OBJECT

 public:
  explicit ConfigForm(QObject* parent = nullptr);

  /// The "Run" page (name, seed, recipe...) and the tabs of the others.
  QWidget* runPage() const { return run_page_; }
  QTabWidget* tabs() const { return tabs_; }
  /// The form of a page ("Model", ...), to add rows to.
  QWidget* page(const QString& name) const { return pages_.value(name); }
  /// The Classifier tab (shown for SNLI only).
  QWidget* classifierTab() const { return classifier_tab_; }

  /// Shows `config`; no edited() signal.
  void setConfig(const RunConfig& config);
  /// The JSON the fields describe (numbers parsed); a field that does not parse is left out and
  /// gets a message in `errors` (its key).
  QJsonObject json(QMap<QString, QString>& errors) const;

  QWidget* editor(const QString& key) const;
  void setFieldText(const QString& key, const QString& text);
  QString fieldText(const QString& key) const;
  QString label(const QString& key) const;
  QString pageOf(const QString& key) const;
  /// A message with its keys replaced by the fields' labels ("train.lr" -> "Learning rate").
  QString withLabels(QString message) const;

  /// Shows each message beside its field and marks the pages with one (⚠ in the tab bar);
  /// returns "Label (Page)" of each field with an error, in form order.
  QStringList showErrors(const QMap<QString, QString>& errors);
  /// The message shown beside `key`'s field ("" if none).
  QString errorShown(const QString& key) const;
  /// The hint under `key`'s field that says what its 0 means, or null if its help has none.
  QLabel* zeroHint(const QString& key) const;
  /// Disables `key`'s field whatever the configuration, with `reason` in its tooltip (e.g. CUDA
  /// graphs on a machine without CUDA); an empty reason makes it available again.
  void setUnavailable(const QString& key, const QString& reason);
  /// Shows the page of the first field with an error and puts the focus in it; false if none.
  bool focusFirst(const QMap<QString, QString>& errors);
  /// Enables the fields that apply to the choices shown, narrows choices (data.format to the
  /// task's), shows the Classifier page for SNLI; returns those choices as a configuration.
  RunConfig updateApplicability();

 signals:
  /// A field was edited by the user.
  void edited();

 private:
  enum class Kind { Int, Double, Bool, Choice, Text, Path, IntList, DoubleList };
  static Kind kindOf(KeyType type);
  struct Field {
    QString key;
    Kind kind;
    QWidget* editor = nullptr;
    QLabel* error = nullptr;
    QString label;
    QLabel* zero = nullptr;  ///< what 0 means ("0: all cores"), shown while the field holds 0
  };
  void addField(QWidget* page, const ConfigKey& key);
  const Field* field(const QString& key) const;
  QString text(const Field& f) const;

  QList<Field> fields_;
  QWidget* run_page_;
  QTabWidget* tabs_;
  QMap<QString, QWidget*> pages_;
  QMap<QString, QString> unavailable_;  ///< key -> why its field is disabled
  QWidget* classifier_tab_ = nullptr;
  bool loading_ = false;
};

}  // namespace gwb::ui
