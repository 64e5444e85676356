// Data sets on the embedded real data: Wikitext-2 line, token and chunk counts (SPEC §3,
// measured with tiktoken), SNLI pair and label counts (CONTRACTS.md), the token cache (hit,
// corrupt, truncated, stale), and every kind of bad input the foundation issue lists.
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <memory>

#include "engine/data/snli.h"
#include "engine/data/token_cache.h"
#include "engine/data/wikitext.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"
#include "test_support.h"

using namespace gwb;
using gwb::test::inputErrorOf;
namespace fs = std::filesystem;

class TestDatasets : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<Tokenizer> gpt2_, bert_;
  QTemporaryDir cache_dir_;
  std::unique_ptr<TokenCache> cache_;
  std::vector<std::string> warnings_;

  TokenCache noCache() const { return TokenCache(""); }

 private slots:
  void initTestCase() {
    QVERIFY(cache_dir_.isValid());
    gpt2_ = loadTokenizer(TokenizerKind::Gpt2);
    bert_ = loadTokenizer(TokenizerKind::Bert);
    cache_ = std::make_unique<TokenCache>(cache_dir_.path().toStdString());
    cache_->setWarningHandler([this](const std::string& w) { warnings_.push_back(w); });
  }

  void wikitextLineCounts_data() {
    QTest::addColumn<QString>("split");
    QTest::addColumn<qint64>("lines");
    QTest::addColumn<qint64>("nonempty");
    QTest::newRow("train") << "train" << qint64(36718) << qint64(36718 - 12951);
    QTest::newRow("valid") << "valid" << qint64(3760) << qint64(3760 - 1299);
    QTest::newRow("test") << "test" << qint64(4358) << qint64(4358 - 1467);
  }
  void wikitextLineCounts() {
    QFETCH(QString, split);
    QFETCH(qint64, lines);
    QFETCH(qint64, nonempty);
    const TokenStream stream = loadWikitextSplit("", split.toStdString(), "auto", *bert_, *cache_);
    QCOMPARE(stream.lines, lines);
    QCOMPARE(stream.nonempty_lines, nonempty);
    QVERIFY(stream.file.find("wiki." + split.toStdString() + ".tokens.gz") != std::string::npos);
    // BERT stream: one [CLS] first, one [SEP] last, none in between.
    QCOMPARE(stream.ids.front(), 101);
    QCOMPARE(stream.ids.back(), 102);
    QCOMPARE(std::count(stream.ids.begin(), stream.ids.end(), 101), std::ptrdiff_t(1));
  }

  void wikitextGpt2TrainStreamMatchesTiktoken() {
    const TokenStream stream = loadWikitextSplit("", "train", "auto", *gpt2_, *cache_);
    QCOMPARE(stream.ids.size(), std::size_t(2448382));
    QCOMPARE(stream.numChunks(256), std::int64_t(9563));
    QCOMPARE(stream.numChunks(128), std::int64_t(2448382 / 128));
    QCOMPARE(stream.chunk(2, 256), stream.ids.data() + 512);
    // The stream decodes back to the file exactly.
    const std::string text = readDataFile(stream.file).content();
    QCOMPARE(gpt2_->decode(stream.ids), text);
  }

  void gpt2StreamEqualsLineByLineEncoding() {
    // SPEC §3: the whole file as one text gives the same ids as each line with its newline.
    const std::string text = readDataFile(findWikitextFile("", "valid")).content();
    std::vector<std::int32_t> by_line;
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = text.find('\n', start);
      gpt2_->encodeAppend(std::string_view(text).substr(start, end + 1 - start), by_line);
      start = end + 1;
    }
    QCOMPARE(wikitextTokenStream(text, *gpt2_), by_line);
  }

  void tokenCacheHitsAndReturnsTheSameIds() {
    TokenCache cache((cache_dir_.path() + "/hit").toStdString());
    const TokenStream first = loadWikitextSplit("", "valid", "auto", *gpt2_, cache);
    const TokenStream second = loadWikitextSplit("", "valid", "auto", *gpt2_, cache);
    QVERIFY(!first.from_cache);
    QVERIFY(second.from_cache);
    QCOMPARE(second.ids, first.ids);
    QCOMPARE(second.lines, first.lines);
    QCOMPARE(second.nonempty_lines, first.nonempty_lines);
    // Another tokenizer is another cache entry, not a hit.
    QVERIFY(!loadWikitextSplit("", "valid", "auto", *bert_, cache).from_cache);
  }

  void tokenCacheRejectsDamagedFiles_data() {
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("reason");
    QTest::newRow("flipped id byte") << "flip"
                                     << "CRC-32";
    QTest::newRow("truncated") << "truncate"
                               << "bytes of ids";
    QTest::newRow("not a cache file") << "garbage"
                                      << "not a cache file";
    QTest::newRow("stale header") << "stale"
                                  << "stale";
  }
  void tokenCacheRejectsDamagedFiles() {
    QFETCH(QString, damage);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    TokenCache cache(dir.path().toStdString());
    std::vector<std::string> warnings;
    cache.setWarningHandler([&](const std::string& w) { warnings.push_back(w); });
    const TokenStream reference = loadWikitextSplit("", "test", "auto", *gpt2_, cache);
    const TokenCache::Key key{"wikitext2-test-gpt2",
                              {reference.source_sha256, gpt2_->fingerprint(), "stream-v1"}};
    const std::string path = cache.pathFor(key);
    QVERIFY(fs::exists(path));
    std::string bytes = readFileBytes(path);
    if (damage == "flip") bytes[bytes.size() - 100] ^= 0x01;
    if (damage == "truncate") bytes.resize(bytes.size() - 4);
    if (damage == "garbage") bytes = "hello";
    if (damage == "stale") {
      // Same file name, but the header says it was made from other inputs.
      const std::string digest = key.digest();
      const std::size_t at = bytes.find(digest);
      QVERIFY(at != std::string::npos);
      bytes[at] = bytes[at] == 'a' ? 'b' : 'a';
    }
    writeFileAtomic(path, bytes);
    const TokenStream again = loadWikitextSplit("", "test", "auto", *gpt2_, cache);
    QVERIFY(!again.from_cache);
    QCOMPARE(again.ids, reference.ids);
    QCOMPARE(warnings.size(), std::size_t(1));
    QVERIFY2(QString::fromStdString(warnings[0]).contains(reason), warnings[0].c_str());
    // Rebuilt: the next load is a clean hit.
    QVERIFY(loadWikitextSplit("", "test", "auto", *gpt2_, cache).from_cache);
  }

  void snliCounts_data() {
    QTest::addColumn<QString>("split");
    QTest::addColumn<QString>("format");
    QTest::addColumn<qint64>("pairs");
    QTest::addColumn<qint64>("entailment");
    QTest::addColumn<qint64>("neutral");
    QTest::addColumn<qint64>("contradiction");
    for (const char* format : {"jsonl", "tsv"}) {
      QTest::addRow("dev/%s", format)
          << "dev" << format << qint64(10000) << qint64(3329) << qint64(3235) << qint64(3278);
      QTest::addRow("test/%s", format)
          << "test" << format << qint64(10000) << qint64(3368) << qint64(3219) << qint64(3237);
      QTest::addRow("train 1%%/%s", format)
          << "train" << format << qint64(5502) << qint64(1806) << qint64(1786) << qint64(1906);
    }
  }
  void snliCounts() {
    QFETCH(QString, split);
    QFETCH(QString, format);
    QFETCH(qint64, pairs);
    QFETCH(qint64, entailment);
    QFETCH(qint64, neutral);
    QFETCH(qint64, contradiction);
    const SnliSplit data =
        loadSnliSplit("", split.toStdString(), format.toStdString(), *bert_, *cache_);
    QCOMPARE(data.pairs, pairs);
    QCOMPARE(data.label_counts[0], entailment);
    QCOMPARE(data.label_counts[1], neutral);
    QCOMPARE(data.label_counts[2], contradiction);
    QCOMPARE(data.kept(), entailment + neutral + contradiction);
    QCOMPARE(data.dropped, pairs - data.kept());
    QCOMPARE(static_cast<qint64>(data.examples.size()), data.kept());
  }

  void snliFormatsGiveTheSameExamples() {
    const SnliSplit jsonl = loadSnliSplit("", "dev", "jsonl", *bert_, noCache());
    const SnliSplit tsv = loadSnliSplit("", "dev", "tsv", *bert_, noCache());
    QCOMPARE(jsonl.kept(), qint64(9842));
    QCOMPARE(jsonl.examples.size(), tsv.examples.size());
    for (std::size_t i = 0; i < jsonl.examples.size(); ++i) {
      QCOMPARE(jsonl.examples[i].label, tsv.examples[i].label);
      QCOMPARE(jsonl.examples[i].premise, tsv.examples[i].premise);
      QCOMPARE(jsonl.examples[i].hypothesis, tsv.examples[i].hypothesis);
    }
    // The cached copy decodes to the same examples.
    TokenCache cache((cache_dir_.path() + "/snli").toStdString());
    loadSnliSplit("", "dev", "jsonl", *bert_, cache);
    const SnliSplit cached = loadSnliSplit("", "dev", "jsonl", *bert_, cache);
    QVERIFY(cached.from_cache);
    QCOMPARE(cached.label_counts, jsonl.label_counts);
    QCOMPARE(cached.examples.back().hypothesis, jsonl.examples.back().hypothesis);
    QCOMPARE(cached.pairTokens(*bert_), jsonl.pairTokens(*bert_));
  }

  void officialTxtFormatIsReadByHeader() {
    QTemporaryDir dir;
    const std::string header =
        "gold_label\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\t"
        "sentence2_"
        "parse\tsentence1\tsentence2\tcaptionID\tpairID\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\n";
    test::writeFile(dir.path().toStdString() + "/snli_1.0_dev.txt",
                    header +
                        "neutral\t( A b )\t( C d )\t(ROOT)\t(ROOT)\tA man sleeps.\tA man "
                        "rests.\tc1\tp1\tneutral\t\t\t\t\n"
                        "-\t( A b )\t( C d )\t(ROOT)\t(ROOT)\tA dog.\tA "
                        "cat.\tc2\tp2\tneutral\tcontradiction\t\t\t\n"
                        "contradiction\t( A b )\t( C d )\t(ROOT)\t(ROOT)\tA dog.\tA "
                        "cat.\tc3\tp3\tcontradiction\t\t\t\t\n");
    const SnliSplit data =
        loadSnliSplit(dir.path().toStdString(), "dev", "auto", *bert_, noCache());
    QCOMPARE(data.pairs, qint64(3));
    QCOMPARE(data.dropped, qint64(1));
    QCOMPARE(data.examples[0].premise, bert_->encode("A man sleeps."));
    QCOMPARE(data.examples[1].label, std::int32_t(SnliLabel::Contradiction));
  }

  void userWikitextFolderWithRawFiles() {
    QTemporaryDir dir;
    const std::string root = dir.path().toStdString();
    test::writeFile(root + "/wiki.valid.raw", " = Title = \n \n Some text here .\n",
                    /*gzip=*/false);
    test::writeFile(root + "/wiki.valid.tokens.gz", " other \n", /*gzip=*/true);
    QVERIFY(findWikitextFile(root, "valid", "raw").find("wiki.valid.raw") != std::string::npos);
    QVERIFY(findWikitextFile(root, "valid", "auto").find("wiki.valid.tokens.gz") !=
            std::string::npos);
    const TokenStream raw = loadWikitextSplit(root, "valid", "raw", *bert_, noCache());
    QCOMPARE(raw.lines, std::int64_t(3));
    QCOMPARE(raw.nonempty_lines, std::int64_t(2));
    std::vector<std::int32_t> expected = {101};
    bert_->encodeAppend("= Title =\nSome text here .", expected);
    expected.push_back(102);
    QCOMPARE(raw.ids, expected);
  }

  // ---- bad input: each error names the file (and line where there is one)
  void missingSplitFileIsNamed() {
    QTemporaryDir dir;
    const QString wiki = inputErrorOf([&] { findWikitextFile(dir.path().toStdString(), "train"); });
    QVERIFY2(wiki.startsWith(dir.path() + "/wiki.train.tokens: expected a Wikitext-2 train file"),
             qPrintable(wiki));
    QVERIFY(wiki.endsWith("got none"));
    const QString snli =
        inputErrorOf([&] { findSnliFile(dir.path().toStdString(), "dev", "auto"); });
    QVERIFY2(snli.startsWith(dir.path() + "/snli_1.0_dev.jsonl: expected an SNLI dev file"),
             qPrintable(snli));
  }

  void invalidUtf8InWikitextNamesLineAndColumn() {
    QTemporaryDir dir;
    test::writeFile(dir.path().toStdString() + "/wiki.test.tokens.gz",
                    " ok \n fine \n bad \xfe byte \n", true);
    const QString error = inputErrorOf(
        [&] { loadWikitextSplit(dir.path().toStdString(), "test", "auto", *gpt2_, noCache()); });
    QVERIFY2(
        error.endsWith("wiki.test.tokens.gz:3: expected valid UTF-8, got byte 0xfe at column 6"),
        qPrintable(error));
  }

  void truncatedGzipSplitIsAnError() {
    QTemporaryDir dir;
    std::string text;
    for (int i = 0; i < 5000; ++i) text += " line " + std::to_string(i) + " of text \n";
    const std::string gz = test::gzipBytes(text);
    test::writeFile(dir.path().toStdString() + "/wiki.train.tokens.gz",
                    gz.substr(0, gz.size() - 40));
    const QString error = inputErrorOf(
        [&] { loadWikitextSplit(dir.path().toStdString(), "train", "auto", *gpt2_, noCache()); });
    QVERIFY2(error.contains(
                 "wiki.train.tokens.gz: expected a complete gzip stream, got a stream truncated"),
             qPrintable(error));
  }

  void snliLineWithMissingFieldNamesLineAndKey() {
    QTemporaryDir dir;
    test::writeFile(dir.path().toStdString() + "/snli_1.0_test.jsonl",
                    "{\"gold_label\":\"neutral\",\"sentence1\":\"a\",\"sentence2\":\"b\"}\n"
                    "{\"gold_label\":\"neutral\",\"sentence1\":\"a\"}\n");
    const QString json = inputErrorOf(
        [&] { loadSnliSplit(dir.path().toStdString(), "test", "auto", *bert_, noCache()); });
    QVERIFY2(
        json.endsWith("snli_1.0_test.jsonl:2: sentence2: expected a string, got no such field"),
        qPrintable(json));

    test::writeFile(
        dir.path().toStdString() + "/snli_1.0_dev.tsv",
        "gold_label\tsentence1\tsentence2\tpairID\nneutral\ta\tb\tp1\nentailment\tonly premise\n");
    const QString tsv = inputErrorOf(
        [&] { loadSnliSplit(dir.path().toStdString(), "dev", "auto", *bert_, noCache()); });
    QVERIFY2(
        tsv.endsWith(
            "snli_1.0_dev.tsv:3: sentence2: expected a field in column 3, got a row of 2 fields"),
        qPrintable(tsv));
  }

  void snliUnknownLabelAndBadJsonAreErrors() {
    QTemporaryDir dir;
    test::writeFile(dir.path().toStdString() + "/snli_1.0_dev.jsonl",
                    "{\"gold_label\":\"maybe\",\"sentence1\":\"a\",\"sentence2\":\"b\"}\n");
    QVERIFY(inputErrorOf(
                [&] { loadSnliSplit(dir.path().toStdString(), "dev", "auto", *bert_, noCache()); })
                .endsWith("snli_1.0_dev.jsonl:1: gold_label: expected entailment, neutral, "
                          "contradiction or -, got \"maybe\""));
    test::writeFile(dir.path().toStdString() + "/snli_1.0_test.jsonl",
                    "{\"gold_label\":\"neutral\",\"sentence1\":\"a\",\"sentence2\":\"b\"}\n\n");
    QVERIFY(inputErrorOf([&] {
              loadSnliSplit(dir.path().toStdString(), "test", "auto", *bert_, noCache());
            }).endsWith("snli_1.0_test.jsonl:2: expected a JSON object, got an empty line"));
  }

  void modifiedEmbeddedFileFailsItsChecksum() {
    // A copy of the embedded layout (SHA256SUMS one folder up) with one file changed.
    QTemporaryDir dir;
    const std::string root = dir.path().toStdString();
    fs::copy_file(embeddedDataDir() + "/SHA256SUMS", root + "/SHA256SUMS");
    std::string text = readDataFile(findWikitextFile("", "valid")).content();
    text[100] = text[100] == 'a' ? 'b' : 'a';
    test::writeFile(root + "/wikitext-2/wiki.valid.tokens.gz", text, true);
    const QString error = inputErrorOf(
        [&] { loadWikitextSplit(root + "/wikitext-2", "valid", "auto", *gpt2_, noCache()); });
    QVERIFY2(error.contains("wiki.valid.tokens.gz: expected sha256 "
                            "3ac34ae2b6509075d52302c50a04a8a1970739ffe1a904f2cd374fefbea3cbf2"),
             qPrintable(error));
  }

  void embeddedFilesAllMatchTheirChecksums() {
    const std::string sums = readFileBytes(embeddedDataDir() + "/SHA256SUMS");
    int checked = 0;
    std::size_t start = 0;
    while (start < sums.size()) {
      const std::size_t end = sums.find('\n', start);
      const std::string line = sums.substr(start, end - start);
      start = end + 1;
      const std::string path = embeddedDataDir() + "/" + line.substr(66);
      QVERIFY(verifyListedChecksum(path, sha256Hex(readFileBytes(path))));
      ++checked;
    }
    QCOMPARE(checked, 12);
  }
};

QTEST_GUILESS_MAIN(TestDatasets)
#include "tst_datasets.moc"
