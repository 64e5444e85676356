// DataDownloads: the items table, the buttons, and the worker (QtConcurrent) around fetchItem /
// verifyItem.
#include "ui/data_downloads.h"

#include <QDesktopServices>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cmath>

#include "engine/catalog/installed.h"
#include "engine/catalog/verify.h"
#include "engine/fetch/fetcher.h"

namespace gwb::ui {
namespace {

enum Column { kName, kInstalled, kVerified, kSize, kLicence, kSource, kColumns };

QString megabytes(double bytes) {
  return bytes < 1e5 ? QString("%1 kB").arg(bytes / 1e3, 0, 'f', 0)
                     : QString("%1 MB").arg(bytes / 1e6, 0, 'f', 1);
}

QString joined(const std::vector<std::string>& lines) {
  QStringList out;
  for (const std::string& l : lines) out << QString::fromStdString(l);
  return out.join("\n");
}

}  // namespace

DataDownloads::DataDownloads(QWidget* parent) : QWidget(parent) {
  home_label_ = new QLabel;
  home_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  table_ = new QTableWidget(0, kColumns);
  table_->setHorizontalHeaderLabels(
      {tr("Item"), tr("Installed"), tr("Verified"), tr("Size"), tr("Licence"), tr("Source")});
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  fetch_ = new QPushButton(tr("Fetch"));
  fetch_->setToolTip(tr("Download, check (size, SHA-256) and install the selected item"));
  verify_ = new QPushButton(tr("Verify"));
  verify_->setToolTip(tr("Check the installed files' sizes and SHA-256 against MANIFEST.json"));
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setToolTip(tr("Stop; the partial download is kept and the next fetch resumes it"));
  reveal_ = new QPushButton(tr("Reveal folder"));
  refresh_ = new QPushButton(tr("Refresh"));
  progress_ = new QProgressBar;
  progress_->setRange(0, 1000);
  progress_->setVisible(false);
  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* buttons = new QHBoxLayout;
  for (QPushButton* b : {fetch_, verify_, cancel_, reveal_, refresh_}) buttons->addWidget(b);
  buttons->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(home_label_);
  layout->addWidget(table_, 1);
  layout->addLayout(buttons);
  layout->addWidget(progress_);
  layout->addWidget(status_);

  connect(fetch_, &QPushButton::clicked, this, [this] { fetch(selectedName()); });
  connect(verify_, &QPushButton::clicked, this, [this] { verify(selectedName()); });
  connect(cancel_, &QPushButton::clicked, this, &DataDownloads::cancel);
  connect(reveal_, &QPushButton::clicked, this, [this] { reveal(selectedName()); });
  connect(refresh_, &QPushButton::clicked, this, &DataDownloads::refresh);
  connect(table_, &QTableWidget::itemSelectionChanged, this, &DataDownloads::updateButtons);
  connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, &DataDownloads::onFinished);
  revealer_ = [](const QString& dir) { QDesktopServices::openUrl(QUrl::fromLocalFile(dir)); };
  refresh();
}

DataDownloads::~DataDownloads() {
  cancel();
  watcher_.waitForFinished();
}

QString DataDownloads::statusText() const { return status_->text(); }

QString DataDownloads::selectedName() const {
  const QList<QTableWidgetItem*> selected = table_->selectedItems();
  if (selected.isEmpty()) return {};
  const QTableWidgetItem* item = table_->item(selected.front()->row(), kName);
  return item ? item->text() : QString();
}

void DataDownloads::setStatus(const QString& text, bool error) {
  status_->setStyleSheet(error ? "color: #b00020" : "");
  status_->setText(text);
}

void DataDownloads::refresh() {
  const QString selected = selectedName();
  table_->setRowCount(0);
  missing_.clear();
  try {
    home_ = QString::fromStdString(fetchedDataDir());
    home_label_->setText(tr("Installed in %1 (GWB_DATA_HOME changes it)").arg(home_));
    const Catalog catalog = loadCatalog();
    const std::string home = home_.toStdString();
    table_->setRowCount(static_cast<int>(catalog.items.size()));
    for (int row = 0; row < static_cast<int>(catalog.items.size()); ++row) {
      const CatalogItem& item = catalog.items[row];
      const ItemStatus s = itemStatus(item, home);
      auto* name = new QTableWidgetItem(QString::fromStdString(item.name));
      name->setToolTip(QString::fromStdString(item.description));
      table_->setItem(row, kName, name);
      table_->setItem(row, kInstalled, new QTableWidgetItem(s.installed ? tr("yes") : tr("no")));
      auto* verified = new QTableWidgetItem(s.verified ? tr("yes") : s.installed ? tr("no") : "");
      verified->setToolTip(joined(s.problems));
      table_->setItem(row, kVerified, verified);
      auto* size = new QTableWidgetItem(megabytes(static_cast<double>(item.downloadBytes())));
      size->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      if (s.installed) {
        size->setToolTip(tr("%1 installed").arg(megabytes(static_cast<double>(s.installed_bytes))));
      }
      table_->setItem(row, kSize, size);
      table_->setItem(row, kLicence, new QTableWidgetItem(QString::fromStdString(item.licence)));
      auto* source = new QTableWidgetItem(QString::fromStdString(item.source()));
      source->setToolTip(tr("Pinned from: %1").arg(QString::fromStdString(item.pinned_from)));
      table_->setItem(row, kSource, source);
      missing_ << QString::fromStdString(missingForFetch(item));
      if (name->text() == selected) table_->selectRow(row);
    }
    table_->resizeColumnsToContents();
    // Room for every item (up to 10; the page showed 3 of its 6 and a scroll bar).
    int height = table_->horizontalHeader()->height() + 2 * table_->frameWidth();
    for (int row = 0; row < std::min(table_->rowCount(), 10); ++row)
      height += table_->rowHeight(row);
    table_->setMinimumHeight(height);
    if (!isRunning() && status_->styleSheet().isEmpty() && status_->text().isEmpty()) {
      setStatus(tr("Select an item to fetch, verify or reveal it."));
    }
  } catch (const std::exception& e) {
    setStatus(QString::fromUtf8(e.what()), true);
  }
  updateButtons();
}

