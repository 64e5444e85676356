// The data manager without the network: the shipped catalogue carries the pins of
// DATA_SOURCES.md, a catalogue with unsafe targets or bad pins is refused naming the key, the
// installed items' folder follows --dir > GWB_DATA_HOME > XDG_DATA_HOME > ~/.local/share, runs
// resolve data.dir > installed copy > embedded data (raw Wikitext-2 and the DistilBERT folder
// too), and a damaged installation is refused naming `gwb data verify`, while `verify` and the
// quick status report what changed. Installations here are written by hand (fetching is
// tst_data_fetch's).
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/catalog/catalog.h"
#include "engine/catalog/file_lock.h"
#include "engine/catalog/installed.h"
#include "engine/catalog/manifest.h"
#include "engine/catalog/verify.h"
#include "engine/data/data_source.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "test_support.h"

using namespace gwb;
using gwb::test::inputErrorOf;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

/// Installs `files` (name -> bytes) as item `name` under `home`, the way fetchItem leaves it:
/// the files, MANIFEST.json and the verification stamp.
Manifest installByHand(const std::string& home, const std::string& name,
                       const std::map<std::string, std::string>& files) {
  Manifest m;
  m.name = name;
  m.installed_at = "2026-11-29T00:00:00Z";
  const std::string dir = home + "/" + name;
  for (const auto& [to, bytes] : files) {
    gwb::test::writeFile(dir + "/" + to, bytes);
    m.files.push_back({to, static_cast<std::int64_t>(bytes.size()), sha256Hex(bytes),
                       "http://example.invalid/" + name + ".zip", "", sha256Hex(bytes)});
  }
  writeManifest(dir + "/" + kManifestFile, m);
  writeVerifiedStamp(dir, m);
  return m;
}

/// Rewrites a file with the same size and a later modification time.
void editInPlace(const std::string& path) {
  std::string bytes = readFileBytes(path);
  bytes[bytes.size() / 2] ^= 0x20;
  const auto before = fs::last_write_time(path);
  gwb::test::writeFile(path, bytes);
  fs::last_write_time(path, before + std::chrono::seconds(2));
}

/// A catalogue item pinning exactly the plain files given.
CatalogItem itemFor(const std::string& name, const std::map<std::string, std::string>& files) {
  Json item = {{"name", name}, {"files", Json::array()}};
  for (const auto& [to, bytes] : files) {
    item["files"].push_back({{"urls", {"http://example.invalid/" + to}},
                             {"bytes", bytes.size()},
                             {"sha256", sha256Hex(bytes)},
                             {"to", to}});
  }
  return parseCatalog(Json{{"items", {item}}}.dump(), "test.json").items.front();
}

/// A catalogue of one item "x" with `file` as its only file.
std::string catalogueWith(const Json& file) {
  return Json{{"items", {{{"name", "x"}, {"files", {file}}}}}}.dump();
}

/// A plain file entry that passes every check; the cases below break one thing each.
Json goodFile() {
  return {{"urls", {"http://h/x"}}, {"bytes", 3}, {"sha256", std::string(64, 'a')}};
}

}  // namespace

