// The run set-up panel: a widget for every field of the run configuration (SPEC's switches, the
// data, the recipe, the probes), validated as you type with the engine's own checks, each error
// shown beside its field; the parameter count at once; presets of the paper and the
// reproductions; configuration JSON saved and loaded; and the buttons that queue a run, the
// size-matched pair of architectures, or a whole preset family. GUI thread only; torch-free.
#pragma once

#include <QMap>
#include <QWidget>
#include <functional>
#include <optional>

#include "engine/config/config_keys.h"
#include "engine/config/run_config.h"

class QComboBox;
class QFormLayout;
class QLabel;
class QPushButton;
class QTabWidget;
class QTimer;

namespace gwb::ui {

class RunSetupPanel : public QWidget {
  Q_OBJECT

 public:
  explicit RunSetupPanel(QWidget* parent = nullptr);

  /// Shows `config` in the widgets.
  void setConfig(const RunConfig& config);
  /// The configuration the widgets describe, or nullopt if a field does not parse or the
  /// combination is invalid (errors() says why).
  std::optional<RunConfig> config() const;
  /// Field key -> message of every current problem ("" keys never appear).
  QMap<QString, QString> errors() const { return errors_; }
  /// The message shown beside `key`'s widget ("" if none).
  QString errorShown(const QString& key) const;
  /// The editor widget of `key` (e.g. "train.lr"), for tests and focus.
  QWidget* editor(const QString& key) const;
  /// Sets a field from text as a user would type it.
  void setFieldText(const QString& key, const QString& text);
  /// The parameter count shown ("" while invalid).
  QString parameterText() const;

  /// Loads a preset by name; false if there is none.
  bool loadPreset(const QString& name);
  /// Reads / writes a configuration file; errors go to the status line and the return value.
  bool loadFile(const QString& path, QString* error = nullptr);
  bool saveFile(const QString& path, QString* error = nullptr) const;

  /// Validates now (otherwise it happens 150 ms after the last edit).
  void validate();
  /// Whether runs will find a CUDA device (bf16 and cuda are valid there); the workbench asks
  /// the engine once at start. Revalidates.
  void setDeviceIsCuda(bool on);
  /// The tabs of the pages (Model, Classifier, Data, Recipe, Probes).
  QTabWidget* tabs() const { return tabs_; }
  /// Start run (the button, Ctrl+Enter): queues a valid configuration, or shows the first field
  /// with a problem on its page with the focus in it and says nothing was queued.
  void requestStart();
  void revealErrors();
  /// The status line ("2 fields need attention: Learning rate (Recipe), ...").
  QString statusText() const;
  /// "from cpu-small-grassmann", "from cpu-small-grassmann, edited".
  QString originText() const;
  /// The preset box's current text.
  QString presetShown() const;
  /// Yes/no questions (a message box; tests replace the handler).
  void setConfirmHandler(std::function<bool(const QString&, const QString&)> handler) {
    confirm_handler_ = std::move(handler);
  }

 signals:
  /// Queue one run / the two architectures of the same size / a preset family's sweep.
  void startRequested(const gwb::RunConfig& config);
  void pairRequested(const gwb::RunConfig& grassmann, const gwb::RunConfig& transformer);
  void speedrunRequested(const QString& family);

 private:
  enum class Kind { Int, Double, Bool, Choice, Text, Path, IntList, DoubleList };
  static Kind kindOf(KeyType type);
  struct Field {
    QString key;
    Kind kind;
    QWidget* editor = nullptr;
    QLabel* error = nullptr;
    QString label;
  };
  /// The configuration's choice fields as shown (what decides which keys apply).
  RunConfig choicesShown() const;
  QString withLabels(QString message) const;
  QString pageOf(const QString& key) const;
  bool confirm(const QString& title, const QString& question);
  void updateOrigin();
  void addField(QWidget* page, const QString& key, const QString& label, Kind kind,
                const QString& tip, const QStringList& choices = {});
  QString fieldText(const Field& f) const;
  void showErrors();
  void updateArchitecture();
  /// Describes the backbone folder `resolved` would read (model.backbone_dir, else the installed
  /// copy): dim, layers, parameters, sha256 in backbone_; a folder that is wrong is an error of
  /// model.backbone_dir. Hashes the weights once per (folder, size, modification time).
  void describeBackbone(const RunConfig& resolved);

  QList<Field> fields_;
  QMap<QString, QString> errors_;
  QMap<QString, QWidget*> pages_;
  QTabWidget* tabs_;
  QWidget* classifier_tab_ = nullptr;
  QLabel* origin_;
  QString origin_name_;
  bool edited_ = false;
  std::function<bool(const QString&, const QString&)> confirm_handler_;
  bool device_is_cuda_ = false;
  QComboBox* presets_;
  QComboBox* family_;
  QLabel* params_;
  QLabel* status_;
  QLabel* leak_;
  QLabel* backbone_ = nullptr;  // what the backbone folder holds, or what is wrong with it
  QString backbone_key_;        // the folder, size and time of the weights described
  QString backbone_text_;       // its description ("" when it could not be read)
  QString backbone_error_;      // why not
  QPushButton* start_;
  QPushButton* pair_;
  QPushButton* speedrun_;
  QTimer* debounce_;
  std::optional<RunConfig> valid_;
  bool loading_ = false;
};

}  // namespace gwb::ui

Q_DECLARE_METATYPE(gwb::RunConfig)
