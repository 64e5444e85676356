// The built gwb binary, run as scripts run it: stdout is exactly one JSON document, errors go to
// stderr as "gwb: error: ...", exit codes follow CONTRACTS.md, and tokenize / data stats print the
// golden ids and the real counts.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "test_support.h"

using Result = gwb::test::ProcessResult;

class TestCli : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir cache_;
  QJsonObject golden_;

  Result gwb(const QStringList& args, const QByteArray& stdin_data = {}) {
    return gwb::test::runGwb(args, cache_.path(), stdin_data);
  }

  QString writeJson(const QString& name, const QJsonArray& array) {
    const QString path = cache_.path() + "/" + name;
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(QJsonDocument(array).toJson());
    return path;
  }

 private slots:
  void initTestCase() {
    QFile file(QString::fromStdString(gwb::test::goldenPath("tokenizers.json")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    golden_ = QJsonDocument::fromJson(file.readAll()).object();
    QVERIFY(!golden_.isEmpty());
  }

  void versionIsJson() {
    const Result r = gwb({"--version"});
    QCOMPARE(r.exit_code, 0);
    const QJsonObject v = r.json().object();
    QCOMPARE(v.keys(), (QStringList{"cuda", "cuda_device", "git_commit", "libtorch", "version"}));
    QVERIFY(v["libtorch"].toString().count('.') == 2);
    QVERIFY(v["cuda"].isBool());
    QVERIFY(!v["git_commit"].toString().isEmpty());
    QCOMPARE(r.out.count('\n'), 1);
  }

  // Issue 24: --dry-run, data list and sample printed one long line; --pretty indents them, and
  // stays one JSON document either way.
  void prettyIndentsTheJson() {
    const Result one = gwb({"data", "list"});
    QCOMPARE(one.exit_code, 0);
    QCOMPARE(one.out.trimmed().count('\n'), 0);
    for (const QStringList& args : {QStringList{"--pretty", "data", "list"},
                                    QStringList{"data", "list", "--pretty"}}) {
      const Result r = gwb(args);
      QCOMPARE(r.exit_code, 0);
      QVERIFY(r.out.count('\n') > 10);
      QCOMPARE(r.json(), one.json());
    }
  }

  void tokenizeMatchesGolden_data() {
    QTest::addColumn<QString>("tokenizer");
    for (const char* t : {"gpt2", "bert"}) QTest::newRow(t) << t;
  }
  void tokenizeMatchesGolden() {
    QFETCH(QString, tokenizer);
    QJsonArray texts, expected;
    for (const char* section : {"wikitext", "snli", "unicode"}) {
      const QJsonObject s = golden_[section].toObject();
      for (const auto& t : s["text"].toArray()) texts.append(t);
      for (const auto& ids : s[tokenizer].toArray()) expected.append(ids);
    }
    const Result r = gwb({"tokenize", "--tokenizer", tokenizer, writeJson("texts.json", texts)});
    QCOMPARE(r.exit_code, 0);
    QCOMPARE(r.json().array(), expected);
  }

  void tokenizePairsMatchGoldenFromStdin() {
    QJsonArray pairs, expected;
    for (const auto& p : golden_["bert_pairs"].toArray()) {
      pairs.append(QJsonArray{p.toObject()["premise"], p.toObject()["hypothesis"]});
      expected.append(p.toObject()["ids"]);
    }
    const Result r =
        gwb({"tokenize", "--tokenizer", "bert", "--pairs", "-"}, QJsonDocument(pairs).toJson());
    QCOMPARE(r.exit_code, 0);
    QCOMPARE(r.json().array(), expected);
  }

  void badUsageExitsTwo_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("pairs with gpt2")
        << QStringList{"tokenize", "--tokenizer", "gpt2", "--pairs", "-"}
        << "gwb: error: --pairs: expected --tokenizer bert, got --tokenizer gpt2";
    QTest::newRow("unknown tokenizer")
        << QStringList{"tokenize", "--tokenizer", "spm", "-"}
        << "gwb: error: --tokenizer: expected gpt2 or bert, got \"spm\"";
    QTest::newRow("unknown task") << QStringList{"data", "stats",       "--task",
                                                 "imdb", "--tokenizer", "gpt2"}
                                  << "gwb: error: --task: expected wikitext2 or snli, got \"imdb\"";
    QTest::newRow("missing data folder")
        << QStringList{"data",        "stats", "--task", "wikitext2",
                       "--tokenizer", "gpt2",  "--dir",  "/nonexistent"}
        << "gwb: error: /nonexistent/wiki.train.tokens: expected a Wikitext-2 train file";
    QTest::newRow("unknown option") << QStringList{"tokenize", "--bogus"} << "gwb: error: ";
    QTest::newRow("no command") << QStringList{} << "gwb: error: expected a command";
    QTest::newRow("missing input file")
        << QStringList{"tokenize", "--tokenizer", "gpt2", "/nonexistent.json"}
        << "gwb: error: /nonexistent.json: expected a readable file";
  }
  void badUsageExitsTwo() {
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Result r = gwb(args, "[]");
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(QString(r.err).startsWith(message), r.err.constData());
    QVERIFY(r.out.isEmpty());
  }

  void malformedInputNamesLine() {
    const QString path = cache_.path() + "/bad.json";
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("[\"ok\",\n\"fine\",\n42]");
    file.close();
    Result r = gwb({"tokenize", "--tokenizer", "gpt2", path});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(QString(r.err).contains("bad.json: [2]: expected a string, got number"),
             r.err.constData());
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("[\"ok\",\n\"unterminated]");
    file.close();
    r = gwb({"tokenize", "--tokenizer", "gpt2", path});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(QString(r.err).contains("bad.json:2: expected a JSON array"), r.err.constData());
  }

  void helpGoesToStderr() {
    const Result r = gwb({"--help"});
    QCOMPARE(r.exit_code, 0);
    QVERIFY(r.out.isEmpty());
    QVERIFY(r.err.contains("tokenize"));
  }

  void dataStatsWikitext() {
    const Result r = gwb({"data", "stats", "--task", "wikitext", "--tokenizer", "gpt2"});
    QCOMPARE(r.exit_code, 0);
    const QJsonObject o = r.json().object();
    QCOMPARE(o.keys(), (QStringList{"dir", "provenance", "seq_len", "source", "splits", "task",
                                    "tokenizer"}));
    QCOMPARE(o["task"].toString(), QString("wikitext2"));
    // Nothing is installed in the tests' GWB_DATA_HOME: the embedded copy, and stderr says so.
    QCOMPARE(o["source"].toString(), QString("embedded"));
    QCOMPARE(o["provenance"].toString(), QString("embedded"));
    QVERIFY(QString(r.err).startsWith("gwb: wikitext2: the embedded copy\n"));
    QCOMPARE(o["seq_len"].toInt(), 256);
    const QJsonObject train = o["splits"].toObject()["train"].toObject();
    QCOMPARE(train["lines"].toInt(), 36718);
    QCOMPARE(train["nonempty_lines"].toInt(), 23767);
    QCOMPARE(train["tokens"].toInt(), 2448382);
    QCOMPARE(train["chunks"].toInt(), 9563);
    QCOMPARE(o["splits"].toObject()["valid"].toObject()["lines"].toInt(), 3760);
    QCOMPARE(o["splits"].toObject()["test"].toObject()["lines"].toInt(), 4358);
    // A second run reads the cache and prints the same document.
    const Result again =
        gwb({"data", "stats", "--task", "wikitext2", "--tokenizer", "gpt2", "--seq-len", "128"});
    QCOMPARE(again.exit_code, 0);
    QVERIFY(again.err.contains("(cached)"));
    QCOMPARE(again.json().object()["splits"].toObject()["train"].toObject()["chunks"].toInt(),
             2448382 / 128);
  }

  void dataStatsSnli() {
    const Result r = gwb({"data", "stats", "--task", "snli", "--tokenizer", "bert"});
    QCOMPARE(r.exit_code, 0);
    const QJsonObject splits = r.json().object()["splits"].toObject();
    const QJsonObject dev = splits["dev"].toObject();
    QCOMPARE(dev["pairs"].toInt(), 10000);
    QCOMPARE(dev["dropped"].toInt(), 158);
    QCOMPARE(dev["kept"].toInt(), 9842);
    QCOMPARE(dev["labels"].toObject(),
             (QJsonObject{{"entailment", 3329}, {"neutral", 3235}, {"contradiction", 3278}}));
    QCOMPARE(splits["test"].toObject()["kept"].toInt(), 9824);
    QCOMPARE(splits["test"].toObject()["labels"].toObject(),
             (QJsonObject{{"entailment", 3368}, {"neutral", 3219}, {"contradiction", 3237}}));
    QCOMPARE(splits["train"].toObject()["kept"].toInt(), 5498);
    QVERIFY(dev["tokens"].toInt() > 3 * 9842);
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
