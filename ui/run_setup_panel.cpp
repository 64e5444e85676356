// RunSetupPanel: the form (config_form.h) with presets, the recipe family, validation through the
// engine's parser and checks, the backbone folder described off the GUI thread, and the buttons.
#include "ui/run_setup_panel.h"

#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

#include "engine/config/config_keys.h"
#include "engine/config/presets.h"
#include "engine/config/recipes.h"
#include "engine/data/backbone_folder.h"
#include "engine/data/data_source.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "ui/config_form.h"

namespace gwb::ui {
namespace {

// Why the CUDA-graph switch cannot be turned on here, or "" where it can.
QString cudaGraphReason(bool cuda) {
  return cuda ? QString()
              : QObject::tr(
                    "Needs a CUDA device; this machine has none (the value is kept for a "
                    "run on a GPU server or the cluster).");
}

QString baseKey(const std::string& key) {
  QString k = QString::fromStdString(key);
  const int bracket = k.indexOf('[');
  return bracket >= 0 ? k.left(bracket) : k;
}

QString sizeText(std::int64_t n_layers, std::int64_t seq_len) {
  return QStringLiteral("N %1, L %2").arg(n_layers).arg(seq_len);
}

QString trainedWhat(const RunConfig& resolved) {
  if (!resolved.data.isSnli()) return {};
  if (!resolved.model.hasBackbone()) return QObject::tr(" classifier");
  return resolved.model.head_variant == "reference"
             ? QObject::tr(" reference head (degenerate: Plücker(z, z) = 0) on a frozen DistilBERT")
             : QObject::tr(" paper head on a frozen DistilBERT");
}

}  // namespace

RunSetupPanel::RunSetupPanel(QWidget* parent) : QWidget(parent) {
  form_ = new ConfigForm(this);
  form_->setUnavailable(QStringLiteral("train.cuda_graph"), cudaGraphReason(device_is_cuda_));
  presets_ = new QComboBox;
  presets_->addItem(tr("(choose a preset)"));
  for (const std::string& name : presetNames()) presets_->addItem(QString::fromStdString(name));
  auto* load = new QPushButton(tr("Load…"));
  auto* save = new QPushButton(tr("Save…"));
  origin_ = new QLabel;  // where the configuration came from, and whether it was edited since
  origin_->setStyleSheet(QStringLiteral("color: #606060"));
  // Its text ("..., edited") must not widen the panel: that moved the set-up/queue splitter.
  origin_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Preset")));
  top->addWidget(presets_, 2);
  top->addWidget(origin_, 1);
  top->addWidget(load);
  top->addWidget(save);

  // The published recipes as a family: choose the recipe, then one of its sizes and an
  // architecture; the line beside says which recipe the form is, or how far from the nearest.
  recipe_ = new QComboBox;
  recipe_->setObjectName(QStringLiteral("recipe_family"));
  for (const std::string& name : recipeNames()) {
    const bool offered = std::any_of(recipePresets().begin(), recipePresets().end(),
                                     [&](const RecipePreset& p) { return p.recipe == name; });
    if (offered) recipe_->addItem(QString::fromStdString(name));
  }
  recipe_->setToolTip(
      tr("A published recipe (SPEC §8): its optimiser, schedule, normalisation, "
         "initialisation and data handling exactly"));
  recipe_size_ = new QComboBox;
  recipe_size_->setObjectName(QStringLiteral("recipe_size"));
  recipe_arch_ = new QComboBox;
  recipe_arch_->setObjectName(QStringLiteral("recipe_arch"));
  auto* use_recipe = new QPushButton(tr("Use recipe"));
  use_recipe->setObjectName(QStringLiteral("recipe_load"));
  recipe_match_ = new QLabel;
  recipe_match_->setObjectName(QStringLiteral("recipe_match"));
  recipe_match_->setWordWrap(true);
  recipe_match_->setStyleSheet(QStringLiteral("color: #606060"));
  auto* recipes = new QHBoxLayout;
  recipes->addWidget(new QLabel(tr("Recipe")));
  recipes->addWidget(recipe_);
  recipes->addWidget(recipe_size_);
  recipes->addWidget(recipe_arch_);
  recipes->addWidget(use_recipe);
  recipes->addWidget(recipe_match_, 1);
  updateRecipeChoices();

  leak_ = new QLabel(
      tr("⚠ future_leaky leaks later tokens into each position: not a causal language model"));
  leak_->setStyleSheet(QStringLiteral("color: #b00020"));
  leak_->setWordWrap(true);
  leak_->setVisible(false);
  static_cast<QFormLayout*>(form_->page(QStringLiteral("Model"))->layout())->addRow(leak_);

  if (QWidget* page = form_->page(form_->pageOf(QStringLiteral("model.backbone_dir")))) {
    backbone_label_ = new QLabel;
    backbone_label_->setObjectName(QStringLiteral("backbone_info"));
    backbone_label_->setWordWrap(true);
    backbone_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    static_cast<QFormLayout*>(page->layout())->addRow(tr("Backbone found"), backbone_label_);
  }
  backbone_watcher_ = new QFutureWatcher<BackboneInfo>(this);
  connect(backbone_watcher_, &QFutureWatcher<BackboneInfo>::finished, this, [this] {
    backbone_ = backbone_watcher_->result();
    validate();  // the description (and a problem of the folder) is known now
  });

  params_ = new QLabel;
  params_->setStyleSheet(QStringLiteral("font-weight: bold"));
  params_->setWordWrap(true);  // a long count (an SNLI classifier's) widened the panel
  status_ = new QLabel;
  status_->setWordWrap(true);
  // Two lines reserved, so that a message coming or going never moves the form under the pointer.
  status_->setMinimumHeight(2 * status_->fontMetrics().lineSpacing() + 4);
  status_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
  start_ = new QPushButton(QIcon(":/icons/start.png"), tr("Start run"));
  start_->setToolTip(tr("Queue this configuration (Run ▸ Start run, Ctrl+Enter)"));
  pair_ = new QPushButton(tr("Run both architectures"));
  pair_->setToolTip(
      tr("Queue this configuration as Grassmann and as the size-matched Transformer"));
  family_ = new QComboBox;
  family_->addItems({"reference", "paper", "paper-perlayer", "arledge", "recipes", "snli scratch",
                     "snli paper", "snli reference", "snli cpu-small"});
  family_->setToolTip(
      tr("Wikitext-2: the family's 8 configurations (N 6/12 x L 128/256 x both "
         "architectures); recipes: every published recipe at its own size; snli: the family's "
         "preset for each architecture"));
  speedrun_ = new QPushButton(tr("Speedrun"));
  speedrun_->setToolTip(tr("Queue the chosen preset family's sweep"));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(start_);
  buttons->addWidget(pair_);
  buttons->addStretch(1);
  buttons->addWidget(family_);
  buttons->addWidget(speedrun_);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addLayout(recipes);
  layout->addWidget(form_->runPage());
  layout->addWidget(form_->tabs(), 1);
  layout->addWidget(params_);
  layout->addWidget(status_);
  layout->addLayout(buttons);

  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(150);
  connect(debounce_, &QTimer::timeout, this, &RunSetupPanel::validate);
  connect(form_, &ConfigForm::edited, this, [this] {
    if (!edited_) {
      edited_ = true;
      updateOrigin();
    }
    debounce_->start();
  });
  connect(presets_, &QComboBox::activated, this, [this](int i) {
    if (i <= 0) return;
    if (edited_ && !confirm(tr("Load preset"), tr("Load %1? The edits made to %2 are lost.")
                                                   .arg(presets_->itemText(i), origin_name_))) {
      const QSignalBlocker block(presets_);
      presets_->setCurrentIndex(std::max(0, presets_->findText(origin_name_)));
      return;
    }
    loadPreset(presets_->itemText(i));
  });
  connect(recipe_, &QComboBox::currentTextChanged, this, [this] { updateRecipeChoices(); });
  connect(recipe_size_, &QComboBox::currentTextChanged, this, [this] { updateRecipeChoices(); });
  connect(use_recipe, &QPushButton::clicked, this, [this] {
    loadRecipe(recipe_->currentText(), recipe_size_->currentText(), recipe_arch_->currentText());
  });
  connect(load, &QPushButton::clicked, this, [this] {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Load configuration"), {}, tr("JSON (*.json)"));
    if (!path.isEmpty()) loadFile(path);
  });
  connect(save, &QPushButton::clicked, this, [this] {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save configuration"), {}, tr("JSON (*.json)"));
    if (!path.isEmpty()) saveFile(path);
  });
  connect(start_, &QPushButton::clicked, this, [this] { requestStart(); });
  connect(pair_, &QPushButton::clicked, this, [this] {
    validate();
    if (!valid_) return;
    RunConfig g = *valid_, t = *valid_;
    QString base = QString::fromStdString(valid_->name);
    base.remove(QStringLiteral("-grassmann")).remove(QStringLiteral("-transformer"));
    g.model.arch = "grassmann";
    t.model.arch = "transformer";
    g.name = (base + QStringLiteral("-grassmann")).toStdString();
    t.name = (base + QStringLiteral("-transformer")).toStdString();
    emit pairRequested(g, t);
  });
  connect(speedrun_, &QPushButton::clicked, this,
          [this] { emit speedrunRequested(family_->currentText()); });
  if (!loadPreset(QStringLiteral("cpu-small-grassmann"))) setConfig(RunConfig{});
}

QTabWidget* RunSetupPanel::tabs() const { return form_->tabs(); }
QWidget* RunSetupPanel::editor(const QString& key) const { return form_->editor(key); }

void RunSetupPanel::setFieldText(const QString& key, const QString& text) {
  form_->setFieldText(key, text);
}

void RunSetupPanel::setConfig(const RunConfig& config) {
  form_->setConfig(config);
  validate();
}

void RunSetupPanel::validate() {
  debounce_->stop();
  errors_.clear();
  valid_.reset();
  const QJsonObject root = form_->json(errors_);
  std::optional<RunConfig> parsed;
  if (errors_.isEmpty()) {
    try {
      RunConfig config = parseRunConfig(QJsonDocument(root).toJson().toStdString(), "set-up panel");
      parsed = config;
      RunConfig resolved = config;
      resolveRunConfig(resolved, knownVocabSize(resolved.data.tokenizer));
      for (const ConfigProblem& p : configProblems(resolved, device_is_cuda_)) {
        const QString key = baseKey(p.key);
        if (!errors_.contains(key)) errors_[key] = QString::fromStdString(p.message);
      }
      describeBackbone(resolved);
      if (errors_.isEmpty()) {
        valid_ = config;
        const std::int64_t n = countTrainedParameters(resolved);
        const QString other = resolved.model.arch == "grassmann" ? "transformer" : "grassmann";
        params_->setText(
            tr("%1 trained parameters (%2%3); the size-matched %4 has %5")
                .arg(QLocale().toString(static_cast<qlonglong>(n)),
                     QString::fromStdString(resolved.model.arch), trainedWhat(resolved), other,
                     QLocale().toString(static_cast<qlonglong>(countTwinParameters(resolved)))));
      }
    } catch (const InputError& e) {
      errors_[baseKey(e.where().key)] = QString::fromStdString(e.detail());
    }
  }
  if (!valid_) params_->clear();
  for (auto it = errors_.begin(); it != errors_.end(); ++it)
    it.value() = form_->withLabels(it.value());
  const QStringList where = form_->showErrors(errors_);
  const RunConfig shown = form_->updateApplicability();
  leak_->setVisible(shown.model.arch == "grassmann" && shown.model.pairing == "future_leaky");
  updateRecipe(parsed);
  start_->setEnabled(valid_.has_value());
  pair_->setEnabled(valid_.has_value());
  status_->setText(valid_ ? QString()
                          : tr("%n field(s) need attention: %1", nullptr, errors_.size())
                                .arg(where.join(QStringLiteral(", "))));
  status_->setStyleSheet(valid_ ? QString() : QStringLiteral("color: #b00020"));
}

void RunSetupPanel::describeBackbone(const RunConfig& resolved) {
  if (!backbone_label_) return;
  if (!resolved.model.hasBackbone()) {
    backbone_label_->setStyleSheet(QString());
    backbone_label_->setText(tr("(no backbone: the model trains from scratch)"));
    return;
  }
  QString dir;
  try {
    const DataResolution r = resolveBackboneDir(resolved.model.backbone_dir);
    if (r.source == DataSource::None) {
      // Not an error of the form (a cluster may hold the folder), but a run here stops on it.
      backbone_label_->setText(QStringLiteral("⚠ ") + QString::fromStdString(r.error));
      backbone_label_->setStyleSheet(QStringLiteral("color: #a05a00"));
      return;
    }
    dir = QString::fromStdString(r.dir);
  } catch (const InputError& e) {
    errors_[QStringLiteral("model.backbone_dir")] = QString::fromStdString(e.what());
    backbone_label_->clear();
    return;
  }
  // Hashing 250 MB of weights takes a second or more: it happens on a worker, once per folder,
  // size and modification time, and the form is validated again when it is done.
  const QFileInfo weights(dir + QStringLiteral("/model.safetensors"));
  const QString key = dir + '|' + QString::number(weights.size()) + '|' +
                      QString::number(weights.lastModified().toMSecsSinceEpoch());
  if (key != backbone_.key) {
    if (!backbone_watcher_->isRunning() || pending_backbone_ != key) {
      pending_backbone_ = key;
      const std::int64_t vocab = knownVocabSize(resolved.data.tokenizer);
      backbone_watcher_->setFuture(QtConcurrent::run([key, dir, resolved, vocab] {
        BackboneInfo info;
        info.key = key;
        try {
          const BackboneFolder f = inspectBackboneFolder(dir.toStdString(), /*with_sha256=*/true);
          info.text = QObject::tr(
                          "%1: DistilBERT, dim %2, %3 layers, %4 heads, %5 parameters "
                          "(frozen), model.safetensors sha256 %6")
                          .arg(QString::fromStdString(f.dir))
                          .arg(f.shape.dim)
                          .arg(f.shape.n_layers)
                          .arg(f.shape.n_heads)
                          .arg(QLocale().toString(static_cast<qlonglong>(f.parameters)))
                          .arg(QString::fromStdString(f.weights_sha256));
          const std::vector<ConfigProblem> problems = backboneProblems(resolved, f, vocab);
          if (!problems.empty()) info.error = QString::fromStdString(problems.front().message);
        } catch (const InputError& e) {
          info.error = QString::fromStdString(e.what());
        }
        return info;
      }));
    }
    backbone_label_->setStyleSheet(QString());
    backbone_label_->setText(tr("reading %1 …").arg(dir));
    // Not startable until the folder is known to be usable.
    errors_.insert(QStringLiteral("model.backbone_dir"), tr("reading the backbone folder …"));
    return;
  }
  if (!backbone_.error.isEmpty() && !errors_.contains(QStringLiteral("model.backbone_dir")))
    errors_[QStringLiteral("model.backbone_dir")] = backbone_.error;
  backbone_label_->setStyleSheet(QString());
  backbone_label_->setText(backbone_.text.isEmpty() ? tr("(nothing usable there)")
                                                    : backbone_.text);
}

void RunSetupPanel::updateRecipeChoices() {
  // The sizes the chosen recipe publishes, then the architectures of the chosen size.
  const QString recipe = recipe_->currentText();
  QStringList sizes, archs;
  for (const RecipePreset& p : recipePresets()) {
    if (QString::fromStdString(p.recipe) != recipe) continue;
    const QString size = sizeText(p.n_layers, p.seq_len);
    if (!sizes.contains(size)) sizes << size;
  }
  const auto refill = [](QComboBox* box, const QStringList& items) {
    QStringList have;
    for (int i = 0; i < box->count(); ++i) have << box->itemText(i);
    if (have == items) return;
    const QString current = box->currentText();
    const QSignalBlocker block(box);
    box->clear();
    box->addItems(items);
    if (items.contains(current)) box->setCurrentText(current);
  };
  refill(recipe_size_, sizes);
  for (const RecipePreset& p : recipePresets()) {
    if (QString::fromStdString(p.recipe) == recipe &&
        sizeText(p.n_layers, p.seq_len) == recipe_size_->currentText())
      archs << QString::fromStdString(p.arch);
  }
  refill(recipe_arch_, archs);
}

bool RunSetupPanel::loadRecipe(const QString& recipe, const QString& size, const QString& arch) {
  for (const RecipePreset& p : recipePresets()) {
    if (QString::fromStdString(p.recipe) != recipe || QString::fromStdString(p.arch) != arch ||
        sizeText(p.n_layers, p.seq_len) != size)
      continue;
    if (edited_ &&
        !confirm(tr("Use recipe"), tr("Load %1? The edits made to %2 are lost.")
                                       .arg(QString::fromStdString(p.preset), origin_name_)))
      return false;
    return loadPreset(QString::fromStdString(p.preset));
  }
  return false;
}

void RunSetupPanel::updateRecipe(const std::optional<RunConfig>& parsed) {
  if (!parsed) {
    recipe_match_->setText(tr("(recipe: the form does not parse)"));
    return;
  }
  const std::optional<RecipeMatch> m = nearestRecipe(*parsed);
  if (!m) {
    recipe_match_->clear();
    return;
  }
  const QString what =
      tr("recipe %1 (%2, %3)")
          .arg(QString::fromStdString(m->preset.recipe), QString::fromStdString(m->preset.arch),
               sizeText(m->preset.n_layers, m->preset.seq_len));
  if (m->differing.empty()) {
    recipe_match_->setText(tr("This is %1").arg(what));
    recipe_match_->setToolTip(QString::fromStdString(m->preset.preset));
    return;
  }
  QStringList keys;
  for (const std::string& k : m->differing) keys << QString::fromStdString(k);
  const int shown = std::min<int>(keys.size(), 4);
  QString list = QStringList(keys.mid(0, shown)).join(QStringLiteral(", "));
  if (keys.size() > shown) list += tr(", … (%1 more)").arg(keys.size() - shown);
  recipe_match_->setText(keys.size() == 1
                             ? tr("1 key from %1: %2").arg(what, list)
                             : tr("%1 keys from %2: %3").arg(keys.size()).arg(what, list));
  recipe_match_->setToolTip(keys.join(QStringLiteral("\n")));
}

QString RunSetupPanel::recipeMatchText() const { return recipe_match_->text(); }
QString RunSetupPanel::backboneText() const {
  return backbone_label_ ? backbone_label_->text() : QString();
}

void RunSetupPanel::requestStart() {
  validate();
  if (valid_) {
    emit startRequested(*valid_);
    return;
  }
  revealErrors();
}

void RunSetupPanel::revealErrors() {
  // Nothing is queued: show the first field with a problem, on its page, with the focus in it.
  if (form_->focusFirst(errors_)) status_->setText(tr("Not queued: ") + status_->text());
}

bool RunSetupPanel::confirm(const QString& title, const QString& question) {
  if (confirm_handler_) return confirm_handler_(title, question);
  return QMessageBox::question(this, title, question) == QMessageBox::Yes;
}

void RunSetupPanel::updateOrigin() {
  origin_->setText(origin_name_.isEmpty() ? QString()
                   : edited_              ? tr("from %1, edited").arg(origin_name_)
                                          : tr("from %1").arg(origin_name_));
  origin_->setToolTip(origin_->text());
}

QString RunSetupPanel::errorShown(const QString& key) const { return form_->errorShown(key); }
QString RunSetupPanel::parameterText() const { return params_->text(); }

void RunSetupPanel::setDeviceIsCuda(bool on) {
  device_is_cuda_ = on;
  form_->setUnavailable(QStringLiteral("train.cuda_graph"), cudaGraphReason(on));
  validate();
}

std::optional<RunConfig> RunSetupPanel::config() const { return valid_; }

QString RunSetupPanel::statusText() const { return status_->text(); }
QString RunSetupPanel::originText() const { return origin_->text(); }
QString RunSetupPanel::presetShown() const { return presets_->currentText(); }

bool RunSetupPanel::loadPreset(const QString& name) {
  const std::string path = presetPath(name.toStdString());
  if (path.empty()) return false;
  if (!loadFile(QString::fromStdString(path))) return false;
  origin_name_ = name;  // the box names the preset shown
  updateOrigin();
  const QSignalBlocker block(presets_);
  presets_->setCurrentIndex(std::max(0, presets_->findText(name)));
  return true;
}

bool RunSetupPanel::loadFile(const QString& path, QString* error) {
  try {
    setConfig(loadRunConfig(path.toStdString()));
    edited_ = false;
    origin_name_ = QFileInfo(path).completeBaseName();
    updateOrigin();
    const QSignalBlocker block(presets_);
    presets_->setCurrentIndex(std::max(0, presets_->findText(origin_name_)));
    return true;
  } catch (const InputError& e) {
    const QString message = QString::fromUtf8(e.what());
    // Said as what it is: the file was not loaded and the form is as it was (under a valid
    // form's parameter count, the bare error read as the form's own). The next edit or load
    // replaces it.
    status_->setText(tr("Not loaded: %1. The form still holds %2.")
                         .arg(message, origin_name_.isEmpty() ? tr("what it held") : origin_name_));
    status_->setStyleSheet(QStringLiteral("color: #b00020"));
    if (error) *error = message;
    return false;
  }
}

bool RunSetupPanel::saveFile(const QString& path, QString* error) const {
  if (!valid_) {
    if (error) *error = tr("the configuration is not valid");
    return false;
  }
  try {
    writeFileAtomic(path.toStdString(), runConfigToJson(*valid_) + "\n");
    return true;
  } catch (const InputError& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
}

}  // namespace gwb::ui