void DataDownloads::updateButtons() {
  const QList<QTableWidgetItem*> selected = table_->selectedItems();
  const int row = selected.isEmpty() ? -1 : selected.front()->row();
  const bool busy = isRunning();
  const QString missing = row >= 0 && row < missing_.size() ? missing_[row] : QString();
  const bool installed = row >= 0 && table_->item(row, kInstalled) &&
                         table_->item(row, kInstalled)->text() == tr("yes");
  fetch_->setEnabled(row >= 0 && !busy && missing.isEmpty());
  fetch_->setToolTip(missing.isEmpty()
                         ? tr("Download, check (size, SHA-256) and install the selected item")
                         : tr("This build has no %1: gwb data fetch says the same").arg(missing));
  verify_->setEnabled(row >= 0 && !busy && installed);
  cancel_->setEnabled(busy);
  reveal_->setEnabled(true);
  refresh_->setEnabled(!busy);
}

void DataDownloads::reveal(const QString& name) {
  const QString dir =
      name.isEmpty() || !QFileInfo(home_ + "/" + name).isDir() ? home_ : home_ + "/" + name;
  revealer_(dir);
}

void DataDownloads::fetch(const QString& name) { start(name, true); }
void DataDownloads::verify(const QString& name) { start(name, false); }

void DataDownloads::cancel() {
  if (cancel_flag_) cancel_flag_->store(true);
  if (isRunning()) setStatus(tr("Cancelling…"));
}

void DataDownloads::start(const QString& name, bool fetch) {
  if (isRunning() || name.isEmpty()) return;
  cancel_flag_ = std::make_shared<std::atomic<bool>>(false);
  const auto flag = cancel_flag_;
  const std::string item_name = name.toStdString();
  const std::string home = home_.toStdString();
  progress_->setValue(0);
  progress_->setFormat(fetch ? tr("%1: starting").arg(name) : tr("%1: checking").arg(name));
  progress_->setVisible(true);
  setStatus(fetch ? tr("Fetching %1…").arg(name) : tr("Verifying %1…").arg(name));
  // The worker: plain values only cross back, through queued calls on this object (dropped if
  // the page is gone; the destructor cancels and waits anyway).
  watcher_.setFuture(QtConcurrent::run([this, flag, item_name, home, fetch]() -> Outcome {
    Outcome out;
    try {
      const Catalog catalog = loadCatalog();
      const CatalogItem& item = catalog.require(item_name);
      const auto log = [this](const std::string& line) {
        QMetaObject::invokeMethod(
            this, [this, text = QString::fromStdString(line)] { setStatus(text); },
            Qt::QueuedConnection);
      };
      if (fetch) {
        FetchOptions options;
        options.home = home;
        options.download = downloadOptionsFromEnvironment();
        options.download.cancel = flag.get();
        options.download.log = log;
        options.download.progress = [this](const DownloadProgress& p) {
          QMetaObject::invokeMethod(
              this, [this, p] { onProgress(p); }, Qt::QueuedConnection);
        };
        const FetchResult r = fetchItem(item, options);
        out.message = r.downloaded ? tr("%1 installed in %2")
                                         .arg(QString::fromStdString(item_name),
                                              QString::fromStdString(r.dir))
                                   : tr("%1 is installed and verified: nothing to download")
                                         .arg(QString::fromStdString(item_name));
      } else {
        const ItemStatus s = verifyItem(item, home, log, flag.get());
        out.kind = s.verified ? Kind::Done : Kind::Failed;
        out.message = s.verified ? tr("%1: every file has its size and SHA-256")
                                       .arg(QString::fromStdString(item_name))
                                 : tr("%1 does not verify:\n%2")
                                       .arg(QString::fromStdString(item_name), joined(s.problems));
      }
    } catch (const Cancelled&) {
      out.kind = Kind::Cancelled;
    } catch (const std::exception& e) {
      out.kind = Kind::Failed;
      out.message = QString::fromUtf8(e.what());
    }
    return out;
  }));
  updateButtons();
}

void DataDownloads::onProgress(const DownloadProgress& p) {
  if (!isRunning() || p.total <= 0) return;
  progress_->setValue(
      static_cast<int>(1000.0 * static_cast<double>(p.received) / static_cast<double>(p.total)));
  QString text =
      tr("%1: %2 of %3")
          .arg(QString::fromStdString(p.file), megabytes(static_cast<double>(p.received)),
               megabytes(static_cast<double>(p.total)));
  if (p.bytes_per_s > 0) text += tr(", %1/s").arg(megabytes(p.bytes_per_s));
  if (p.eta_s >= 0) {
    const long s = std::lround(p.eta_s);
    text += tr(", ETA %1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
  }
  progress_->setFormat(text);
}

void DataDownloads::onFinished() {
  const Outcome out = watcher_.result();
  progress_->setVisible(false);
  switch (out.kind) {
    case Kind::Done:
      setStatus(out.message);
      break;
    case Kind::Cancelled:
      setStatus(tr("Cancelled: the partial download is kept in %1/.downloads; Fetch resumes it")
                    .arg(home_));
      break;
    case Kind::Failed:
      setStatus(out.message, true);
      break;
  }
  refresh();
  emit finished();
}

}  // namespace gwb::ui
