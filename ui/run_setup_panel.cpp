// RunSetupPanel: the field table, JSON round trip through the engine's parser, validation.
#include "ui/run_setup_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "engine/config/presets.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace gwb::ui {
namespace {

QString baseKey(const std::string& key) {
  QString k = QString::fromStdString(key);
  const int bracket = k.indexOf('[');
  return bracket >= 0 ? k.left(bracket) : k;
}

QJsonValue lookup(const QJsonObject& root, const QString& key) {
  const int dot = key.indexOf('.');
  return dot < 0 ? root.value(key) : root.value(key.left(dot)).toObject().value(key.mid(dot + 1));
}

void store(QJsonObject& root, const QString& key, const QJsonValue& value) {
  const int dot = key.indexOf('.');
  if (dot < 0) {
    root[key] = value;
    return;
  }
  QJsonObject section = root.value(key.left(dot)).toObject();
  section[key.mid(dot + 1)] = value;
  root[key.left(dot)] = section;
}

QString numberText(double v) { return QString::number(v, 'g', 10); }

}  // namespace

RunSetupPanel::RunSetupPanel(QWidget* parent) : QWidget(parent) {
  presets_ = new QComboBox;
  presets_->addItem(tr("(choose a preset)"));
  for (const std::string& name : presetNames()) presets_->addItem(QString::fromStdString(name));
  auto* load = new QPushButton(tr("Load…"));
  auto* save = new QPushButton(tr("Save…"));
  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Preset")));
  top->addWidget(presets_, 1);
  top->addWidget(load);
  top->addWidget(save);

  auto* tabs = new QTabWidget;
  const auto page = [&](const QString& title) {
    auto* w = new QWidget;
    auto* form = new QFormLayout(w);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto* scroll = new QScrollArea;
    scroll->setWidget(w);
    scroll->setWidgetResizable(true);
    tabs->addTab(scroll, title);
    forms_[title] = form;
    return w;
  };
  auto* run = new QWidget;  // always visible, above the tabs
  auto* run_form = new QFormLayout(run);
  run_form->setContentsMargins(0, 0, 0, 0);
  forms_[tr("Run")] = run_form;
  addField(run, "name", tr("Name"), Kind::Text, tr("Names the run folder"));
  addField(run, "description", tr("Description"), Kind::Text,
           tr("One line on what the run is for"));
  addField(run, "seed", tr("Seed"), Kind::Int, tr("Seeds initialisation, data order and dropout"));
  QWidget* model = page(tr("Model"));
  addField(model, "model.arch", tr("Architecture"), Kind::Choice,
           tr("Causal Grassmann mixing or attention"), {"grassmann", "transformer"});
  addField(model, "model.n_layers", tr("Layers N"), Kind::Int, tr("Blocks"));
  addField(model, "model.d_model", tr("Width d"), Kind::Int, tr("Hidden size"));
  addField(model, "model.d_ff", tr("FFN width"), Kind::Int,
           tr("Inner size of the feed-forward network (4d)"));
  addField(model, "model.dropout", tr("Dropout"), Kind::Double,
           tr("Embedding, mixing/attention and FFN dropout"));
  addField(model, "model.norm", tr("LayerNorm"), Kind::Choice,
           tr("pre: the reference reproduction; post: the paper's text"), {"pre", "post"});
  addField(model, "model.tie_embeddings", tr("Tie head to embedding"), Kind::Bool,
           tr("Output head shares the token embedding"));
  addField(model, "model.vocab_size", tr("Vocabulary"), Kind::Int, tr("0: the tokenizer's size"));
  addField(model, "model.max_len", tr("Positions"), Kind::Int,
           tr("Rows of the position embedding; 0: the chunk length"));
  addField(model, "model.heads", tr("Heads (Transformer)"), Kind::Int,
           tr("Attention heads; must divide d"));
  addField(model, "model.r", tr("Reduced dimension r"), Kind::Int,
           tr("z_t in R^r; r(r-1)/2 Plücker coordinates"));
  addField(model, "model.windows", tr("Offsets δ"), Kind::IntList,
           tr("Offsets of the pairs (t, t-δ), e.g. 1, 2, 4, 8, 12, 16"));
  addField(model, "model.window_mode", tr("Offsets per layer"), Kind::Choice,
           tr("all: every layer uses every offset (reference); per_layer: layer l uses offset l"),
           {"all", "per_layer"});
  addField(model, "model.normalize_plucker", tr("Normalise Plücker vectors"), Kind::Bool,
           tr("p / max(|p|, eps)"));
  addField(model, "model.plucker_eps", tr("Plücker eps"), Kind::Double,
           tr("Normalisation floor and degeneracy threshold"));
  addField(
      model, "model.pairing", tr("Pairing"), Kind::Choice,
      tr("past: causal (t, t-δ); future_leaky: the paper's literal t+δ, which sees later tokens"),
      {"past", "future_leaky"});
  leak_ = new QLabel(
      tr("⚠ future_leaky leaks later tokens into each position: not a causal language model"));
  leak_->setStyleSheet(QStringLiteral("color: #b00020"));
  leak_->setWordWrap(true);
  leak_->setVisible(false);
  forms_[tr("Model")]->addRow(leak_);
  QWidget* data = page(tr("Data"));
  addField(data, "data.task", tr("Task"), Kind::Choice,
           tr("Language modelling on Wikitext-2 (SNLI training: not yet)"), {"wikitext2", "snli"});
  addField(data, "data.tokenizer", tr("Tokenizer"), Kind::Choice,
           tr("GPT-2 BPE (50,257) or BERT WordPiece (30,522)"), {"gpt2", "bert"});
  addField(data, "data.dir", tr("Data folder"), Kind::Text, tr("Empty: the embedded copy"));
  addField(data, "data.format", tr("Format"), Kind::Choice, tr("Which files of the folder"),
           {"auto", "tokens", "raw", "jsonl", "txt", "tsv"});
  addField(data, "data.vocab_dir", tr("Vocabulary folder"), Kind::Text,
           tr("Empty: the embedded vocabulary"));
  addField(data, "data.seq_len", tr("Chunk length L"), Kind::Int,
           tr("Tokens per chunk; L-1 predictions each"));
  addField(data, "data.max_train_tokens", tr("Training tokens cap"), Kind::Int, tr("0: all"));
  addField(data, "data.max_eval_tokens", tr("Evaluation tokens cap"), Kind::Int, tr("0: all"));
  QWidget* train = page(tr("Recipe"));
  addField(train, "train.epochs", tr("Epochs"), Kind::Int, tr("Passes over the training chunks"));
  addField(train, "train.batch_size", tr("Batch"), Kind::Int, tr("Chunks per step"));
  addField(train, "train.lr", tr("Learning rate"), Kind::Double, tr("Peak rate"));
  addField(train, "train.min_lr", tr("Final learning rate"), Kind::Double, tr("Cosine floor"));
  addField(train, "train.warmup_steps", tr("Warm-up steps"), Kind::Int,
           tr("Linear warm-up from 0"));
  addField(train, "train.schedule", tr("Schedule"), Kind::Choice,
           tr("Cosine over the run, per epoch, or constant"),
           {"cosine", "cosine_per_epoch", "constant"});
  addField(train, "train.weight_decay", tr("Weight decay"), Kind::Double,
           tr("AdamW decay on every parameter"));
  addField(train, "train.betas", tr("AdamW betas"), Kind::DoubleList, tr("beta1, beta2"));
  addField(train, "train.adam_eps", tr("AdamW eps"), Kind::Double, tr("Denominator floor"));
  addField(train, "train.clip", tr("Gradient clip"), Kind::Double, tr("Global norm; 0: none"));
  addField(train, "train.precision", tr("Precision"), Kind::Choice,
           tr("auto: bf16 on CUDA, fp32 on a CPU"), {"auto", "fp32", "bf16"});
  addField(train, "train.device", tr("Device"), Kind::Choice, tr("auto: CUDA if there is one"),
           {"auto", "cpu", "cuda"});
  addField(train, "train.cuda_graph", tr("CUDA graph"), Kind::Bool,
           tr("On CUDA, capture the training step once and replay it (the last partial batch runs "
              "eagerly)"));
  addField(train, "train.max_steps", tr("Step cap"), Kind::Int, tr("0: none"));
  addField(train, "train.eval_every", tr("Validate every"), Kind::Int,
           tr("Steps; 0: at epoch ends only"));
  addField(train, "train.probe_every", tr("Probe every"), Kind::Int, tr("Steps; 0: never"));
  addField(train, "train.checkpoint_every", tr("Checkpoint every"), Kind::Int,
           tr("Steps; 0: at epoch ends only"));
  addField(train, "train.log_every", tr("Read metrics every"), Kind::Int,
           tr("Steps; 0: 1 on a CPU, 10 on CUDA"));
  addField(train, "train.threads", tr("CPU threads"), Kind::Int, tr("0: all cores"));
  QWidget* probes = page(tr("Probes"));
  addField(probes, "probes.alpha_bins", tr("α bins"), Kind::Int,
           tr("Histogram bins of gate alpha over [0, 1]"));
  addField(probes, "probes.plucker_bins", tr("Plücker bins"), Kind::Int,
           tr("Bins of log10|p| and of the angle"));
  addField(probes, "probes.probe_batch", tr("Probe chunks"), Kind::Int,
           tr("Validation chunks probed"));

  params_ = new QLabel;
  params_->setStyleSheet(QStringLiteral("font-weight: bold"));
  status_ = new QLabel;
  status_->setWordWrap(true);
  start_ = new QPushButton(QIcon(":/icons/start.png"), tr("Start run"));
  start_->setToolTip(tr("Queue this configuration (Run ▸ Start run, Ctrl+Enter)"));
  pair_ = new QPushButton(tr("Run both architectures"));
  pair_->setToolTip(
      tr("Queue this configuration as Grassmann and as the size-matched Transformer"));
  family_ = new QComboBox;
  family_->addItems({"reference", "paper", "paper-perlayer", "arledge"});
  speedrun_ = new QPushButton(tr("Speedrun"));
  speedrun_->setToolTip(
      tr("Queue the family's 8 configurations (N 6/12 x L 128/256 x both architectures)"));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(start_);
  buttons->addWidget(pair_);
  buttons->addStretch(1);
  buttons->addWidget(family_);
  buttons->addWidget(speedrun_);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(run);
  layout->addWidget(tabs, 1);
  layout->addWidget(params_);
  layout->addWidget(status_);
  layout->addLayout(buttons);

  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(150);
  connect(debounce_, &QTimer::timeout, this, &RunSetupPanel::validate);
  connect(presets_, &QComboBox::activated, this, [this](int i) {
    if (i > 0) loadPreset(presets_->itemText(i));
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
  connect(start_, &QPushButton::clicked, this, [this] {
    validate();
    if (valid_) emit startRequested(*valid_);
  });
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

void RunSetupPanel::addField(QWidget* page, const QString& key, const QString& label, Kind kind,
                             const QString& tip, const QStringList& choices) {
  Field f{key, kind, nullptr, new QLabel};
  f.error->setStyleSheet(QStringLiteral("color: #b00020"));
  f.error->setWordWrap(true);
  f.error->setVisible(false);
  const auto changed = [this] {
    if (!loading_) debounce_->start();
  };
  if (kind == Kind::Bool) {
    auto* box = new QCheckBox;
    connect(box, &QCheckBox::toggled, this, changed);
    f.editor = box;
  } else if (kind == Kind::Choice) {
    auto* box = new QComboBox;
    box->addItems(choices);
    connect(box, &QComboBox::currentTextChanged, this, changed);
    f.editor = box;
  } else {
    auto* edit = new QLineEdit;
    connect(edit, &QLineEdit::textChanged, this, changed);
    f.editor = edit;
  }
  f.editor->setObjectName(key);
  f.editor->setToolTip(tip);
  auto* cell = new QWidget;
  auto* v = new QVBoxLayout(cell);
  v->setContentsMargins(0, 0, 0, 0);
  v->setSpacing(1);
  v->addWidget(f.editor);
  v->addWidget(f.error);
  static_cast<QFormLayout*>(page->layout())->addRow(label, cell);
  fields_ << f;
}

QWidget* RunSetupPanel::editor(const QString& key) const {
  for (const Field& f : fields_) {
    if (f.key == key) return f.editor;
  }
  return nullptr;
}

QString RunSetupPanel::fieldText(const Field& f) const {
  if (auto* box = qobject_cast<QComboBox*>(f.editor)) return box->currentText();
  if (auto* check = qobject_cast<QCheckBox*>(f.editor))
    return check->isChecked() ? "true" : "false";
  return qobject_cast<QLineEdit*>(f.editor)->text();
}

void RunSetupPanel::setFieldText(const QString& key, const QString& text) {
  for (const Field& f : fields_) {
    if (f.key != key) continue;
    if (auto* box = qobject_cast<QComboBox*>(f.editor)) {
      if (box->findText(text) < 0) box->addItem(text);
      box->setCurrentText(text);
    } else if (auto* check = qobject_cast<QCheckBox*>(f.editor)) {
      check->setChecked(text == "true");
    } else {
      qobject_cast<QLineEdit*>(f.editor)->setText(text);
    }
  }
}

void RunSetupPanel::setConfig(const RunConfig& config) {
  loading_ = true;
  const QJsonObject root =
      QJsonDocument::fromJson(QByteArray::fromStdString(runConfigToJson(config))).object();
  for (const Field& f : fields_) {
    const QJsonValue v = lookup(root, f.key);
    QString text;
    if (v.isArray()) {
      QStringList items;
      for (const auto& item : v.toArray()) items << numberText(item.toDouble());
      text = items.join(QStringLiteral(", "));
    } else if (v.isBool()) {
      text = v.toBool() ? "true" : "false";
    } else if (v.isDouble()) {
      text = numberText(v.toDouble());
    } else {
      text = v.toString();
    }
    setFieldText(f.key, text);
  }
  loading_ = false;
  validate();
}

void RunSetupPanel::validate() {
  errors_.clear();
  valid_.reset();
  QJsonObject root;
  for (const Field& f : fields_) {
    const QString text = fieldText(f).trimmed();
    bool ok = true;
    switch (f.kind) {
      case Kind::Int: {
        const qlonglong v = text.toLongLong(&ok);
        if (ok) store(root, f.key, static_cast<double>(v));
        break;
      }
      case Kind::Double: {
        const double v = text.toDouble(&ok);
        if (ok) store(root, f.key, v);
        break;
      }
      case Kind::Bool:
        store(root, f.key, text == "true");
        break;
      case Kind::Choice:
      case Kind::Text:
        store(root, f.key, text);
        break;
      case Kind::IntList:
      case Kind::DoubleList: {
        QJsonArray items;
        for (const QString& part : text.split(',', Qt::SkipEmptyParts)) {
          bool item_ok = false;
          const double v = f.kind == Kind::IntList
                               ? static_cast<double>(part.trimmed().toLongLong(&item_ok))
                               : part.trimmed().toDouble(&item_ok);
          ok = ok && item_ok;
          items.append(v);
        }
        if (ok) store(root, f.key, items);
        break;
      }
    }
    if (!ok) {
      errors_[f.key] = f.kind == Kind::Int ? tr("expected an integer, got \"%1\"").arg(text)
                       : f.kind == Kind::IntList
                           ? tr("expected integers separated by commas, got \"%1\"").arg(text)
                           : tr("expected a number, got \"%1\"").arg(text);
    }
  }
  if (errors_.isEmpty()) {
    try {
      RunConfig config = parseRunConfig(QJsonDocument(root).toJson().toStdString(), "set-up panel");
      RunConfig resolved = config;
      resolveRunConfig(resolved, knownVocabSize(resolved.data.tokenizer));
      for (const ConfigProblem& p : configProblems(resolved, /*device_is_cuda=*/false)) {
        const QString key = baseKey(p.key);
        if (!errors_.contains(key)) errors_[key] = QString::fromStdString(p.message);
      }
      if (errors_.isEmpty()) {
        valid_ = config;
        const std::int64_t n = countParameters(resolved.model);
        RunConfig other = resolved;
        other.model.arch = resolved.model.arch == "grassmann" ? "transformer" : "grassmann";
        params_->setText(
            tr("%1 parameters (%2); the size-matched %3 has %4")
                .arg(QLocale().toString(static_cast<qlonglong>(n)),
                     QString::fromStdString(resolved.model.arch),
                     QString::fromStdString(other.model.arch),
                     QLocale().toString(static_cast<qlonglong>(countParameters(other.model)))));
      }
    } catch (const InputError& e) {
      errors_[baseKey(e.where().key)] = QString::fromStdString(e.detail());
    }
  }
  if (!valid_) params_->clear();
  showErrors();
  updateArchitecture();
  start_->setEnabled(valid_.has_value());
  pair_->setEnabled(valid_.has_value());
  status_->setText(valid_ ? QString() : tr("%n field(s) need attention", nullptr, errors_.size()));
  status_->setStyleSheet(valid_ ? QString() : QStringLiteral("color: #b00020"));
}

void RunSetupPanel::showErrors() {
  for (Field& f : fields_) {
    const QString message = errors_.value(f.key);
    f.error->setText(message);
    f.error->setVisible(!message.isEmpty());
  }
}

QString RunSetupPanel::errorShown(const QString& key) const {
  for (const Field& f : fields_) {
    if (f.key == key) return f.error->isHidden() ? QString() : f.error->text();
  }
  return {};
}

QString RunSetupPanel::parameterText() const { return params_->text(); }

void RunSetupPanel::updateArchitecture() {
  bool grassmann = true, leaking = false;
  for (const Field& f : fields_) {
    if (f.key == "model.arch") grassmann = fieldText(f) == "grassmann";
    if (f.key == "model.pairing") leaking = fieldText(f) == "future_leaky";
  }
  for (const Field& f : fields_) {
    const bool grassmann_only =
        f.key == "model.r" || f.key == "model.windows" || f.key == "model.window_mode" ||
        f.key == "model.normalize_plucker" || f.key == "model.plucker_eps" ||
        f.key == "model.pairing" || f.key.startsWith("probes.");
    if (grassmann_only) f.editor->setEnabled(grassmann);
    if (f.key == "model.heads") f.editor->setEnabled(!grassmann);
  }
  leak_->setVisible(grassmann && leaking);
}

std::optional<RunConfig> RunSetupPanel::config() const { return valid_; }

bool RunSetupPanel::loadPreset(const QString& name) {
  const std::string path = presetPath(name.toStdString());
  if (path.empty()) return false;
  return loadFile(QString::fromStdString(path));
}

bool RunSetupPanel::loadFile(const QString& path, QString* error) {
  try {
    setConfig(loadRunConfig(path.toStdString()));
    status_->setText(tr("Loaded %1").arg(path));
    return true;
  } catch (const InputError& e) {
    const QString message = QString::fromUtf8(e.what());
    status_->setText(message);
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
