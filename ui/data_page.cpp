// DataPage: the downloads above; controls, worker thread (QtConcurrent), table and chart below.
#include "ui/data_page.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "engine/data/feature_cache.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"
#include "plotting/bar_chart.h"
#include "plotting/plot_style.h"
#include "ui/data_downloads.h"

namespace gwb::ui {
namespace {

QTableWidgetItem* number(std::int64_t value) {
  auto* item = new QTableWidgetItem(QLocale().toString(static_cast<qlonglong>(value)));
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

}  // namespace

DataPage::DataPage(QWidget* parent) : QWidget(parent) {
  task_ = new QComboBox;
  task_->addItem(tr("Wikitext-2 (language modelling)"), "wikitext2");
  task_->addItem(tr("SNLI 1.0 (inference)"), "snli");
  tokenizer_ = new QComboBox;
  tokenizer_->addItem(tr("GPT-2 byte-level BPE (50,257)"), "gpt2");
  tokenizer_->addItem(tr("BERT WordPiece uncased (30,522)"), "bert");
  dir_ = new QLineEdit;
  dir_->setPlaceholderText(tr("installed, else embedded"));
  dir_->setToolTip(
      tr("A folder with wiki.{train,valid,test}.{tokens,raw}[.gz] or "
         "snli_1.0_{train,dev,test}.{jsonl,txt,tsv}[.gz]; empty for the copy a run uses: "
         "the installed one (Fetch above), else the embedded data"));
  auto* browse = new QPushButton(tr("Browse…"));
  seq_len_ = new QSpinBox;
  seq_len_->setRange(2, 65536);
  seq_len_->setValue(256);
  seq_len_->setToolTip(tr("Chunk length L: each chunk gives L - 1 next-token predictions"));
  compute_ = new QPushButton(tr("Count splits"));
  compute_->setDefault(true);
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setEnabled(false);
  progress_ = new QProgressBar;
  progress_->setVisible(false);
  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* dir_row = new QHBoxLayout;
  dir_row->addWidget(dir_);
  dir_row->addWidget(browse);
  auto* form = new QFormLayout;
  form->addRow(tr("Task"), task_);
  form->addRow(tr("Tokenizer"), tokenizer_);
  form->addRow(tr("Folder"), dir_row);
  form->addRow(tr("Chunk length"), seq_len_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(compute_);
  buttons->addWidget(cancel_);
  auto* controls = new QWidget;
  controls->setMaximumWidth(420);
  auto* left = new QVBoxLayout(controls);
  left->setContentsMargins(0, 0, 0, 0);
  left->addLayout(form);
  left->addLayout(buttons);
  left->addWidget(progress_);
  left->addWidget(status_);
  left->addStretch(1);

  table_ = new QTableWidget;
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  chart_ = new plot::BarChart;
  chart_->setMinimumHeight(220);
  chart_->legend->setVisible(false);

  auto* results = new QSplitter(Qt::Vertical);
  results->addWidget(table_);
  results->addWidget(chart_);
  results->setSizes({160, 480});

  auto* stats = new QWidget;
  auto* stats_layout = new QHBoxLayout(stats);
  stats_layout->setContentsMargins(0, 0, 0, 0);
  stats_layout->addWidget(controls);
  stats_layout->addWidget(results, 1);

  downloads_ = new DataDownloads;
  auto* downloads_box = new QGroupBox(tr("Data sets and weights to download"));
  auto* downloads_layout = new QVBoxLayout(downloads_box);
  downloads_layout->addWidget(downloads_);
  feature_caches_ = new QTableWidget;
  feature_caches_->setObjectName(QStringLiteral("feature_caches"));
  feature_caches_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  feature_caches_->setSelectionBehavior(QAbstractItemView::SelectRows);
  feature_caches_->verticalHeader()->setVisible(false);
  feature_caches_->horizontalHeader()->setStretchLastSection(true);
  feature_status_ = new QLabel;
  feature_status_->setWordWrap(true);
  auto* refresh = new QPushButton(tr("Refresh"));
  auto* remove = new QPushButton(tr("Remove selected"));
  auto* cache_buttons = new QHBoxLayout;
  cache_buttons->addWidget(feature_status_, 1);
  cache_buttons->addWidget(refresh);
  cache_buttons->addWidget(remove);
  auto* caches_box = new QGroupBox(tr("Feature caches of a frozen backbone"));
  caches_box->setToolTip(
      tr("A frozen DistilBERT computes the same outputs every epoch: a split's are kept on disk "
         "when they fit data.feature_cache_gb, keyed by the backbone's and the data's SHA-256, "
         "the encoding, seq_len and precision, and shared by runs with the same encoding"));
  auto* caches_layout = new QVBoxLayout(caches_box);
  caches_layout->addWidget(feature_caches_);
  caches_layout->addLayout(cache_buttons);

  auto* page = new QSplitter(Qt::Vertical);
  page->addWidget(downloads_box);
  page->addWidget(stats);
  page->addWidget(caches_box);
  page->setSizes({260, 640, 160});
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(page);

  connect(compute_, &QPushButton::clicked, this, &DataPage::computeStats);
  connect(cancel_, &QPushButton::clicked, this, &DataPage::cancel);
  connect(browse, &QPushButton::clicked, this, &DataPage::browse);
  connect(refresh, &QPushButton::clicked, this, &DataPage::refreshFeatureCaches);
  connect(remove, &QPushButton::clicked, this, &DataPage::removeSelectedFeatureCaches);
  refreshFeatureCaches();
  connect(task_, &QComboBox::currentIndexChanged, this,
          [this] { seq_len_->setEnabled(task_->currentData() == "wikitext2"); });
  connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, &DataPage::onFinished);
  // SNLI's models read BERT WordPiece ids (the frozen DistilBERT's vocabulary): choosing SNLI
  // shows its counts in those tokens (it showed GPT-2's).
  connect(task_, &QComboBox::currentIndexChanged, this, [this] {
    if (task_->currentData().toString() == QLatin1String("snli"))
      tokenizer_->setCurrentIndex(tokenizer_->findData(QStringLiteral("bert")));
  });
}

DataPage::~DataPage() {
  cancel();
  watcher_.waitForFinished();
}

void DataPage::setRequest(const QString& task, const QString& tokenizer, const QString& dir,
                          int seq_len) {
  task_->setCurrentIndex(std::max(0, task_->findData(task)));
  tokenizer_->setCurrentIndex(std::max(0, tokenizer_->findData(tokenizer)));
  dir_->setText(dir);
  seq_len_->setValue(seq_len);
}

QString DataPage::errorText() const { return error_; }

void DataPage::refreshFeatureCaches() {
  const std::string dir = cacheDir();
  const std::vector<FeatureCacheInfo> caches = listFeatureCaches(dir);
  const QStringList headers = {tr("Split"), tr("Holds"),     tr("Encoding"), tr("Precision"),
                               tr("Pairs"), tr("Size (MB)"), tr("Created"),  tr("File")};
  feature_caches_->clear();
  feature_caches_->setColumnCount(static_cast<int>(headers.size()));
  feature_caches_->setHorizontalHeaderLabels(headers);
  feature_caches_->setRowCount(static_cast<int>(caches.size()));
  std::int64_t total = 0;
  for (int row = 0; row < static_cast<int>(caches.size()); ++row) {
    const FeatureCacheInfo& f = caches[static_cast<std::size_t>(row)];
    const auto text = [](const std::string& s) {
      return new QTableWidgetItem(QString::fromStdString(s));
    };
    if (f.readable) {
      feature_caches_->setItem(row, 0, text(f.key.split));
      feature_caches_->setItem(row, 1,
                               text(f.key.kind == "pooled" ? "pooled vectors (reference heads)"
                                                           : "token features (paper heads)"));
      feature_caches_->setItem(row, 2, text(f.key.encoding + " " + std::to_string(f.key.seq_len)));
      feature_caches_->setItem(row, 3, text(f.key.precision));
      feature_caches_->setItem(row, 4, number(f.key.pairs));
      feature_caches_->setItem(row, 6, text(f.created_at));
    } else {
      feature_caches_->setItem(row, 0, text("(unreadable)"));
    }
    auto* size = new QTableWidgetItem(QString::number(static_cast<double>(f.bytes) / 1e6, 'f', 1));
    size->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    feature_caches_->setItem(row, 5, size);
    feature_caches_->setItem(row, 7, text(f.file));
    total += f.bytes;
  }
  feature_status_->setText(caches.empty()
                               ? tr("No feature caches in %1").arg(QString::fromStdString(dir))
                               : tr("%n cache(s), %1 MB in %2", "", static_cast<int>(caches.size()))
                                     .arg(static_cast<double>(total) / 1e6, 0, 'f', 1)
                                     .arg(QString::fromStdString(dir)));
}

void DataPage::removeSelectedFeatureCaches() {
  std::vector<std::string> names;
  for (const QModelIndex& index : feature_caches_->selectionModel()->selectedRows()) {
    if (const QTableWidgetItem* file = feature_caches_->item(index.row(), 7))
      names.push_back(file->text().toStdString());
  }
  if (names.empty()) return;
  try {
    removeFeatureCaches(cacheDir(), names);
  } catch (const InputError& e) {
    feature_status_->setText(QString::fromStdString(e.what()));
    return;
  }
  refreshFeatureCaches();
}

void DataPage::browse() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Data folder"), dir_->text());
  if (!dir.isEmpty()) dir_->setText(dir);
}

void DataPage::computeStats() {
  if (watcher_.isRunning()) return;
  DataStatsRequest request;
  request.task = task_->currentData().toString().toStdString();
  request.tokenizer = tokenizer_->currentData().toString().toStdString();
  request.dir = dir_->text().trimmed().toStdString();
  request.seq_len = seq_len_->value();
  cancel_flag_ = std::make_shared<std::atomic<bool>>(false);
  const auto flag = cancel_flag_;
  error_.clear();
  compute_->setEnabled(false);
  cancel_->setEnabled(true);
  progress_->setRange(0, 3);
  progress_->setValue(0);
  progress_->setVisible(true);
  status_->setStyleSheet({});
  status_->setText(
      tr("Tokenising… (the first time takes a few seconds per split; then the "
         "token cache answers)"));
  watcher_.setFuture(QtConcurrent::run([this, request, flag]() -> Outcome {
    Outcome outcome;
    int done = 0;
    try {
      outcome.stats = computeDataStats(request, [&](const SplitStats& s) {
        QMetaObject::invokeMethod(
            this,
            [this, split = QString::fromStdString(s.split), d = ++done] {
              onSplitDone(split, d, 3);
            },
            Qt::QueuedConnection);
        return !flag->load();
      });
    } catch (const std::exception& e) {
      outcome.error = QString::fromUtf8(e.what());
    }
    return outcome;
  }));
}

void DataPage::cancel() {
  if (cancel_flag_) cancel_flag_->store(true);
  if (watcher_.isRunning()) status_->setText(tr("Cancelling after the current split…"));
}

void DataPage::onSplitDone(const QString& split, int done, int total) {
  progress_->setValue(done);
  if (watcher_.isRunning())
    status_->setText(tr("%1 done (%2 of %3)").arg(split).arg(done).arg(total));
}

void DataPage::onFinished() {
  const Outcome outcome = watcher_.result();
  compute_->setEnabled(true);
  cancel_->setEnabled(false);
  progress_->setVisible(false);
  error_ = outcome.error;
  if (!error_.isEmpty()) {
    status_->setStyleSheet("color: #b00020");
    status_->setText(error_);
    emit finished();
    return;
  }
  stats_ = outcome.stats;
  const bool cancelled = cancel_flag_ && cancel_flag_->load();
  status_->setText(
      cancelled
          ? tr("Cancelled: %1 of 3 splits counted").arg(stats_.splits.size())
          : tr("%1 with %2 tokens, from %3 (%4)")
                .arg(QString::fromStdString(stats_.task), QString::fromStdString(stats_.tokenizer),
                     QString::fromStdString(stats_.dir), QString::fromStdString(stats_.note)));
  showStats();
  emit finished();
}

void DataPage::showStats() {
  const bool snli = stats_.task == "snli";
  const QStringList headers =
      snli ? QStringList{tr("Split"),      tr("Pairs"),   tr("Dropped (-)"),   tr("Kept"),
                         tr("Entailment"), tr("Neutral"), tr("Contradiction"), tr("Tokens"),
                         tr("Cached"),     tr("File")}
           : QStringList{tr("Split"),
                         tr("Lines"),
                         tr("Non-empty"),
                         tr("Tokens"),
                         tr("Chunks of %1").arg(stats_.seq_len),
                         tr("Cached"),
                         tr("File")};
  table_->clear();
  table_->setColumnCount(headers.size());
  table_->setHorizontalHeaderLabels(headers);
  table_->setRowCount(static_cast<int>(stats_.splits.size()));
  QStringList categories;
  QVector<double> tokens;
  for (int row = 0; row < static_cast<int>(stats_.splits.size()); ++row) {
    const SplitStats& s = stats_.splits[row];
    int col = 0;
    table_->setItem(row, col++, new QTableWidgetItem(QString::fromStdString(s.split)));
    if (snli) {
      for (std::int64_t v : {s.pairs, s.dropped, s.kept, s.labels[0], s.labels[1], s.labels[2]}) {
        table_->setItem(row, col++, number(v));
      }
    } else {
      for (std::int64_t v : {s.lines, s.nonempty_lines}) table_->setItem(row, col++, number(v));
    }
    table_->setItem(row, col++, number(s.tokens));
    if (!snli) table_->setItem(row, col++, number(s.chunks));
    table_->setItem(row, col++, new QTableWidgetItem(s.from_cache ? tr("yes") : tr("no")));
    table_->setItem(row, col++, new QTableWidgetItem(QString::fromStdString(s.file)));
    categories << QString::fromStdString(s.split);
    tokens << static_cast<double>(s.tokens);
  }
  table_->resizeColumnsToContents();
  chart_->setCategories(categories);
  chart_->setValueLabel(tr("tokens"));
  chart_->addSeries(QString::fromStdString(stats_.tokenizer) + tr(" tokens"), tokens,
                    plot::paletteColor(stats_.tokenizer == "gpt2" ? 0 : 1));
  chart_->legend->setVisible(true);
}

}  // namespace gwb::ui
