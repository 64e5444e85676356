// gwb data fetch / list / verify against a real HTTP server on 127.0.0.1 (tests/http_test_server),
// through the same code path as the shipped catalogue (GWB_DATA_CATALOG points at the server).
// Each case asserts what ends up on disk: an SNLI-shaped zip installed with its named members only
// and then read by gwb data stats; a dropped connection resumed with Range to the same bytes, in
// one run and across runs; a server that ignores Range; a 403 mirror, then one that works; a
// redirect; 404 and 500 named per URL; a corrupted and a truncated download that install nothing
// and leave the previous installation as it was; a stall that times out; two fetches at once; an
// edited installation reported by verify and refused by a run; a proxy from the environment;
// archive members that are links, missing or too big.
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>
#include <filesystem>

#include "data_fixtures.h"
#include "engine/catalog/file_lock.h"
#include "engine/fetch/download.h"
#include "engine/fetch/extract.h"
#include "engine/util/file_io.h"
#include "test_support.h"

using Result = gwb::test::ProcessResult;
using Json = nlohmann::json;
namespace fs = std::filesystem;
using gwb::readFileBytes;
using gwb::sha256Hex;

class TestDataFetch : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<gwb::test::FetchFixture> fx_;

  Result gwb(const QStringList& args) {
    return gwb::test::runGwb(args, QString::fromStdString(fx_->cache), {}, 120000);
  }
  static QString err(const Result& r) { return QString::fromUtf8(r.err); }
  std::string home(const std::string& rest = "") const { return fx_->home + rest; }
  bool exists(const std::string& rest) const { return fs::exists(home(rest)); }

  /// Serves `bytes` at /blob.bin and writes a catalogue with the item "blob" (one plain file
  /// weights.bin) pinning them; returns the URL.
  std::string offerBlob(const std::string& bytes, const std::string& served_bytes = {}) {
    const std::string url = fx_->serve("/blob.bin", served_bytes.empty() ? bytes : served_bytes);
    fx_->writeCatalog(
        {gwb::test::catalogItem("blob", {gwb::test::plainFile({url}, bytes, "weights.bin")})});
    return url;
  }
  /// The partial download of `bytes` as the fetcher names it.
  std::string partOf(const std::string& bytes) const {
    return home("/.downloads/blob/" + sha256Hex(bytes).substr(0, 16) + "-blob.bin.part");
  }
  /// Names below `dir` (relative), sorted.
  static QStringList tree(const std::string& dir) {
    QStringList out;
    QDirIterator it(QString::fromStdString(dir),
                    QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) out << QDir(QString::fromStdString(dir)).relativeFilePath(it.next());
    out.sort();
    return out;
  }
  /// -1 if there is no such file.
  static std::int64_t sizeOf(const std::string& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    return ec ? -1 : static_cast<std::int64_t>(size);
  }
  static QJsonObject json(const QByteArray& line) { return QJsonDocument::fromJson(line).object(); }
  void noLeftoversBesideTheTarget() const {
    for (const QString& name :
         QDir(QString::fromStdString(home()))
             .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)) {
      QVERIFY2(!name.contains(".staging-") && !name.contains(".old-"), qPrintable(name));
    }
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

  void fetchesSnliArchiveWithItsNamedMembersOnly() {
    const std::string zip = gwb::test::snliZip();
    const std::string url = fx_->serve("/snli/snli_1.0.zip", zip);
    fx_->writeCatalog({gwb::test::catalogItem(
        "snli", {gwb::test::archiveFile({url}, zip, gwb::test::snliMembers())})});
    const Result r = gwb({"data", "fetch", "snli"});
    QVERIFY2(r.exit_code == 0, r.err.constData());
    QCOMPARE(r.out.count('\n'), 1);
    const QJsonObject manifest = json(r.out);
    QCOMPARE(manifest["name"].toString(), QString("snli"));
    const std::map<std::string, std::string> expected = {
        {"snli_1.0_train.jsonl", gwb::test::embeddedText("snli", "snli_1.0_train_0.01.jsonl")},
        {"snli_1.0_dev.jsonl", gwb::test::embeddedText("snli", "snli_1.0_dev.jsonl")},
        {"snli_1.0_test.jsonl", gwb::test::embeddedText("snli", "snli_1.0_test.jsonl")},
        {"README.txt", "SNLI 1.0 (a test archive made from the embedded files)\n"}};
    QCOMPARE(manifest["files"].toArray().size(), 4);
    for (const auto& f : manifest["files"].toArray()) {
      const QJsonObject file = f.toObject();
      const std::string to = file["to"].toString().toStdString();
      QVERIFY2(expected.count(to), to.c_str());
      QCOMPARE(file["sha256"].toString().toStdString(), sha256Hex(expected.at(to)));
      QCOMPARE(file["bytes"].toInteger(), qint64(expected.at(to).size()));
      QCOMPARE(file["url"].toString().toStdString(), url);
      QCOMPARE(file["member"].toString().toStdString(), "snli_1.0/" + to);
      QCOMPARE(file["source_sha256"].toString().toStdString(), sha256Hex(zip));
      QVERIFY(readFileBytes(home("/snli/" + to)) == expected.at(to));
    }
    // On disk: exactly the named members, the manifest and the stamp; no debris, nothing outside.
    QCOMPARE(tree(home("/snli")),
             (QStringList{".verified.json", "MANIFEST.json", "README.txt", "snli_1.0_dev.jsonl",
                          "snli_1.0_test.jsonl", "snli_1.0_train.jsonl"}));
    QCOMPARE(tree(home()).filter(QRegularExpression("^[^/]+$")), (QStringList{".locks", "snli"}));
    for (const QString& path : tree(fx_->work) + tree(QDir::currentPath().toStdString())) {
      QVERIFY2(!path.contains("escape"), qPrintable(path));
    }
    const auto requests = fx_->server().requestsFor("/snli/snli_1.0.zip");
    QCOMPARE(requests.size(), std::size_t(1));
    QVERIFY(requests[0].user_agent.rfind("grassmann-workbench/", 0) == 0);
    QVERIFY(err(r).contains("snli: extracting 4 members of snli_1.0.zip"));

    const QJsonObject list = json(gwb({"data", "list"}).out);
    QCOMPARE(list["dir"].toString().toStdString(), home());
    const QJsonObject item = list["items"].toArray()[0].toObject();
    QCOMPARE(item["installed"].toBool(), true);
    QCOMPARE(item["verified"].toBool(), true);
    QCOMPARE(item["bytes"].toInteger(), qint64(zip.size()));
    QCOMPARE(item["source"].toString().toStdString(), url);
    const Result verify = gwb({"data", "verify", "snli"});
    QCOMPARE(verify.exit_code, 0);
    QCOMPARE(json(verify.out)["items"].toArray()[0].toObject()["ok"].toBool(), true);

    // A run's data: gwb data stats without --dir reads the installed copy (the full train file).
    const Result stats = gwb({"data", "stats", "--task", "snli", "--tokenizer", "bert"});
    QVERIFY2(stats.exit_code == 0, stats.err.constData());
    const QJsonObject s = json(stats.out);
    QCOMPARE(s["dir"].toString().toStdString(), home("/snli"));
    QCOMPARE(s["source"].toString(), QString("installed"));
    QVERIFY(s["provenance"].toString().startsWith("installed snli ("));
    const QJsonObject train = s["splits"].toObject()["train"].toObject();
    QCOMPARE(train["file"].toString().toStdString(), home("/snli/snli_1.0_train.jsonl"));
    QCOMPARE(train["pairs"].toInt(), 5502);
    QCOMPARE(s["splits"].toObject()["dev"].toObject()["kept"].toInt(), 9842);
    QVERIFY(err(stats).contains("snli: the installed snli in " + QString::fromStdString(home())));

    // Installed and verified: a second fetch downloads nothing and prints the same manifest.
    const Result again = gwb({"data", "fetch", "snli"});
    QCOMPARE(again.exit_code, 0);
    QCOMPARE(fx_->server().requestsFor("/snli/snli_1.0.zip").size(), std::size_t(1));
    QVERIFY(err(again).contains("snli: installed and verified in"));
    QCOMPARE(json(again.out), manifest);
  }

  void droppedConnectionResumesWithRange() {
    const std::string blob = gwb::test::randomBytes(3 << 20, 1);
    offerBlob(blob);
    gwb::test::ServeRule drop;
    drop.drop_after = 1 << 20;
    fx_->server().setRule("/blob.bin", drop);
    const Result r = gwb({"data", "fetch", "blob"});
    QVERIFY2(r.exit_code == 0, r.err.constData());
    const auto requests = fx_->server().requestsFor("/blob.bin");
    QCOMPARE(requests.size(), std::size_t(2));
    QCOMPARE(requests[0].range, std::string());
    QCOMPARE(requests[0].body_sent, std::int64_t(1 << 20));
    QCOMPARE(requests[1].range, std::string("bytes=1048576-"));
    QCOMPARE(requests[1].status, 206);
    QCOMPARE(requests[1].body_sent, std::int64_t(2 << 20));
    QVERIFY(readFileBytes(home("/blob/weights.bin")) == blob);
    QVERIFY(err(r).contains("blob.bin: resuming at byte 1048576 of 3145728"));
    QVERIFY(!exists("/.downloads/blob"));
  }

  void interruptedFetchKeepsThePreviousInstallationAndResumesNextTime() {
    const std::string v1 = gwb::test::randomBytes(1 << 20, 2);
    offerBlob(v1);
    QCOMPARE(gwb({"data", "fetch", "blob"}).exit_code, 0);
    const std::string manifest_v1 = readFileBytes(home("/blob/MANIFEST.json"));
    const std::string v2 = gwb::test::randomBytes(3 << 20, 3);
    const std::string url = offerBlob(v2);
    gwb::test::ServeRule drop;
    drop.drop_after = 1 << 20;
    fx_->server().setRule("/blob.bin", drop);
    qputenv("GWB_FETCH_RETRIES", "0");
    const Result first = gwb({"data", "fetch", "blob"});
    QCOMPARE(first.exit_code, 2);
    QVERIFY2(err(first).contains(QString::fromStdString(url)), first.err.constData());
    QVERIFY(readFileBytes(home("/blob/MANIFEST.json")) == manifest_v1);
    QVERIFY(readFileBytes(home("/blob/weights.bin")) == v1);
    QCOMPARE(sizeOf(partOf(v2)), std::int64_t(1 << 20));
    noLeftoversBesideTheTarget();

    fx_->server().clearRules();
    qputenv("GWB_FETCH_RETRIES", "2");
    const Result second = gwb({"data", "fetch", "blob"});
    QVERIFY2(second.exit_code == 0, second.err.constData());
    const auto requests = fx_->server().requestsFor("/blob.bin");
    QCOMPARE(requests.back().range, std::string("bytes=1048576-"));
    QCOMPARE(requests.back().body_sent, std::int64_t(2 << 20));
    QVERIFY(readFileBytes(home("/blob/weights.bin")) == v2);
    QCOMPARE(json(second.out)["files"].toArray()[0].toObject()["sha256"].toString().toStdString(),
             sha256Hex(v2));
    QVERIFY(!exists("/.downloads/blob"));
    noLeftoversBesideTheTarget();
  }

  void serverIgnoringRangeStartsAgainFromZero() {
    const std::string blob = gwb::test::randomBytes(2 << 20, 4);
    offerBlob(blob);
    gwb::test::ServeRule drop;
    drop.drop_after = 512 << 10;
    fx_->server().setRule("/blob.bin", drop);
    qputenv("GWB_FETCH_RETRIES", "0");
    QCOMPARE(gwb({"data", "fetch", "blob"}).exit_code, 2);
    QCOMPARE(sizeOf(partOf(blob)), std::int64_t(512 << 10));
    gwb::test::ServeRule ignore;
    ignore.ignore_range = true;
    fx_->server().setRule("/blob.bin", ignore);
    const Result r = gwb({"data", "fetch", "blob"});
    QVERIFY2(r.exit_code == 0, r.err.constData());
    const auto last = fx_->server().requestsFor("/blob.bin").back();
    QCOMPARE(last.range, std::string("bytes=524288-"));
    QCOMPARE(last.status, 200);
    QCOMPARE(last.body_sent, std::int64_t(2 << 20));
    QVERIFY(err(r).contains("ignored the Range request (HTTP 200): starting again from zero"));
    QVERIFY(readFileBytes(home("/blob/weights.bin")) == blob);
  }

  void forbiddenFirstMirrorFallsBackToTheSecond() {
    const std::string blob = gwb::test::randomBytes(200000, 5);
    const std::string second = fx_->serve("/blob.bin", blob);
    const std::string first = fx_->server().url("/mirror1/blob.bin");
    gwb::test::ServeRule forbidden;
    forbidden.status = 403;
    fx_->server().setRule("/mirror1/blob.bin", forbidden);
    fx_->writeCatalog({gwb::test::catalogItem(
        "blob", {gwb::test::plainFile({first, second}, blob, "weights.bin")})});
    const Result r = gwb({"data", "fetch", "blob"});
    QVERIFY2(r.exit_code == 0, r.err.constData());
    QVERIFY2(err(r).contains(QString::fromStdString(first) + ": HTTP 403 Forbidden"),
             r.err.constData());
    QCOMPARE(fx_->server().requestsFor("/mirror1/blob.bin").size(), std::size_t(1));  // no retry
    QCOMPARE(json(r.out)["files"].toArray()[0].toObject()["url"].toString().toStdString(), second);
    QVERIFY(readFileBytes(home("/blob/weights.bin")) == blob);
  }

  void redirectIsFollowedAndTheCatalogueUrlRecorded() {
    const std::string blob = gwb::test::randomBytes(100000, 6);
    fx_->serve("/blob.bin", blob);
    const std::string old_url = fx_->server().url("/old/blob.bin");
    gwb::test::ServeRule moved;
    moved.redirect = "/blob.bin";
    fx_->server().setRule("/old/blob.bin", moved);
    fx_->writeCatalog(
        {gwb::test::catalogItem("blob", {gwb::test::plainFile({old_url}, blob, "weights.bin")})});
    const Result r = gwb({"data", "fetch", "blob"});
    QVERIFY2(r.exit_code == 0, r.err.constData());
    QCOMPARE(fx_->server().requestsFor("/old/blob.bin").at(0).status, 302);
    QCOMPARE(fx_->server().requestsFor("/blob.bin").at(0).status, 200);
    QCOMPARE(json(r.out)["files"].toArray()[0].toObject()["url"].toString().toStdString(), old_url);
    QVERIFY(readFileBytes(home("/blob/weights.bin")) == blob);
  }

  void everyFailingUrlIsNamed() {
    const std::string blob = gwb::test::randomBytes(1000, 7);
    const std::string gone = fx_->server().url("/gone/blob.bin");
    const std::string broken = fx_->server().url("/broken/blob.bin");
    gwb::test::ServeRule not_found, server_error;
    not_found.status = 404;
    server_error.status = 500;
    fx_->server().setRule("/gone/blob.bin", not_found);
    fx_->server().setRule("/broken/blob.bin", server_error);
    fx_->writeCatalog({gwb::test::catalogItem(
        "blob", {gwb::test::plainFile({gone, broken}, blob, "weights.bin")})});
    const Result r = gwb({"data", "fetch", "blob"});
    QCOMPARE(r.exit_code, 2);
    const QString e = err(r);
    // The reasons first, then what was wanted (issue 24: the checksum sentence came first).
    QVERIFY2(
        e.contains("gwb: error: blob.bin: could not download it: " + QString::fromStdString(gone) +
                   ": HTTP 404 Not Found; " + QString::fromStdString(broken) +
                   ": HTTP 500 Internal Server Error (wanted 1000 bytes with sha256 " +
                   QString::fromStdString(sha256Hex(blob)) + " from any of its 2 URLs)"),
        qPrintable(e));
    QCOMPARE(fx_->server().requestsFor("/gone/blob.bin").size(), std::size_t(1));
    QCOMPARE(fx_->server().requestsFor("/broken/blob.bin").size(), std::size_t(3));  // 2 retries
    QVERIFY(!exists("/blob"));
    QVERIFY(!exists("/.downloads/blob") || tree(home("/.downloads/blob")).isEmpty());
  }

  void corruptedDownloadInstallsNothing() {
    const std::string v1 = gwb::test::randomBytes(300000, 8);
    offerBlob(v1);
    QCOMPARE(gwb({"data", "fetch", "blob"}).exit_code, 0);
    const std::string manifest_v1 = readFileBytes(home("/blob/MANIFEST.json"));
    const std::string v2 = gwb::test::randomBytes(1 << 20, 9);
    const std::string wrong = gwb::test::randomBytes(1 << 20, 10);  // the right size
    const std::string url = offerBlob(v2, wrong);
    const Result r = gwb({"data", "fetch", "blob"});
    QCOMPARE(r.exit_code, 2);
    const QString e = err(r);
    QVERIFY2(e.contains(QString::fromStdString(url) + ": expected 1048576 bytes with sha256 " +
                        QString::fromStdString(sha256Hex(v2)) + ", got 1048576 bytes with sha256 " +
                        QString::fromStdString(sha256Hex(wrong)) + " (the download was deleted)"),
             qPrintable(e));
    QVERIFY(readFileBytes(home("/blob/MANIFEST.json")) == manifest_v1);
    QVERIFY(readFileBytes(home("/blob/weights.bin")) == v1);
    QCOMPARE(tree(home("/.downloads")).filter(".part"), QStringList());
    QCOMPARE(tree(home("/.downloads")).filter("blob.bin"), QStringList());
    noLeftoversBesideTheTarget();
  }

  void truncatedDownloadInstallsNothing() {
    const std::string v1 = gwb::test::randomBytes(300000, 11);
    offerBlob(v1);
    QCOMPARE(gwb({"data", "fetch", "blob"}).exit_code, 0);
    const std::string manifest_v1 = readFileBytes(home("/blob/MANIFEST.json"));
    const std::string v2 = gwb::test::randomBytes(1 << 20, 12);
    const std::string url = offerBlob(v2, v2.substr(0, 600000));
    const Result r = gwb({"data", "fetch", "blob"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(err(r).contains(QString::fromStdString(url) + ": expected 1048576 bytes, the server " +
                             "announced 600000 (Content-Length)") &&
                 err(r).contains("sha256 " + QString::fromStdString(sha256Hex(v2))),
             r.err.constData());
    QVERIFY(readFileBytes(home("/blob/MANIFEST.json")) == manifest_v1);
    QVERIFY(readFileBytes(home("/blob/weights.bin")) == v1);
    QCOMPARE(tree(home("/.downloads")).filter("blob.bin"), QStringList());
    noLeftoversBesideTheTarget();
  }

  void stalledServerHitsTheTimeout() {
    const std::string blob = gwb::test::randomBytes(1 << 20, 13);
    const std::string url = offerBlob(blob);
    gwb::test::ServeRule stall;
    // A little, then nothing: libcurl averages the rate over a few seconds, so a big first burst
    // would keep it above the limit for a while.
    stall.stall_after = 2048;
    fx_->server().setRule("/blob.bin", stall);
    qputenv("GWB_FETCH_STALL_TIMEOUT_S", "1");
    qputenv("GWB_FETCH_RETRIES", "0");
    QElapsedTimer timer;
    timer.start();
    const Result r = gwb({"data", "fetch", "blob"});
    const qint64 ms = timer.elapsed();
    fx_->server().releaseStalls();
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(
        err(r).contains(QString::fromStdString(url) + ": stalled: less than 1024 bytes/s for 1 s"),
        r.err.constData());
    QVERIFY2(ms < 15000, qPrintable(QString::number(ms)));
    QCOMPARE(sizeOf(partOf(blob)), std::int64_t(2048));  // kept for a resume
    QVERIFY(!exists("/blob"));
  }

  void concurrentFetchesDoNotInterleave() {
    const std::string blob = gwb::test::randomBytes(2 << 20, 14);
    offerBlob(blob);
    gwb::test::ServeRule slow;
    slow.bytes_per_s = 4 << 20;  // half a second
    fx_->server().setRule("/blob.bin", slow);
    // This process holds the item's lock first, so both fetches must wait for it: the order is
    // then certain, whatever the machine's load.
    gwb::FileLock held(home("/.locks/blob.lock"));
    QVERIFY(held.tryLock());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("GWB_CACHE_DIR", QString::fromStdString(fx_->cache));
    QProcess a, b;
    QByteArray err_a, err_b;
    for (QProcess* p : {&a, &b}) {
      p->setProcessEnvironment(env);
      p->start(gwb::test::binDir() + "/gwb", {"data", "fetch", "blob"});
    }
    const QByteArray waiting = "blob: waiting for another fetch of it (process " +
                               QByteArray::number(QCoreApplication::applicationPid()) +
                               ") to finish";
    QElapsedTimer timer;
    timer.start();
    while ((!err_a.contains(waiting) || !err_b.contains(waiting)) && timer.elapsed() < 60000) {
      a.waitForReadyRead(50);
      b.waitForReadyRead(50);
      err_a += a.readAllStandardError();
      err_b += b.readAllStandardError();
    }
    QVERIFY2(err_a.contains(waiting) && err_b.contains(waiting), (err_a + err_b).constData());
    QVERIFY(fx_->server().requests().empty());  // nothing downloaded while the lock is held
    held.unlock();
    for (QProcess* p : {&a, &b}) {
      QVERIFY(p->waitForFinished(60000));
      QCOMPARE(p->exitCode(), 0);
    }
    err_a += a.readAllStandardError();
    err_b += b.readAllStandardError();
    // One of them downloaded and installed; the other then found it installed and verified.
    QCOMPARE(fx_->server().requestsFor("/blob.bin").size(), std::size_t(1));
    QCOMPARE(json(a.readAllStandardOutput()), json(b.readAllStandardOutput()));
    QVERIFY((err_a + err_b).contains("blob: installed and verified in"));
    QVERIFY(readFileBytes(home("/blob/weights.bin")) == blob);
    noLeftoversBesideTheTarget();
  }

  void editedInstallationIsReportedAndRefused() {
    std::vector<gwb::test::ZipEntry> entries;
    std::vector<std::pair<std::string, std::string>> members;
    for (const char* split : {"train", "valid", "test"}) {
      const std::string name = std::string("wiki.") + split + ".tokens";
      entries.push_back({"wikitext-2/" + name, gwb::test::embeddedText("wikitext-2", name)});
      members.push_back({"wikitext-2/" + name, name});
    }
    const std::string zip = gwb::test::zipBytes(entries);
    const std::string url = fx_->serve("/wikitext-2-v1.zip", zip);
    fx_->writeCatalog(
        {gwb::test::catalogItem("wikitext2", {gwb::test::archiveFile({url}, zip, members)})});
    QCOMPARE(gwb({"data", "fetch", "wikitext2"}).exit_code, 0);
    QCOMPARE(gwb({"data", "verify"}).exit_code, 0);

    // One byte changed, same size.
    const std::string path = home("/wikitext2/wiki.valid.tokens");
    std::string bytes = readFileBytes(path);
    bytes[1000] = bytes[1000] == 'x' ? 'y' : 'x';
    const auto before = fs::last_write_time(path);
    gwb::test::writeFile(path, bytes);
    fs::last_write_time(path, before + std::chrono::seconds(2));
    const Result verify = gwb({"data", "verify"});
    QCOMPARE(verify.exit_code, 2);
    const QJsonObject item = json(verify.out)["items"].toArray()[0].toObject();
    QCOMPARE(item["name"].toString(), QString("wikitext2"));
    QCOMPARE(item["ok"].toBool(), false);
    QCOMPARE(item["problems"].toArray().size(), 1);
    QVERIFY(item["problems"].toArray()[0].toString().startsWith(
        "wiki.valid.tokens: sha256 " + QString::fromStdString(sha256Hex(bytes)) +
        ", MANIFEST.json says "));
    QCOMPARE(json(gwb({"data", "list"}).out)["items"].toArray()[0].toObject()["verified"].toBool(),
             false);
    // A run refuses it (naming gwb data verify) instead of silently reading it.
    Result stats = gwb({"data", "stats", "--task", "wikitext2", "--tokenizer", "gpt2"});
    QCOMPARE(stats.exit_code, 2);
    QVERIFY2(err(stats).contains("wikitext2/MANIFEST.json: expected the installed files as they "
                                 "were verified") &&
                 err(stats).contains("gwb data verify wikitext2"),
             stats.err.constData());
    // Another size: the manifest's sizes alone refuse it.
    gwb::test::writeFile(path, bytes.substr(0, 100));
    stats = gwb({"data", "stats", "--task", "wikitext2", "--tokenizer", "gpt2"});
    QCOMPARE(stats.exit_code, 2);
    QVERIFY2(err(stats).contains("wiki.valid.tokens: 100 bytes, MANIFEST.json says 1121681"),
             stats.err.constData());
    // A fetch repairs it (the copy does not verify, so it is downloaded again).
    const Result repair = gwb({"data", "fetch", "wikitext2"});
    QCOMPARE(repair.exit_code, 0);
    QVERIFY(err(repair).contains("wikitext2: the installed copy does not verify ("));
    QCOMPARE(gwb({"data", "verify", "wikitext2"}).exit_code, 0);
  }

  void proxyComesFromTheEnvironment() {
    const std::string blob = gwb::test::randomBytes(50000, 15);
    fx_->serve("/blob.bin", blob);
    const std::string remote = "http://data.example.invalid/blob.bin";
    fx_->writeCatalog(
        {gwb::test::catalogItem("blob", {gwb::test::plainFile({remote}, blob, "weights.bin")})});
    qputenv("http_proxy", QByteArray::fromStdString(fx_->server().url("")));
    const Result r = gwb({"data", "fetch", "blob"});
    qunsetenv("http_proxy");
    QVERIFY2(r.exit_code == 0, r.err.constData());
    const auto requests = fx_->server().requests();
    QCOMPARE(requests.size(), std::size_t(1));
    QVERIFY(requests[0].absolute_target);
    QCOMPARE(requests[0].target, remote);
    QVERIFY(readFileBytes(home("/blob/weights.bin")) == blob);
  }

  void archiveMembersAreCheckedBeforeAnythingIsInstalled_data() {
    QTest::addColumn<QString>("member");
    QTest::addColumn<qlonglong>("max_bytes");
    QTest::addColumn<QString>("message");
    QTest::newRow("link") << "d/link" << 0LL
                          << "d/link: expected a regular file, got a symbolic link";
    QTest::newRow("missing") << "d/nope.txt" << 0LL
                             << "d/nope.txt: expected the member in the archive, got none among "
                                "its 4 entries";
    QTest::newRow("too big") << "d/big.txt" << 100LL
                             << "d/big.txt: expected at most 100 bytes (the catalogue's bound), "
                                "got 1000 bytes";
  }
  void archiveMembersAreCheckedBeforeAnythingIsInstalled() {
    QFETCH(QString, member);
    QFETCH(qlonglong, max_bytes);
    QFETCH(QString, message);
    const std::string zip =
        gwb::test::zipBytes({{"d/", "", gwb::test::ZipEntry::Folder},
                             {"d/ok.txt", "hello\n"},
                             {"d/link", "", gwb::test::ZipEntry::Symlink, "/etc/passwd"},
                             {"d/big.txt", std::string(1000, 'b')}});
    const std::string url = fx_->serve("/x.zip", zip);
    Json file = gwb::test::archiveFile({url}, zip,
                                       {{"d/ok.txt", "ok.txt"}, {member.toStdString(), "second"}});
    if (max_bytes > 0) file["extract"][1]["max_bytes"] = max_bytes;
    fx_->writeCatalog({gwb::test::catalogItem("x", {file})});
    const Result r = gwb({"data", "fetch", "x"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(err(r).contains("gwb: error: " + QString::fromStdString(url) + ": " + message),
             r.err.constData());
    QVERIFY(!exists("/x"));
    noLeftoversBesideTheTarget();
  }

  void badNamesAndCataloguesAreBadInput() {
    const std::string blob = gwb::test::randomBytes(10, 16);
    offerBlob(blob);
    Result r = gwb({"data", "fetch", "blob", "nope"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY(err(r).contains("NAME: expected one of the catalogue's items (blob), got \"nope\""));
    QVERIFY(fx_->server().requests().empty());  // names are checked before any download
    r = gwb({"data", "verify", "blob"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY(
        json(r.out)["items"].toArray()[0].toObject()["problems"].toArray()[0].toString().startsWith(
            "not installed in "));
    Json bad = gwb::test::plainFile({fx_->server().url("/blob.bin")}, blob, "../up.bin");
    fx_->writeCatalog({gwb::test::catalogItem("blob", {bad})});
    r = gwb({"data", "list"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(err(r).contains("catalog.json: items[0].files[0].to: expected a relative path inside "
                             "the item's folder"),
             r.err.constData());
  }

  void severalNamesPrintOneManifestPerLine() {
    const std::string one = gwb::test::randomBytes(1000, 17),
                      two = gwb::test::randomBytes(2000, 18);
    const std::string u1 = fx_->serve("/one.bin", one), u2 = fx_->serve("/two.bin", two);
    fx_->writeCatalog(
        {gwb::test::catalogItem("one", {gwb::test::plainFile({u1}, one, "one.bin")}),
         gwb::test::catalogItem("two", {gwb::test::plainFile({u2}, two, "two.bin")})});
    const std::string dir = fx_->work + "/elsewhere";
    const Result r = gwb({"data", "fetch", "one", "two", "--dir", QString::fromStdString(dir)});
    QVERIFY2(r.exit_code == 0, r.err.constData());
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QCOMPARE(json(lines[0])["name"].toString(), QString("one"));
    QCOMPARE(json(lines[1])["name"].toString(), QString("two"));
    QVERIFY(readFileBytes(dir + "/two/two.bin") == two);
    QVERIFY(!exists("/one"));  // --dir, not GWB_DATA_HOME
  }
};

QTEST_GUILESS_MAIN(TestDataFetch)
#include "tst_data_fetch.moc"
