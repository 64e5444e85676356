// RunSetupPanel: the field table, JSON round trip through the engine's parser, validation.
#include "ui/run_setup_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSet>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

#include "engine/config/config_keys.h"
#include "engine/config/presets.h"
#include "engine/data/backbone_folder.h"
#include "engine/data/fetch/installed.h"
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

RunSetupPanel::Kind RunSetupPanel::kindOf(KeyType type) {
  switch (type) {
    case KeyType::Int:
      return Kind::Int;
    case KeyType::Number:
      return Kind::Double;
    case KeyType::Bool:
      return Kind::Bool;
    case KeyType::Choice:
      return Kind::Choice;
    case KeyType::IntList:
      return Kind::IntList;
    case KeyType::NumberList:
      return Kind::DoubleList;
    case KeyType::Path:
      return Kind::Path;
    case KeyType::Text:
      break;
  }
  return Kind::Text;
}

RunSetupPanel::RunSetupPanel(QWidget* parent) : QWidget(parent) {
  presets_ = new QComboBox;
  presets_->addItem(tr("(choose a preset)"));
  for (const std::string& name : presetNames()) presets_->addItem(QString::fromStdString(name));
  auto* load = new QPushButton(tr("Load…"));
  auto* save = new QPushButton(tr("Save…"));
  origin_ = new QLabel;  // where the configuration came from, and whether it was edited since
  origin_->setStyleSheet(QStringLiteral("color: #606060"));
  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Preset")));
  top->addWidget(presets_, 1);
  top->addWidget(origin_);
  top->addWidget(load);
  top->addWidget(save);

  // Every field comes from the engine's one table of keys (engine/config/config_keys.h): its
  // label, help, type, choices and page. "Run" sits above the tabs; the other pages are tabs.
  tabs_ = new QTabWidget;
  auto* run = new QWidget;
  auto* run_form = new QFormLayout(run);
  run_form->setContentsMargins(0, 0, 0, 0);
  pages_[QStringLiteral("Run")] = run;
  for (const std::string& name : configPages()) {
    if (name == "Run") continue;
    auto* w = new QWidget;
    auto* form = new QFormLayout(w);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto* scroll = new QScrollArea;
    scroll->setWidget(w);
    scroll->setWidgetResizable(true);
    tabs_->addTab(scroll, tr(name.c_str()));
    pages_[QString::fromStdString(name)] = w;
    if (name == "Classifier") classifier_tab_ = scroll;
  }
  for (const ConfigKey& key : configKeys()) {
    QStringList choices;
    for (const std::string& c : key.choices) choices << QString::fromStdString(c);
    addField(pages_.value(QString::fromStdString(key.page), run), QString::fromStdString(key.path),
             tr(key.label.c_str()), kindOf(key.type), tr(key.help.c_str()), choices);
  }
  leak_ = new QLabel(
      tr("⚠ future_leaky leaks later tokens into each position: not a causal language model"));
  leak_->setStyleSheet(QStringLiteral("color: #b00020"));
  leak_->setWordWrap(true);
  leak_->setVisible(false);
  static_cast<QFormLayout*>(pages_[QStringLiteral("Model")]->layout())->addRow(leak_);

  if (QWidget* page = pages_.value(pageOf(QStringLiteral("model.backbone_dir")))) {
    backbone_ = new QLabel;
    backbone_->setObjectName(QStringLiteral("backbone_info"));
    backbone_->setWordWrap(true);
    backbone_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    static_cast<QFormLayout*>(page->layout())->addRow(tr("Backbone found"), backbone_);
  }

  params_ = new QLabel;
  params_->setStyleSheet(QStringLiteral("font-weight: bold"));
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
  family_->addItems({"reference", "paper", "paper-perlayer", "arledge", "snli scratch",
                     "snli paper", "snli reference", "snli cpu-small"});
  family_->setToolTip(
      tr("Wikitext-2: the family's 8 configurations (N 6/12 x L 128/256 x both "
         "architectures); snli: the family's preset for each architecture"));
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
  layout->addWidget(run);
  layout->addWidget(tabs_, 1);
  layout->addWidget(params_);
  layout->addWidget(status_);
  layout->addLayout(buttons);

  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(150);
  connect(debounce_, &QTimer::timeout, this, &RunSetupPanel::validate);
  connect(presets_, &QComboBox::activated, this, [this](int i) {
    if (i <= 0) return;
    if (edited_ && !confirm(tr("Load preset"), tr("Load %1? The edits made to %2 are lost.")
                                                   .arg(presets_->itemText(i), origin_name_))) {
      const QSignalBlocker block(presets_);
      presets_->setCurrentIndex(
          presets_->findText(origin_name_) > 0 ? presets_->findText(origin_name_) : 0);
      return;
    }
    loadPreset(presets_->itemText(i));
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

void RunSetupPanel::addField(QWidget* page, const QString& key, const QString& label, Kind kind,
                             const QString& tip, const QStringList& choices) {
  Field f{key, kind, nullptr, new QLabel, label};
  f.error->setStyleSheet(QStringLiteral("color: #b00020"));
  f.error->setWordWrap(true);
  f.error->setVisible(false);
  const auto changed = [this] {
    if (loading_) return;
    if (!edited_) {
      edited_ = true;
      updateOrigin();
    }
    debounce_->start();
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
  if (kind == Kind::Path) {  // a folder: typed, or chosen with a dialog
    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(f.editor, 1);
    auto* browse = new QPushButton(tr("Browse…"));
    browse->setObjectName(key + QStringLiteral(".browse"));
    auto* edit = static_cast<QLineEdit*>(f.editor);
    connect(browse, &QPushButton::clicked, this, [this, edit, label] {
      const QString dir = QFileDialog::getExistingDirectory(this, label, edit->text());
      if (!dir.isEmpty()) edit->setText(dir);
    });
    row->addWidget(browse);
    v->addLayout(row);
  } else {
    v->addWidget(f.editor);
  }
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
      case Kind::Path:
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
                     QString::fromStdString(resolved.model.arch),
                     resolved.data.isSnli()
                         ? (resolved.model.hasBackbone()
                                ? (resolved.model.head_variant == "reference"
                                       ? tr(" reference head (degenerate: Plücker(z, z) = 0) on "
                                            "a frozen DistilBERT")
                                       : tr(" paper head on a frozen DistilBERT"))
                                : tr(" classifier"))
                         : QString(),
                     other,
                     QLocale().toString(static_cast<qlonglong>(countTwinParameters(resolved)))));
      }
    } catch (const InputError& e) {
      errors_[baseKey(e.where().key)] = QString::fromStdString(e.detail());
    }
  }
  if (!valid_) params_->clear();
  for (auto it = errors_.begin(); it != errors_.end(); ++it) it.value() = withLabels(it.value());
  showErrors();
  updateArchitecture();
  start_->setEnabled(valid_.has_value());
  pair_->setEnabled(valid_.has_value());
  // Which fields, on which pages; the pages with errors are marked in the tab bar.
  QStringList where;
  QSet<QString> pages;
  for (const Field& f : fields_) {
    if (!errors_.contains(f.key)) continue;
    const QString page = pageOf(f.key);
    where << tr("%1 (%2)").arg(f.label, page);
    pages.insert(page);
  }
  for (int i = 0; i < tabs_->count(); ++i) {
    QString text = tabs_->tabText(i);
    text.remove(QStringLiteral("⚠ "));
    tabs_->setTabText(i, pages.contains(text) ? QStringLiteral("⚠ ") + text : text);
  }
  status_->setText(valid_ ? QString()
                          : tr("%n field(s) need attention: %1", nullptr, errors_.size())
                                .arg(where.join(QStringLiteral(", "))));
  status_->setStyleSheet(valid_ ? QString() : QStringLiteral("color: #b00020"));
}