class TestDataCatalog : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir tmp_;
  std::string home() const { return tmp_.path().toStdString() + "/home"; }

 private slots:
  void init() {
    std::error_code ec;
    fs::remove_all(home(), ec);
    qunsetenv("GWB_DATA_CATALOG");
  }

  void shippedCatalogueHasThePinnedSources_data() {
    QTest::addColumn<QString>("item");
    QTest::addColumn<QString>("to");
    QTest::addColumn<qlonglong>("bytes");
    QTest::addColumn<QString>("sha256");
    QTest::addColumn<QString>("url");
    QTest::newRow("snli") << "snli"
                          << "" << 94550081LL
                          << "afb3d70a5af5d8de0d9d81e2637e0fb8c22d1235c2749d83125ca43dab0dbd3e"
                          << "https://nlp.stanford.edu/projects/snli/snli_1.0.zip";
    QTest::newRow("wikitext2") << "wikitext2"
                               << "" << 4475746LL
                               << "92675f1d63015c1c8b51f1656a52d5bdbc33aafa60cc47a218a66e7ee817488c"
                               << "https://wikitext.smerity.com/wikitext-2-v1.zip";
    QTest::newRow("wikitext2-raw")
        << "wikitext2-raw"
        << "" << 4721645LL << "ef7edb566e3e2b2d31b29c1fdb0c89a4cc683597484c3dc2517919c615435a11"
        << "https://wikitext.smerity.com/wikitext-2-raw-v1.zip";
    const QString hf =
        "https://huggingface.co/distilbert/distilbert-base-uncased/resolve/"
        "12040accade4e8a0f71eabdb258fecc2e7e948be/";
    QTest::newRow("distilbert weights")
        << "distilbert-base-uncased"
        << "model.safetensors" << 267954768LL
        << "5e3f1108e3cb34ee048634875d8482665b65ac713291a7e32396fb18f6ff0063"
        << hf + "model.safetensors";
    QTest::newRow("distilbert config")
        << "distilbert-base-uncased"
        << "config.json" << 483LL
        << "69c94b0222d5d1f4b0ad027ca7416cdafb98378cbbb8305d0bf47c9365c60c83" << hf + "config.json";
    QTest::newRow("distilbert vocab")
        << "distilbert-base-uncased"
        << "vocab.txt" << 231508LL
        << "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3" << hf + "vocab.txt";
    QTest::newRow("gpt2 encoder")
        << "gpt2-vocab"
        << "encoder.json" << 1042301LL
        << "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783"
        << "https://openaipublic.blob.core.windows.net/gpt-2/encodings/main/encoder.json";
    QTest::newRow("gpt2 merges")
        << "gpt2-vocab"
        << "vocab.bpe" << 456318LL
        << "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5"
        << "https://openaipublic.blob.core.windows.net/gpt-2/encodings/main/vocab.bpe";
    QTest::newRow("bert vocab")
        << "bert-vocab"
        << "vocab.txt" << 231508LL
        << "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
        << "https://huggingface.co/google-bert/bert-base-uncased/resolve/"
           "86b5e0934494bd15c9632b12f734a8a67f723594/vocab.txt";
  }
  void shippedCatalogueHasThePinnedSources() {
    QFETCH(QString, item);
    QFETCH(QString, to);
    QFETCH(qlonglong, bytes);
    QFETCH(QString, sha256);
    QFETCH(QString, url);
    const Catalog catalog = loadCatalog();  // the shipped one, beside the executable
    QCOMPARE(QString::fromStdString(catalog.names()),
             QString("snli, wikitext2, wikitext2-raw, distilbert-base-uncased, gpt2-vocab, "
                     "bert-vocab"));
    const CatalogItem& it = catalog.require(item.toStdString());
    QVERIFY(!it.licence.empty() && !it.pinned_from.empty());
    const CatalogFile* file = nullptr;
    for (const CatalogFile& f : it.files) {
      if (f.to == to.toStdString()) file = &f;
    }
    QVERIFY(file);
    QCOMPARE(file->bytes, std::int64_t(bytes));
    QCOMPARE(QString::fromStdString(file->sha256), sha256);
    QCOMPARE(QString::fromStdString(file->urls.front()), url);
    for (const CatalogFile& f : it.files) {
      for (const std::string& u : f.urls) {
        QVERIFY2(u.rfind("https://", 0) == 0, u.c_str());
        QVERIFY2(u.find("/resolve/main/") == std::string::npos, u.c_str());  // pinned revisions
      }
    }
  }

  void shippedArchivesNameTheirMembers() {
    const Catalog catalog = loadCatalog();
    std::map<std::string, std::string> snli;
    for (const ExtractMember& m : catalog.require("snli").files.front().extract) {
      snli[m.member] = m.to;
      QVERIFY(m.max_bytes > 0);
    }
    QCOMPARE(snli.size(), std::size_t(7));
    QCOMPARE(snli["snli_1.0/snli_1.0_train.jsonl"], std::string("snli_1.0_train.jsonl"));
    QCOMPARE(snli["snli_1.0/snli_1.0_test.txt"], std::string("snli_1.0_test.txt"));
    QCOMPARE(snli["snli_1.0/README.txt"], std::string("README.txt"));
    const CatalogFile& raw = catalog.require("wikitext2-raw").files.front();
    QCOMPARE(raw.urls.size(), std::size_t(3));
    QCOMPARE(raw.extract.front().member, std::string("wikitext-2-raw/wiki.train.raw"));
    QCOMPARE(raw.extract.front().to, std::string("wiki.train.raw"));
    QCOMPARE(catalog.require("wikitext2").files.front().extract.back().member,
             std::string("wikitext-2/wiki.test.tokens"));
  }

  void refusesUnsafeOrMalformedCatalogues_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");
    const auto row = [](const char* name, const Json& file, const char* message) {
      QTest::newRow(name) << QString::fromStdString(file.dump()) << message;
    };
    const auto with = [](const char* key, const Json& value) {
      Json f = goodFile();
      f[key] = value;
      return f;
    };
    const Json member_up = Json::array({{{"member", "a"}, {"to", "../../b"}}});
    row("to ..", with("to", "../x"), "items[0].files[0].to: expected a relative path inside");
    row("to absolute", with("to", "/etc/x"),
        "items[0].files[0].to: expected a relative path inside");
    row("to a/../b", with("to", "a/../b"), "expected a relative path");
    row("to manifest", with("to", "MANIFEST.json"), "expected a name that is not MANIFEST.json");
    row("to dot-file", with("to", "sub/.verified.json"), "no dot-file");
    row("member to ..", with("extract", member_up),
        "items[0].files[0].extract[0].to: expected a relative path inside");
    Json both = with("to", "x");
    both["extract"] = Json::array({{{"member", "a"}, {"to", "b"}}});
    row("both", both, "expected exactly one of \"to\"");
    Json short_sha = with("to", "x");
    short_sha["sha256"] = "abc";
    row("short sha", short_sha, "items[0].files[0].sha256: expected 64 lower-case hex digits");
    Json ftp = with("to", "x");
    ftp["urls"] = {"ftp://h/x"};
    row("ftp", ftp, "items[0].files[0].urls[0]: expected an http:// or https:// URL");
    Json empty = with("to", "x");
    empty["bytes"] = 0;
    row("no size", empty, "items[0].files[0].bytes: expected a positive integer");
    Json typo = with("to", "x");
    typo["sha"] = "1";
    row("typo", typo, "items[0].files[0].sha: expected one of the keys");
    row("member twice",
        with("extract",
             Json::array({{{"member", "a"}, {"to", "b"}}, {{"member", "a"}, {"to", "c"}}})),
        "extract[1].member: expected each member named once");
    row("target twice",
        with("extract",
             Json::array({{{"member", "a"}, {"to", "b"}}, {{"member", "c"}, {"to", "b"}}})),
        "expected targets (\"to\") that are distinct files");
  }
  void refusesUnsafeOrMalformedCatalogues() {
    QFETCH(QString, file);
    QFETCH(QString, message);
    const std::string text = catalogueWith(Json::parse(file.toStdString()));
    const QString error = inputErrorOf([&] { parseCatalog(text, "cat.json"); });
    QVERIFY2(error.startsWith("cat.json: ") && error.contains(message), qPrintable(error));
  }

  void refusesDuplicateAndOddNames() {
    Json file = goodFile();
    file["to"] = "x";
    const Json a = {{"name", "a"}, {"files", {file}}};
    QVERIFY(inputErrorOf([&] {
              parseCatalog(Json{{"items", {a, a}}}.dump(), "c.json");
            }).contains("items[1].name: expected a name not used by another item"));
    const Json up = {{"name", "../a"}, {"files", {file}}};
    QVERIFY(inputErrorOf([&] {
              parseCatalog(Json{{"items", {up}}}.dump(), "c.json");
            }).contains("items[0].name: expected a name of a-z"));
    QVERIFY(inputErrorOf([&] {
              parseCatalog("{\"items\": [", "c.json");
            }).startsWith("c.json: expected a JSON catalogue, got invalid JSON"));
  }

  void catalogueComesFromTheEnvironmentWhenSet() {
    const std::string path = tmp_.path().toStdString() + "/own.json";
    gwb::test::writeFile(path, "{\"items\": []}");
    qputenv("GWB_DATA_CATALOG", QByteArray::fromStdString(path));
    QCOMPARE(catalogPath(), path);
    QVERIFY(loadCatalog().items.empty());
    QVERIFY(inputErrorOf([] {
              loadCatalog().require("snli");
            }).contains("NAME: expected one of the catalogue's items (), got \"snli\""));
  }

  void installFolderFollowsTheRule() {
    // Restores the variables however the test ends.
    struct SavedEnv {
      std::map<const char*, QByteArray> values;
      SavedEnv() {
        for (const char* n : {"GWB_DATA_HOME", "XDG_DATA_HOME", "HOME"}) values[n] = qgetenv(n);
      }
      ~SavedEnv() {
        for (const auto& [n, v] : values) v.isNull() ? qunsetenv(n) : qputenv(n, v);
      }
    } saved;
    qputenv("GWB_DATA_HOME", "/srv/gwb-data");
    qputenv("XDG_DATA_HOME", "/x/share");
    qputenv("HOME", "/home/u");
    QCOMPARE(fetchedDataDir("/opt/d/"), std::string("/opt/d"));
    QCOMPARE(fetchedDataDir(), std::string("/srv/gwb-data"));
    qunsetenv("GWB_DATA_HOME");
    QCOMPARE(fetchedDataDir(), std::string("/x/share/grassmann-workbench/fetched"));
    qunsetenv("XDG_DATA_HOME");
    QCOMPARE(fetchedDataDir(), std::string("/home/u/.local/share/grassmann-workbench/fetched"));
  }

  void runsPreferDataDirThenInstalledThenEmbedded() {
    DataResolution r = resolveTaskData("snli", "", "auto", home());
    QCOMPARE(r.source, DataSource::Embedded);
    QCOMPARE(r.dir, std::string());
    QVERIFY(r.note.find("gwb data fetch snli") != std::string::npos);
    QCOMPARE(r.provenance, std::string("embedded"));

    installByHand(home(), "snli", {{"snli_1.0_train.jsonl", "{}\n"}, {"README.txt", "r\n"}});
    r = resolveTaskData("snli", "", "auto", home());
    QCOMPARE(r.source, DataSource::Installed);
    QCOMPARE(r.dir, home() + "/snli");
    QCOMPARE(r.item, std::string("snli"));
    QVERIFY2(r.note.find("installed snli") != std::string::npos, r.note.c_str());
    QVERIFY2(r.provenance.find("installed snli (" + home() + "/snli, installed_at 2026-11-29") == 0,
             r.provenance.c_str());
    // A tsv request cannot be served by the installed copy (jsonl and txt only).
    QCOMPARE(resolveTaskData("snli", "", "tsv", home()).source, DataSource::Embedded);

    r = resolveTaskData("snli", "/data/mine", "auto", home());
    QCOMPARE(r.source, DataSource::Configured);
    QCOMPARE(r.dir, std::string("/data/mine"));
    QCOMPARE(r.provenance, std::string("data.dir /data/mine"));
    // The folder comes from GWB_DATA_HOME when none is passed (ctest sets an empty one).
    QCOMPARE(resolveTaskData("wikitext", "", "auto").source, DataSource::Embedded);
  }

  void rawWikitextComesFromTheInstalledRawItem() {
    QVERIFY(inputErrorOf([&] { resolveTaskData("wikitext2", "", "raw", home()); })
                .startsWith("data.format: expected raw Wikitext-2: an installed copy (gwb data "
                            "fetch wikitext2-raw"));
    // The tokenized item does not serve a raw request.
    installByHand(home(), "wikitext2", {{"wiki.train.tokens", " t \n"}});
    QVERIFY(!inputErrorOf([&] { resolveTaskData("wikitext2", "", "raw", home()); }).isEmpty());
    installByHand(home(), "wikitext2-raw", {{"wiki.train.raw", " r \n"}});
    const DataResolution raw = resolveTaskData("wikitext2", "", "raw", home());
    QCOMPARE(raw.dir, home() + "/wikitext2-raw");
    const DataResolution tokens = resolveTaskData("wikitext2", "", "auto", home());
    QCOMPARE(tokens.dir, home() + "/wikitext2");
    QCOMPARE(taskDataItem("wikitext", "tokens"), std::string("wikitext2"));
  }

  void backboneFolderPrecedence() {
    DataResolution r = resolveBackboneDir("", home());
    QCOMPARE(r.source, DataSource::None);
    QCOMPARE(r.dir, std::string());
    QVERIFY2(r.error.rfind("model.backbone_dir: expected a DistilBERT folder", 0) == 0 &&
                 r.error.find("gwb data fetch distilbert-base-uncased") != std::string::npos,
             r.error.c_str());
    installByHand(home(), "distilbert-base-uncased",
                  {{"config.json", "{}"}, {"model.safetensors", "w"}, {"vocab.txt", "v"}});
    r = resolveBackboneDir("", home());
    QCOMPARE(r.source, DataSource::Installed);
    QCOMPARE(r.dir, home() + "/distilbert-base-uncased");
    QVERIFY(r.error.empty());
    r = resolveBackboneDir("models/db", home());
    QCOMPARE(r.source, DataSource::Configured);
    QVERIFY(r.dir.find("/models/db") != std::string::npos && r.dir.front() == '/');
  }

  void damagedInstallationIsRefusedNamingVerify() {
    const std::map<std::string, std::string> files = {{"snli_1.0_train.jsonl", "{\"a\":1}\n"},
                                                      {"snli_1.0_dev.jsonl", "{\"b\":2}\n"}};
    installByHand(home(), "snli", files);
    const CatalogItem item = itemFor("snli", files);
    QVERIFY(itemStatus(item, home()).verified);
    QVERIFY(verifyItem(item, home()).verified);

    // Same size, other bytes (a later modification time): refused until verified again.
    editInPlace(home() + "/snli/snli_1.0_dev.jsonl");
    QString error = inputErrorOf([&] { resolveTaskData("snli", "", "auto", home()); });
    QVERIFY2(error.startsWith(QString::fromStdString(home()) +
                              "/snli/MANIFEST.json: expected the installed files as they were "
                              "verified, got snli_1.0_dev.jsonl: changed since it was verified") &&
                 error.contains("gwb data verify snli"),
             qPrintable(error));
    ItemStatus quick = itemStatus(item, home());
    QVERIFY(quick.installed && !quick.verified);
    const ItemStatus full = verifyItem(item, home());
    QVERIFY(!full.verified);
    QCOMPARE(full.problems.size(), std::size_t(1));
    QVERIFY2(
        full.problems[0].rfind("snli_1.0_dev.jsonl: sha256 ", 0) == 0 &&
            full.problems[0].find(", MANIFEST.json says " +
                                  sha256Hex(files.at("snli_1.0_dev.jsonl"))) != std::string::npos,
        full.problems[0].c_str());
    // A failed check keeps the item refused, and says what it found.
    error = inputErrorOf([&] { resolveTaskData("snli", "", "auto", home()); });
    QVERIFY2(error.contains("got gwb data verify found snli_1.0_dev.jsonl: sha256 "),
             qPrintable(error));

    // Another size: refused by the manifest's sizes alone, stamp or not.
    gwb::test::writeFile(home() + "/snli/snli_1.0_train.jsonl", "short\n");
    error = inputErrorOf([&] { resolveTaskData("snli", "", "auto", home()); });
    QVERIFY2(error.contains("expected the installed files at the sizes it lists, got "
                            "snli_1.0_train.jsonl: 6 bytes, MANIFEST.json says 8") &&
                 error.contains("gwb data verify snli"),
             qPrintable(error));
    fs::remove(home() + "/snli/snli_1.0_train.jsonl");
    QVERIFY(inputErrorOf([&] {
              resolveTaskData("snli", "", "auto", home());
            }).contains("snli_1.0_train.jsonl: missing"));
    // data.dir still wins without looking at the installed copy.
    QCOMPARE(resolveTaskData("snli", "/mine", "auto", home()).dir, std::string("/mine"));
  }

  void statusComparesTheManifestWithTheCatalogue() {
    const std::map<std::string, std::string> v1 = {{"w.bin", "version one"}};
    installByHand(home(), "blob", v1);
    ItemStatus s = itemStatus(itemFor("blob", v1), home());
    QVERIFY(s.installed && s.verified);
    QCOMPARE(s.installed_bytes, std::int64_t(11));
    // The catalogue now pins other bytes: installed, not verified, and why.
    s = itemStatus(itemFor("blob", {{"w.bin", "version two"}}), home());
    QVERIFY(s.installed && !s.verified);
    QCOMPARE(s.problems.size(), std::size_t(1));
    QVERIFY2(s.problems[0].find("installed from a download with sha256 " +
                                sha256Hex("version one")) != std::string::npos &&
                 s.problems[0].find("gwb data fetch blob --force") != std::string::npos,
             s.problems[0].c_str());
    // Not installed: no problems listed by the quick status, one by the full check.
    QVERIFY(itemStatus(itemFor("other", v1), home()).problems.empty());
    QVERIFY(verifyItem(itemFor("other", v1), home()).problems.at(0).rfind("not installed", 0) == 0);
  }

  void manifestRoundTripsAndRefusesEscapingTargets() {
    Manifest m;
    m.name = "x";
    m.installed_at = "2026-01-01T00:00:00Z";
    m.files.push_back(
        {"a/b.txt", 3, std::string(64, 'c'), "http://h/x.zip", "x/b.txt", std::string(64, 'd')});
    const Manifest back = parseManifest(manifestToJson(m), "M.json");
    QCOMPARE(manifestToJson(back), manifestToJson(m));
    const QJsonObject json =
        QJsonDocument::fromJson(QByteArray::fromStdString(manifestToJson(m))).object();
    QCOMPARE(json.keys(), (QStringList{"files", "installed_at", "name"}));
    QCOMPARE(json["files"].toArray()[0].toObject().keys(),
             (QStringList{"bytes", "member", "sha256", "source_sha256", "to", "url"}));
    std::string bad = manifestToJson(m);
    bad.replace(bad.find("a/b.txt"), 7, "../b.tx");
    QVERIFY(inputErrorOf([&] {
              parseManifest(bad, "M.json");
            }).startsWith("M.json: files[0].to: expected a path inside the item's folder"));
  }

  void lockKeepsASecondHolderOut() {
    const std::string path = tmp_.path().toStdString() + "/locks/x.lock";
    FileLock first(path), second(path);
    QVERIFY(first.tryLock());
    QVERIFY(!second.tryLock());
    std::atomic<bool> cancel{true};
    QString waited;
    bool cancelled = false;
    try {
      second.lock([&](const std::string& pid) { waited = QString::fromStdString(pid); }, &cancel);
    } catch (const Cancelled&) {
      cancelled = true;
    }
    QVERIFY(cancelled);
    QCOMPARE(waited, QString::number(QCoreApplication::applicationPid()));
    first.unlock();
    QVERIFY(second.tryLock());
  }
};

QTEST_GUILESS_MAIN(TestDataCatalog)
#include "tst_data_catalog.moc"
