// SampleDialog.
#include "ui/sample_dialog.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "engine/config/run_config.h"

namespace gwb::ui {

SampleDialog::SampleDialog(const QString& run_dir, QWidget* parent)
    : QDialog(parent), run_dir_(QFileInfo(run_dir).absoluteFilePath()) {
  QString name = QDir(run_dir_).dirName();
  try {
    const RunConfig config = loadRunConfig((run_dir_ + "/config.json").toStdString());
    name = QString::fromStdString(config.name);
    wordpiece_ = config.data.tokenizer == "bert";
    if (config.data.isSnli())
      unavailable_ = tr("%1 is an SNLI classifier: it has labels, not text, to give.").arg(name);
  } catch (const std::exception& e) {
    unavailable_ = QString::fromUtf8(e.what());
  }
  setWindowTitle(tr("Samples from %1").arg(name));

  prompt_ = new QPlainTextEdit(QStringLiteral("The"));
  prompt_->setMaximumHeight(70);
  tokens_ = new QSpinBox;
  tokens_->setRange(1, 1024);
  tokens_->setValue(50);
  temperature_ = new QDoubleSpinBox;
  temperature_->setRange(0, 5);
  temperature_->setSingleStep(0.1);
  temperature_->setValue(0.8);
  temperature_->setToolTip(tr("0 means greedy: always the most likely token"));
  top_k_ = new QSpinBox;
  top_k_->setRange(0, 100000);
  top_k_->setValue(40);
  top_k_->setToolTip(tr("0 means all tokens"));
  seed_ = new QSpinBox;
  seed_->setRange(0, 1 << 30);
  checkpoint_ = new QComboBox;
  for (const char* kind : {"best", "last"}) {
    if (QFileInfo::exists(run_dir_ + QStringLiteral("/checkpoints/%1.safetensors").arg(kind)))
      checkpoint_->addItem(QString::fromLatin1(kind));
  }
  if (unavailable_.isEmpty() && checkpoint_->count() == 0)
    unavailable_ = tr("%1 has no checkpoint yet (the first is written at its first evaluation "
                      "or checkpoint step).")
                       .arg(name);

  generate_ = new QPushButton(tr("Generate"));
  generate_->setDefault(true);
  stop_ = new QPushButton(tr("Stop"));
  stop_->setEnabled(false);
  output_ = new QTextBrowser;
  status_ = new QLabel(unavailable_);
  status_->setWordWrap(true);

  auto* form = new QFormLayout;
  form->addRow(tr("Prompt"), prompt_);
  auto* knobs = new QHBoxLayout;
  for (auto [label, widget] : {std::pair<QString, QWidget*>{tr("tokens"), tokens_},
                               {tr("temperature"), temperature_},
                               {tr("top-k"), top_k_},
                               {tr("seed"), seed_},
                               {tr("checkpoint"), checkpoint_}}) {
    knobs->addWidget(new QLabel(label));
    knobs->addWidget(widget);
  }
  knobs->addStretch(1);
  form->addRow(knobs);
  auto* actions = new QHBoxLayout;
  actions->addWidget(generate_);
  actions->addWidget(stop_);
  actions->addWidget(status_, 1);
  auto* close = new QDialogButtonBox(QDialogButtonBox::Close);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addLayout(actions);
  layout->addWidget(output_, 1);
  layout->addWidget(close);
  resize(760, 520);

  generate_->setEnabled(unavailable_.isEmpty());
  connect(generate_, &QPushButton::clicked, this, &SampleDialog::generate);
  connect(stop_, &QPushButton::clicked, this, [this] {
    if (process_) process_->kill();
  });
  connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

SampleDialog::~SampleDialog() {
  if (process_) {
    process_->disconnect(this);
    process_->kill();
    process_->waitForFinished(2000);
  }
}

void SampleDialog::setPrompt(const QString& prompt) { prompt_->setPlainText(prompt); }

void SampleDialog::setSettings(int tokens, double temperature, int top_k, int seed) {
  tokens_->setValue(tokens);
  temperature_->setValue(temperature);
  top_k_->setValue(top_k);
  seed_->setValue(seed);
}

QString SampleDialog::status() const { return status_->text(); }
bool SampleDialog::busy() const { return process_ != nullptr; }

void SampleDialog::generate() {
  if (!unavailable_.isEmpty() || process_) return;
  if (prompt_->toPlainText().trimmed().isEmpty()) {
    status_->setText(tr("Write a prompt to continue."));
    return;
  }
  process_ = new QProcess(this);
  connect(process_, &QProcess::finished, this, &SampleDialog::finished);
  connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
    if (error == QProcess::FailedToStart) finished(-1);
  });
  const QStringList args{QStringLiteral("sample"),        run_dir_,
                         QStringLiteral("--prompt"),      prompt_->toPlainText(),
                         QStringLiteral("--tokens"),      QString::number(tokens_->value()),
                         QStringLiteral("--temperature"), QString::number(temperature_->value()),
                         QStringLiteral("--top-k"),       QString::number(top_k_->value()),
                         QStringLiteral("--seed"),        QString::number(seed_->value()),
                         QStringLiteral("--checkpoint"),  checkpoint_->currentText()};
  generate_->setEnabled(false);
  stop_->setEnabled(true);
  status_->setText(tr("Generating %1 tokens…").arg(tokens_->value()));
  process_->start(QCoreApplication::applicationDirPath() + QStringLiteral("/gwb"), args);
}

void SampleDialog::finished(int exit_code) {
  if (!process_) return;
  QProcess* p = process_;
  process_ = nullptr;
  const QByteArray out = p->readAllStandardOutput();
  const QString err = QString::fromUtf8(p->readAllStandardError()).trimmed();
  const bool killed = p->exitStatus() == QProcess::CrashExit;
  p->deleteLater();
  generate_->setEnabled(true);
  stop_->setEnabled(false);
  const QJsonObject result = QJsonDocument::fromJson(out.split('\n').front()).object();
  const bool ok = exit_code == 0 && result.contains("completion");
  if (ok) {
    const QString completion = result.value("completion").toString();
    completions_ << completion;
    // WordPiece text of the new tokens starts without the space before its first word (the
    // prompt's last word and it read "Thethe"); byte-level BPE keeps its own spaces. Newlines and
    // runs of spaces are shown as generated.
    const QString prompt = result.value("prompt").toString();
    const bool join = wordpiece_ && !completion.isEmpty() && !completion.front().isSpace() &&
                      !prompt.isEmpty() && !prompt.back().isSpace();
    output_->append(QStringLiteral("<p style=\"white-space: pre-wrap\"><b>%1</b>%2<br><small "
                                   "style=\"color:#777\">%3</small></p>")
                        .arg(prompt.toHtmlEscaped(),
                             (join ? QStringLiteral(" ") : QString()) + completion.toHtmlEscaped(),
                             tr("%1 checkpoint, %2 tokens, temperature %3, top-k %4, seed %5")
                                 .arg(checkpoint_->currentText())
                                 .arg(tokens_->value())
                                 .arg(temperature_->value())
                                 .arg(top_k_->value())
                                 .arg(seed_->value())
                                 .toHtmlEscaped()));
    status_->setText(tr("Done."));
  } else if (killed) {
    status_->setText(tr("Stopped."));
  } else {
    status_->setText(exit_code == -1
                         ? tr("Could not start %1/gwb.").arg(QCoreApplication::applicationDirPath())
                         : err.section('\n', -1));
  }
  emit sampleFinished(ok);
}

}  // namespace gwb::ui
