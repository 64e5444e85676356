// The Data page's downloads, offscreen, against the loopback server: it lists the catalogue's
// items with what is installed; Fetch runs on a worker thread with a moving progress bar while the
// GUI keeps answering; Cancel stops it and leaves a partial download and no installation; the next
// Fetch resumes from that partial file with Range and installs; Verify reports an edited file;
// Reveal opens the item's folder. Below, the frozen backbone's feature caches are listed and
// removed.
#include <QComboBox>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <filesystem>

#include "data_fixtures.h"
#include "engine/data/feature_cache.h"
#include "engine/fetch/download.h"
#include "engine/fetch/extract.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"
#include "test_support.h"
#include "ui/data_downloads.h"
#include "ui/data_page.h"

using gwb::ui::DataDownloads;
namespace fs = std::filesystem;

class TestDataPage : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<gwb::test::FetchFixture> fx_;

  static bool waitDone(DataDownloads* d) {
    QSignalSpy spy(d, &DataDownloads::finished);
    return !d->isRunning() || spy.wait(60000);
  }
  static int rowOf(DataDownloads* d, const QString& name) {
    for (int row = 0; row < d->table()->rowCount(); ++row) {
      if (d->table()->item(row, 0)->text() == name) return row;
    }
    return -1;
  }
  static std::int64_t sizeOf(const std::string& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    return ec ? -1 : static_cast<std::int64_t>(size);
  }

 private slots:
  void initTestCase() {
    fx_ = std::make_unique<gwb::test::FetchFixture>();
    if (!gwb::downloadsAvailable() || !gwb::extractionAvailable()) {
      QSKIP("this build has no libcurl or no libarchive");
    }
  }
  void init() { fx_->reset(); }
  void cleanupTestCase() { fx_.reset(); }

  void listsAndRemovesFeatureCaches() {
    QTemporaryDir cache;
    const QByteArray was = qgetenv("GWB_CACHE_DIR");
    qputenv("GWB_CACHE_DIR", cache.path().toUtf8());
    const std::string dir = gwb::cacheDir();
    QCOMPARE(dir, cache.path().toStdString());
    gwb::FeatureCacheKey key;
    key.backbone_sha256 = std::string(64, 'c');
    key.data_sha256 = std::string(64, 'd');
    key.tokenizer = "bert";
    key.split = "test";
    key.kind = "pooled";
    key.encoding = "joint";
    key.seq_len = 96;
    key.precision = "fp32";
    key.pairs = 2;
    key.rows = 2;
    key.dim = 3;
    const float rows[6] = {1, 2, 3, 4, 5, 6};
    gwb::FeatureCacheWriter writer(dir, key);
    writer.append(rows, sizeof rows);
    writer.commit();
    gwb::ui::DataPage page;
    QTableWidget* t = page.featureCaches();
    QCOMPARE(t->rowCount(), 1);
    QCOMPARE(t->item(0, 0)->text(), QString("test"));
    QVERIFY(t->item(0, 1)->text().contains("pooled"));
    QCOMPARE(t->item(0, 2)->text(), QString("joint 96"));
    QCOMPARE(t->item(0, 7)->text().toStdString(), key.fileName());
    t->selectRow(0);
    page.removeSelectedFeatureCaches();
    QCOMPARE(t->rowCount(), 0);
    QVERIFY(gwb::listFeatureCaches(dir).empty());
    qputenv("GWB_CACHE_DIR", was);
  }

  void listsTheCatalogueOnTheDataPage() {
    const std::string blob = gwb::test::randomBytes(300000, 1);
    const std::string url = fx_->serve("/blob.bin", blob);
    fx_->writeCatalog(
        {gwb::test::catalogItem("blob", {gwb::test::plainFile({url}, blob, "weights.bin")})});
    gwb::ui::DataPage page;
    DataDownloads* d = page.downloads();
    QVERIFY(d);
    QCOMPARE(d->homeDir().toStdString(), fx_->home);
    QCOMPARE(d->table()->rowCount(), 1);
    QCOMPARE(d->table()->columnCount(), 6);
    QCOMPARE(d->table()->horizontalHeaderItem(5)->text(), QString("Source"));
    QCOMPARE(d->table()->item(0, 1)->text(), QString("no"));
    QCOMPARE(d->table()->item(0, 3)->text(), QString("0.3 MB"));
    QCOMPARE(d->table()->item(0, 4)->text(), QString("test licence"));
    QCOMPARE(d->table()->item(0, 5)->text().toStdString(), url);
  }

  // Issue 24: the fetch table showed 3 of its 6 rows (a scroll bar for the rest), and the SNLI
  // counts defaulted to GPT-2 tokens where SNLI's models read BERT WordPiece ids.
  void issue24_fetchTableShowsEveryItemAndSnliCountsBertTokens() {
    std::vector<nlohmann::json> items;
    for (int i = 0; i < 6; ++i) {
      const std::string blob = gwb::test::randomBytes(1000, i + 1);
      const std::string url = fx_->serve("/blob" + std::to_string(i) + ".bin", blob);
      items.push_back(gwb::test::catalogItem("item" + std::to_string(i),
                                             {gwb::test::plainFile({url}, blob, "f.bin")}));
    }
    fx_->writeCatalog(items);
    gwb::ui::DataPage page;
    page.resize(1100, 760);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QTableWidget* table = page.downloads()->table();
    QCOMPARE(table->rowCount(), 6);
    QCoreApplication::processEvents();
    const QRect last = table->visualItemRect(table->item(5, 0));
    QVERIFY2(table->viewport()->rect().contains(last),
             qPrintable(QString("row 6 at %1..%2 of a viewport %3 high")
                            .arg(last.top())
                            .arg(last.bottom())
                            .arg(table->viewport()->height())));
    QCOMPARE(page.tokenizerBox()->currentData().toString(), QString("gpt2"));
    page.taskBox()->setCurrentIndex(page.taskBox()->findData("snli"));
    QCOMPARE(page.tokenizerBox()->currentData().toString(), QString("bert"));
  }

  void cancelKeepsAPartialDownloadThatTheNextFetchResumes() {
    const std::string blob = gwb::test::randomBytes(4 << 20, 2);
    const std::string url = fx_->serve("/blob.bin", blob);
    fx_->writeCatalog(
        {gwb::test::catalogItem("blob", {gwb::test::plainFile({url}, blob, "weights.bin")})});
    gwb::test::ServeRule slow;
    slow.bytes_per_s = 1 << 20;  // four seconds for the whole file
    fx_->server().setRule("/blob.bin", slow);
    DataDownloads d;
    QCOMPARE(rowOf(&d, "blob"), 0);
    d.table()->selectRow(0);
    // The GUI thread keeps running while the worker downloads: a timer ticks throughout.
    int ticks = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, [&] { ++ticks; });
    ticker.start(20);
    d.fetch("blob");
    QVERIFY(d.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(d.progressBar()->value() > 0, 10000);
    QVERIFY(d.progressBar()->isVisible() || !d.isVisible());
    QVERIFY2(d.progressBar()->format().contains("blob.bin: "),
             qPrintable(d.progressBar()->format()));
    QVERIFY(ticks > 5);
    d.cancel();
    QVERIFY(waitDone(&d));
    QVERIFY2(d.statusText().startsWith("Cancelled: the partial download is kept"),
             qPrintable(d.statusText()));
    QVERIFY(!fs::exists(fx_->home + "/blob"));
    const std::string part =
        fx_->home + "/.downloads/blob/" + gwb::sha256Hex(blob).substr(0, 16) + "-blob.bin.part";
    const std::int64_t kept = sizeOf(part);
    QVERIFY2(kept > 0 && kept < std::int64_t(blob.size()), qPrintable(QString::number(kept)));
    QCOMPARE(d.table()->item(0, 1)->text(), QString("no"));

    fx_->server().clearRules();
    d.fetch("blob");
    QVERIFY(waitDone(&d));
    QVERIFY2(d.statusText().startsWith("blob installed in "), qPrintable(d.statusText()));
    const auto requests = fx_->server().requestsFor("/blob.bin");
    QCOMPARE(requests.back().range, "bytes=" + std::to_string(kept) + "-");
    QCOMPARE(requests.back().status, 206);
    QVERIFY(gwb::readFileBytes(fx_->home + "/blob/weights.bin") == blob);
    QCOMPARE(d.table()->item(0, 1)->text(), QString("yes"));
    QCOMPARE(d.table()->item(0, 2)->text(), QString("yes"));
  }

  void verifyReportsAnEditedFileAndRevealOpensTheFolder() {
    const std::string blob = gwb::test::randomBytes(100000, 3);
    const std::string url = fx_->serve("/blob.bin", blob);
    fx_->writeCatalog(
        {gwb::test::catalogItem("blob", {gwb::test::plainFile({url}, blob, "weights.bin")})});
    DataDownloads d;
    d.fetch("blob");
    QVERIFY(waitDone(&d));
    d.verify("blob");
    QVERIFY(waitDone(&d));
    QVERIFY2(d.statusText().contains("every file has its size and SHA-256"),
             qPrintable(d.statusText()));
    std::string edited = blob;
    edited[7] ^= 1;
    gwb::test::writeFile(fx_->home + "/blob/weights.bin", edited);
    d.verify("blob");
    QVERIFY(waitDone(&d));
    QVERIFY2(d.statusText().contains("blob does not verify:\nweights.bin: sha256 " +
                                     QString::fromStdString(gwb::sha256Hex(edited))),
             qPrintable(d.statusText()));
    QCOMPARE(d.table()->item(0, 2)->text(), QString("no"));
    QString opened;
    d.setRevealer([&](const QString& dir) { opened = dir; });
    d.reveal("blob");
    QCOMPARE(opened.toStdString(), fx_->home + "/blob");
  }
};

QTEST_MAIN(TestDataPage)
#include "tst_data_page.moc"
