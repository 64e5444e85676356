// The run set-up panel: the form of every key of the run configuration (config_form.h: SPEC's
// switches, the data, the recipe, the probes), validated as you type with the engine's own checks,
// each error shown beside its field; the parameter count at once; presets, and the published
// recipes as a family (recipe, size, architecture) with the recipe a configuration is, or how many
// keys it is from the nearest; configuration JSON saved and loaded; and the buttons that queue a
// run, the size-matched pair of architectures, or a whole preset family. GUI thread only;
// torch-free.
#pragma once

#include <QFutureWatcher>
#include <QMap>
#include <QWidget>
#include <functional>
#include <optional>

#include "engine/config/config_keys.h"
#include "engine/config/run_config.h"

class QComboBox;
class QLabel;
class QPushButton;
class QTabWidget;
class QTimer;

namespace gwb::ui {

class ConfigForm;

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
  QTabWidget* tabs() const;
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
  /// Which recipe the configuration is ("recipe kanenorman (grassmann, N 6, L 128)") or how far it
  /// is from the nearest ("2 keys from recipe reference ...: model.norm, train.warmup_from").
  QString recipeMatchText() const;
  /// Chooses a recipe, size ("N 6, L 128") and architecture in the family boxes and loads it;
  /// false if there is no such recipe preset.
  bool loadRecipe(const QString& recipe, const QString& size, const QString& arch);
  /// Whether the backbone folder's description is still being read on the worker.
  bool backboneReading() const { return backbone_watcher_->isRunning(); }
  /// The backbone folder's description shown ("reading ..." while it is read).
  QString backboneText() const;
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
  struct BackboneInfo {  // what a backbone folder holds, read off the GUI thread
    QString key, text, error;
  };
  bool confirm(const QString& title, const QString& question);
  void updateOrigin();
  void updateRecipe(const std::optional<RunConfig>& parsed);
  void updateRecipeChoices();
  /// Describes the backbone folder `resolved` would read (model.backbone_dir, else the installed
  /// copy): dim, layers, parameters, sha256 in backbone_; a folder that is wrong is an error of
  /// model.backbone_dir. The weights are hashed on a worker, once per (folder, size, time).
  void describeBackbone(const RunConfig& resolved);

  ConfigForm* form_;
  QMap<QString, QString> errors_;
  QLabel* origin_;
  QString origin_name_;
  bool edited_ = false;
  std::function<bool(const QString&, const QString&)> confirm_handler_;
  bool device_is_cuda_ = false;
  QComboBox* presets_;
  QComboBox* recipe_;  // the recipes as a family: recipe, size, architecture
  QComboBox* recipe_size_;
  QComboBox* recipe_arch_;
  QLabel* recipe_match_;  // which recipe the configuration is, or how far from the nearest
  QComboBox* family_;
  QLabel* params_;
  QLabel* status_;
  QLabel* leak_;
  QLabel* backbone_label_ = nullptr;  // what the backbone folder holds, or what is wrong with it
  BackboneInfo backbone_;             // the latest description (key: folder, size and time)
  QString pending_backbone_;          // the key being read on the worker
  QFutureWatcher<BackboneInfo>* backbone_watcher_;
  QPushButton* start_;
  QPushButton* pair_;
  QPushButton* speedrun_;
  QTimer* debounce_;
  std::optional<RunConfig> valid_;
};

}  // namespace gwb::ui

Q_DECLARE_METATYPE(gwb::RunConfig)