void RunSetupPanel::describeBackbone(const RunConfig& resolved) {
  if (!backbone_) return;
  if (!resolved.model.hasBackbone()) {
    backbone_->setText(tr("(no backbone: the model trains from scratch)"));
    return;
  }
  QString dir;
  try {
    const DataResolution r = resolveBackboneDir(resolved.model.backbone_dir);
    if (r.source == DataSource::None) {
      // Not an error of the form (a cluster may hold the folder), but a run here stops on it.
      backbone_->setText(QStringLiteral("⚠ ") + QString::fromStdString(r.error));
      backbone_->setStyleSheet(QStringLiteral("color: #a05a00"));
      return;
    }
    dir = QString::fromStdString(r.dir);
  } catch (const InputError& e) {
    errors_[QStringLiteral("model.backbone_dir")] = QString::fromStdString(e.what());
    backbone_->clear();
    return;
  }
  const QFileInfo weights(dir + QStringLiteral("/model.safetensors"));
  const QString key = dir + '|' + QString::number(weights.size()) + '|' +
                      QString::number(weights.lastModified().toMSecsSinceEpoch());
  if (key != backbone_key_) {
    backbone_key_ = key;
    backbone_text_.clear();
    backbone_error_.clear();
    try {
      const BackboneFolder f = inspectBackboneFolder(dir.toStdString(), /*with_sha256=*/true);
      backbone_text_ = tr("%1: DistilBERT, dim %2, %3 layers, %4 heads, %5 parameters (frozen), "
                          "model.safetensors sha256 %6")
                           .arg(QString::fromStdString(f.dir))
                           .arg(f.shape.dim)
                           .arg(f.shape.n_layers)
                           .arg(f.shape.n_heads)
                           .arg(QLocale().toString(static_cast<qlonglong>(f.parameters)))
                           .arg(QString::fromStdString(f.weights_sha256));
      for (const ConfigProblem& p :
           backboneProblems(resolved, f, knownVocabSize(resolved.data.tokenizer))) {
        backbone_error_ = QString::fromStdString(p.message);
        break;
      }
    } catch (const InputError& e) {
      backbone_error_ = QString::fromStdString(e.what());
    }
  }
  if (!backbone_error_.isEmpty() && !errors_.contains(QStringLiteral("model.backbone_dir")))
    errors_[QStringLiteral("model.backbone_dir")] = backbone_error_;
  backbone_->setStyleSheet(QString());
  backbone_->setText(backbone_text_.isEmpty() ? tr("(nothing usable there)") : backbone_text_);
}

