// ConfigForm.
#include "ui/config_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSet>
#include <QTabWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "engine/config/tasks.h"

namespace gwb::ui {
namespace {

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

ConfigForm::Kind ConfigForm::kindOf(KeyType type) {
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

ConfigForm::ConfigForm(QObject* parent) : QObject(parent) {
  tabs_ = new QTabWidget;
  // The tab bar scrolls rather than widening the form: the "⚠ " of a page with errors and the
  // SNLI Classifier tab appearing moved the set-up/queue splitter.
  tabs_->setUsesScrollButtons(true);
  run_page_ = new QWidget;
  auto* run_form = new QFormLayout(run_page_);
  run_form->setContentsMargins(0, 0, 0, 0);
  pages_[QStringLiteral("Run")] = run_page_;
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
  for (const ConfigKey& key : configKeys())
    addField(pages_.value(QString::fromStdString(key.page), run_page_), key);
}

void ConfigForm::addField(QWidget* page, const ConfigKey& key) {
  const QString name = QString::fromStdString(key.path);
  const QString label = tr(key.label.c_str());
  Field f{name, kindOf(key.type), nullptr, new QLabel, label};
  f.error->setStyleSheet(QStringLiteral("color: #b00020"));
  f.error->setWordWrap(true);
  f.error->setVisible(false);
  const auto changed = [this] {
    if (!loading_) emit edited();
  };
  if (f.kind == Kind::Bool) {
    auto* box = new QCheckBox;
    connect(box, &QCheckBox::toggled, this, changed);
    f.editor = box;
  } else if (f.kind == Kind::Choice) {
    auto* box = new QComboBox;
    for (const std::string& c : key.choices)
      box->addItem(c.empty() ? QString() : QString::fromStdString(c));
    connect(box, &QComboBox::currentTextChanged, this, changed);
    f.editor = box;
  } else {
    auto* edit = new QLineEdit;
    connect(edit, &QLineEdit::textChanged, this, changed);
    f.editor = edit;
    // A number whose 0 has a meaning ("0: the tokenizer's size") says it while it holds 0.
    const QString help = QString::fromStdString(key.help);
    const qsizetype at = help.indexOf(QStringLiteral("0: "));
    if (at >= 0 && (at == 0 || !help[at - 1].isDigit()) && f.kind != Kind::Path) {
      QString meaning = help.mid(at + 3);
      meaning = meaning.left(meaning.indexOf(QRegularExpression(QStringLiteral("[;)]|$"))));
      auto* zero = new QLabel(tr("0 means %1").arg(meaning.trimmed()));
      zero->setObjectName(name + QStringLiteral(".zero"));
      zero->setStyleSheet(QStringLiteral("color: palette(mid)"));
      zero->setVisible(false);
      connect(edit, &QLineEdit::textChanged, zero, [zero](const QString& text) {
        bool ok = false;
        zero->setVisible(text.trimmed().toDouble(&ok) == 0 && ok);
      });
      f.zero = zero;
    }
  }
  f.editor->setObjectName(name);
  f.editor->setToolTip(tr(key.help.c_str()));
  auto* cell = new QWidget;
  auto* v = new QVBoxLayout(cell);
  v->setContentsMargins(0, 0, 0, 0);
  v->setSpacing(1);
  if (f.kind == Kind::Path) {  // a folder: typed, or chosen with a dialog
    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(f.editor, 1);
    auto* browse = new QPushButton(tr("Browse…"));
    browse->setObjectName(name + QStringLiteral(".browse"));
    auto* edit = static_cast<QLineEdit*>(f.editor);
    connect(browse, &QPushButton::clicked, this, [edit, label] {
      const QString dir = QFileDialog::getExistingDirectory(edit, label, edit->text());
      if (!dir.isEmpty()) edit->setText(dir);
    });
    row->addWidget(browse);
    v->addLayout(row);
  } else {
    v->addWidget(f.editor);
  }
  if (f.zero) v->addWidget(f.zero);
  v->addWidget(f.error);
  static_cast<QFormLayout*>(page->layout())->addRow(label, cell);
  fields_ << f;
}

const ConfigForm::Field* ConfigForm::field(const QString& key) const {
  for (const Field& f : fields_) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

void ConfigForm::setUnavailable(const QString& key, const QString& reason) {
  if (reason.isEmpty())
    unavailable_.remove(key);
  else
    unavailable_.insert(key, reason);
  updateApplicability();
}

QLabel* ConfigForm::zeroHint(const QString& key) const {
  const Field* f = field(key);
  return f ? f->zero : nullptr;
}

QWidget* ConfigForm::editor(const QString& key) const {
  const Field* f = field(key);
  return f ? f->editor : nullptr;
}

QString ConfigForm::text(const Field& f) const {
  if (auto* box = qobject_cast<QComboBox*>(f.editor)) return box->currentText();
  if (auto* check = qobject_cast<QCheckBox*>(f.editor))
    return check->isChecked() ? "true" : "false";
  return qobject_cast<QLineEdit*>(f.editor)->text();
}

QString ConfigForm::fieldText(const QString& key) const {
  const Field* f = field(key);
  return f ? text(*f) : QString();
}

QString ConfigForm::label(const QString& key) const {
  const Field* f = field(key);
  return f ? f->label : key;
}

void ConfigForm::setFieldText(const QString& key, const QString& text) {
  const Field* f = field(key);
  if (!f) return;
  if (auto* box = qobject_cast<QComboBox*>(f->editor)) {
    if (box->findText(text) < 0) box->addItem(text);
    box->setCurrentText(text);
  } else if (auto* check = qobject_cast<QCheckBox*>(f->editor)) {
    check->setChecked(text == "true");
  } else {
    qobject_cast<QLineEdit*>(f->editor)->setText(text);
  }
}

void ConfigForm::setConfig(const RunConfig& config) {
  loading_ = true;
  const QJsonObject root =
      QJsonDocument::fromJson(QByteArray::fromStdString(runConfigToJson(config))).object();
  for (const Field& f : fields_) {
    const QJsonValue v = lookup(root, f.key);
    QString shown;
    if (v.isArray()) {
      QStringList items;
      for (const auto& item : v.toArray()) items << numberText(item.toDouble());
      shown = items.join(QStringLiteral(", "));
    } else if (v.isBool()) {
      shown = v.toBool() ? "true" : "false";
    } else if (v.isDouble()) {
      shown = numberText(v.toDouble());
    } else {
      shown = v.toString();
    }
    setFieldText(f.key, shown);
  }
  loading_ = false;
}

QJsonObject ConfigForm::json(QMap<QString, QString>& errors) const {
  QJsonObject root;
  for (const Field& f : fields_) {
    const QString value = text(f).trimmed();
    bool ok = true;
    switch (f.kind) {
      case Kind::Int: {
        const qlonglong v = value.toLongLong(&ok);
        if (ok) store(root, f.key, static_cast<double>(v));
        break;
      }
      case Kind::Double: {
        const double v = value.toDouble(&ok);
        if (ok) store(root, f.key, v);
        break;
      }
      case Kind::Bool:
        store(root, f.key, value == "true");
        break;
      case Kind::Choice:
      case Kind::Text:
      case Kind::Path:
        store(root, f.key, value);
        break;
      case Kind::IntList:
      case Kind::DoubleList: {
        QJsonArray items;
        for (const QString& part : value.split(',', Qt::SkipEmptyParts)) {
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
      errors[f.key] = f.kind == Kind::Int ? tr("expected an integer, got \"%1\"").arg(value)
                      : f.kind == Kind::IntList
                          ? tr("expected integers separated by commas, got \"%1\"").arg(value)
                          : tr("expected a number, got \"%1\"").arg(value);
    }
  }
  return root;
}

QString ConfigForm::withLabels(QString message) const {
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

QString ConfigForm::pageOf(const QString& key) const {
  const ConfigKey* k = findConfigKey(key.toStdString());
  return k ? tr(k->page.c_str()) : QString();
}

QStringList ConfigForm::showErrors(const QMap<QString, QString>& errors) {
  QStringList where;
  QSet<QString> pages;
  for (Field& f : fields_) {
    const QString message = errors.value(f.key);
    f.error->setText(message);
    f.error->setVisible(!message.isEmpty());
    if (message.isEmpty()) continue;
    const QString page = pageOf(f.key);
    where << tr("%1 (%2)").arg(f.label, page);
    pages.insert(page);
  }
  for (int i = 0; i < tabs_->count(); ++i) {
    QString name = tabs_->tabText(i);
    name.remove(QStringLiteral("⚠ "));
    tabs_->setTabText(i, pages.contains(name) ? QStringLiteral("⚠ ") + name : name);
  }
  return where;
}

QString ConfigForm::errorShown(const QString& key) const {
  const Field* f = field(key);
  return !f || f->error->isHidden() ? QString() : f->error->text();
}

bool ConfigForm::focusFirst(const QMap<QString, QString>& errors) {
  for (const Field& f : fields_) {
    if (!errors.contains(f.key)) continue;
    const QString page = pageOf(f.key);
    for (int i = 0; i < tabs_->count(); ++i) {
      QString name = tabs_->tabText(i);
      if (name.remove(QStringLiteral("⚠ ")) == page) tabs_->setCurrentIndex(i);
    }
    f.editor->setFocus(Qt::OtherFocusReason);
    return true;
  }
  return false;
}

RunConfig ConfigForm::updateApplicability() {
  // The choice fields as they stand, even while another field does not parse: they decide which
  // keys apply (architecture, task, tokenizer, backbone, head variant, pairing).
  RunConfig shown;
  for (const Field& f : fields_) {
    const std::string v = text(f).toStdString();
    if (f.key == "model.arch") shown.model.arch = v;
    if (f.key == "data.task") shown.data.task = v;
    if (f.key == "data.tokenizer") shown.data.tokenizer = v;
    if (f.key == "model.backbone") shown.model.backbone = v;
    if (f.key == "model.head_variant") shown.model.head_variant = v;
    if (f.key == "model.pairing") shown.model.pairing = v;
    if (f.key == "data.pair_encoding") shown.data.pair_encoding = v;
  }
  const std::string task = canonicalTaskOrEmpty(shown.data.task);
  if (!task.empty()) shown.data.task = task;
  for (Field& f : fields_) {
    const ConfigKey* key = findConfigKey(f.key.toStdString());
    if (!key) continue;
    const auto unavailable = unavailable_.constFind(f.key);
    f.editor->setEnabled(key->appliesTo(shown) && unavailable == unavailable_.constEnd());
    f.editor->setToolTip(unavailable == unavailable_.constEnd()
                             ? tr(key->help.c_str())
                             : tr(key->help.c_str()) + QStringLiteral("\n") + *unavailable);
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
  return shown;
}

}  // namespace gwb::ui