QString RunSetupPanel::withLabels(QString message) const {
  // "expected a number in [0, train.lr]" reads "expected a number in [0, Learning rate]".
  QList<const Field*> by_length;
  for (const Field& f : fields_) by_length << &f;
  std::sort(by_length.begin(), by_length.end(),
            [](const Field* a, const Field* b) { return a->key.size() > b->key.size(); });
  for (const Field* f : by_length) {
    if (f->key.contains('.')) message.replace(f->key, f->label);
  }
  return message;
}

QString RunSetupPanel::pageOf(const QString& key) const {
  const ConfigKey* k = findConfigKey(key.toStdString());
  return k ? tr(k->page.c_str()) : QString();
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
  for (const Field& f : fields_) {
    if (!errors_.contains(f.key)) continue;
    const QString page = pageOf(f.key);
    for (int i = 0; i < tabs_->count(); ++i) {
      QString text = tabs_->tabText(i);
      if (text.remove(QStringLiteral("⚠ ")) == page) tabs_->setCurrentIndex(i);
    }
    f.editor->setFocus(Qt::OtherFocusReason);
    status_->setText(tr("Not queued: ") + status_->text());
    return;
  }
}

bool RunSetupPanel::confirm(const QString& title, const QString& question) {
  if (confirm_handler_) return confirm_handler_(title, question);
  return QMessageBox::question(this, title, question) == QMessageBox::Yes;
}

void RunSetupPanel::updateOrigin() {
  origin_->setText(origin_name_.isEmpty() ? QString()
                   : edited_              ? tr("from %1, edited").arg(origin_name_)
                                          : tr("from %1").arg(origin_name_));
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

RunConfig RunSetupPanel::choicesShown() const {
  // The choice fields as they stand, even while another field does not parse: they decide which
  // keys apply (architecture, task, backbone, head variant, pairing).
  RunConfig c;
  for (const Field& f : fields_) {
    const std::string v = fieldText(f).toStdString();
    if (f.key == "model.arch") c.model.arch = v;
    if (f.key == "data.task") c.data.task = v;
    if (f.key == "model.backbone") c.model.backbone = v;
    if (f.key == "model.head_variant") c.model.head_variant = v;
    if (f.key == "model.pairing") c.model.pairing = v;
    if (f.key == "data.pair_encoding") c.data.pair_encoding = v;
  }
  if (c.data.task == "wikitext") c.data.task = "wikitext2";
  return c;
}

void RunSetupPanel::updateArchitecture() {
  const RunConfig shown = choicesShown();
  for (Field& f : fields_) {
    const ConfigKey* key = findConfigKey(f.key.toStdString());
    if (!key) continue;
    f.editor->setEnabled(key->appliesTo(shown));
    if (key->choices_for) {  // e.g. data.format: the formats of the chosen task
      auto* box = static_cast<QComboBox*>(f.editor);
      QStringList wanted;
      for (const std::string& c : key->choicesFor(shown)) wanted << QString::fromStdString(c);
      QStringList have;
      for (int i = 0; i < box->count(); ++i) have << box->itemText(i);
      if (have != wanted) {
        const QString current = box->currentText();
        const QSignalBlocker block(box);
        box->clear();
        box->addItems(wanted);
        box->setCurrentText(wanted.contains(current) ? current : wanted.front());
      }
    }
  }
  const int classifier = tabs_->indexOf(classifier_tab_);
  if (classifier >= 0) tabs_->setTabVisible(classifier, shown.data.isSnli());
  leak_->setVisible(shown.model.arch == "grassmann" && shown.model.pairing == "future_leaky");
}

void RunSetupPanel::setDeviceIsCuda(bool on) {
  device_is_cuda_ = on;
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
