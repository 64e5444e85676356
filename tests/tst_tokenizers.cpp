// The tokenizers against ids made by implementations we did not write (Hugging Face tokenizers
// 0.23.2 and tiktoken 0.14.0, tests/golden/tokenizers.json), decoding, and bad vocabularies.
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "engine/tokenizers/bert_wordpiece.h"
#include "engine/tokenizers/gpt2_bpe.h"
#include "engine/tokenizers/utf8.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "test_support.h"

using namespace gwb;
using gwb::test::inputErrorOf;
using Ids = std::vector<std::int32_t>;

namespace {

QString firstMismatch(const nlohmann::json& texts, const nlohmann::json& expected,
                      const Tokenizer& tokenizer) {
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const Ids got = tokenizer.encode(texts[i].get<std::string>());
    if (got != expected[i].get<Ids>()) {
      return QString("text %1 %2: got %3 ids, expected %4")
          .arg(i)
          .arg(QString::fromStdString(quoteForMessage(texts[i].get<std::string>())))
          .arg(got.size())
          .arg(expected[i].size());
    }
  }
  return {};
}

// A GPT-2 style vocabulary of the 256 byte tokens, "ab" (merge "a b") and <|endoftext|>, written
// to `dir`; `edit` may change the JSON object and merges lines before they are written.
void writeSmallGpt2Vocab(const std::string& dir,
                         const std::function<void(nlohmann::json&, std::string&)>& edit = {}) {
  nlohmann::json vocab = nlohmann::json::object();
  const auto& table = gpt2ByteToUnicode();
  for (int b = 0; b < 256; ++b) {
    std::string symbol;
    utf8::append(table[b], symbol);
    vocab[symbol] = b;
  }
  vocab["ab"] = 256;
  vocab["<|endoftext|>"] = 257;
  std::string merges = "#version: 0.2\na b\n";
  if (edit) edit(vocab, merges);
  test::writeFile(dir + "/encoder.json", vocab.dump());
  test::writeFile(dir + "/vocab.bpe", merges);
}

}  // namespace

class TestTokenizers : public QObject {
  Q_OBJECT

 private:
  nlohmann::json golden_;
  std::unique_ptr<Tokenizer> gpt2_, bert_;

  const BertTokenizer& bert() const { return dynamic_cast<const BertTokenizer&>(*bert_); }

 private slots:
  void initTestCase() {
    std::ifstream in(test::goldenPath("tokenizers.json"));
    QVERIFY(in.good());
    golden_ = nlohmann::json::parse(in);
    gpt2_ = loadTokenizer(TokenizerKind::Gpt2);
    bert_ = loadTokenizer(TokenizerKind::Bert);
    QCOMPARE(gpt2_->vocabSize(), 50257);
    QCOMPARE(bert_->vocabSize(), 30522);
  }

  void matchesGolden_data() {
    QTest::addColumn<QString>("tokenizer");
    QTest::addColumn<QString>("section");
    for (const char* tokenizer : {"gpt2", "bert"}) {
      for (const char* section : {"wikitext", "snli", "unicode"}) {
        QTest::addRow("%s/%s", tokenizer, section) << tokenizer << section;
      }
    }
  }
  void matchesGolden() {
    QFETCH(QString, tokenizer);
    QFETCH(QString, section);
    const auto& entry = golden_.at(section.toStdString());
    const QString mismatch = firstMismatch(entry.at("text"), entry.at(tokenizer.toStdString()),
                                           tokenizer == "gpt2" ? *gpt2_ : *bert_);
    QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
    QVERIFY(entry.at("text").size() >= 24);
  }

  void bertPairsMatchGoldenWithTypeIds() {
    const auto& pairs = golden_.at("bert_pairs");
    QCOMPARE(pairs.size(), std::size_t(100));
    for (const auto& pair : pairs) {
      const std::string a = pair.at("premise"), b = pair.at("hypothesis");
      const Ids ids = bert_->encodePair(a, b);
      QCOMPARE(ids, pair.at("ids").get<Ids>());
      const std::size_t len_a = bert_->encode(a).size(), len_b = bert_->encode(b).size();
      const Ids types = bert().pairTypeIds(len_a, len_b);
      QCOMPARE(types.size(), ids.size());
      QCOMPARE(ids[len_a + 1], bert().sepId());
      QCOMPARE(types[len_a + 1], 0);  // the first [SEP] belongs to segment A
      QCOMPARE(types[len_a + 2], 1);
      QCOMPARE(types.back(), 1);
    }
  }

  void gpt2DecodesEveryGoldenTextExactly() {
    for (const char* section : {"wikitext", "snli", "unicode"}) {
      for (const auto& text : golden_.at(section).at("text")) {
        const std::string s = text.get<std::string>();
        QCOMPARE(gpt2_->decode(gpt2_->encode(s)), s);
      }
    }
  }

  void bertDecodesToItsNormalisedWords() {
    int checked = 0;
    for (const char* section : {"wikitext", "snli", "unicode"}) {
      for (const auto& text : golden_.at(section).at("text")) {
        const std::string s = text.get<std::string>();
        const Ids ids = bert_->encode(s);
        if (std::find(ids.begin(), ids.end(), bert().unkId()) != ids.end()) continue;
        std::string joined;
        for (const std::string& word : bert().words(s))
          joined += (joined.empty() ? "" : " ") + word;
        QCOMPARE(bert_->decode(ids), joined);
        ++checked;
      }
    }
    QVERIFY(checked > 700);
  }

  void bertNormalisesAsBertDoes() {
    QCOMPARE(bert().normalize("Caf\xc3\xa9 \xc3\x9c"
                              "ber"),
             std::string("cafe uber"));
    QCOMPARE(bert().normalize("a\tb\xc2\xa0"
                              "c\x07"),
             std::string("a b c"));                                   // tab, NBSP, BEL
    QCOMPARE(bert().normalize("x\xe2\x80\x8by"), std::string("xy"));  // ZWSP is Cf
    QCOMPARE(bert().normalize("\xe4\xb8\xad\xe6\x96\x87"),
             std::string(" \xe4\xb8\xad  \xe6\x96\x87 "));
    const std::vector<std::string> words = bert().words("Don't stop--now!");
    QCOMPARE(words, (std::vector<std::string>{"don", "'", "t", "stop", "-", "-", "now", "!"}));
  }

  void bertWordOverHundredCharsIsUnk() {
    const Ids hundred = bert_->encode(std::string(100, 'x'));
    QVERIFY(hundred.size() > 1);
    QVERIFY(std::find(hundred.begin(), hundred.end(), bert().unkId()) == hundred.end());
    QCOMPARE(bert_->encode(std::string(101, 'x')), Ids{bert().unkId()});
    // Counted in characters, not bytes: 60 two-byte characters are not too long.
    QVERIFY(bert_->encode(std::string(60 * 2, 'a')).size() >= 1);
  }

  void gpt2EndOfTextInTextIsOrdinaryText() {
    const Ids ids = gpt2_->encode("<|endoftext|>");
    QVERIFY(ids.size() > 1);
    QVERIFY(std::find(ids.begin(), ids.end(), 50256) == ids.end());
    const Ids pair = gpt2_->encodePair("A man.", "A woman.");
    QCOMPARE(pair.size(), gpt2_->encode("A man.").size() + 1 + gpt2_->encode("A woman.").size());
    QCOMPARE(pair[gpt2_->encode("A man.").size()], 50256);
  }

  void gpt2PreTokenizesWithTheGpt2Pattern() {
    const auto& gpt2 = dynamic_cast<const Gpt2Tokenizer&>(*gpt2_);
    QCOMPARE(gpt2.preTokenize("Hello world's  x 42\n\n"),
             (std::vector<std::string>{"Hello", " world", "'s", " ", " x", " 42", "\n\n"}));
  }

  void encodingIsTheSameWithAWarmCache() {
    const std::string text = golden_.at("wikitext").at("text")[1];
    const Ids first = gpt2_->encode(text), second = gpt2_->encode(text);
    QCOMPARE(first, second);
    const auto fresh = loadTokenizer(TokenizerKind::Gpt2);
    QCOMPARE(fresh->encode(text), first);
  }

  void smallGpt2VocabularyMergesByRank() {
    QTemporaryDir dir;
    writeSmallGpt2Vocab(dir.path().toStdString());
    const auto tokenizer = loadTokenizer(TokenizerKind::Gpt2, dir.path().toStdString());
    QCOMPARE(tokenizer->encode("abab"), (Ids{256, 256}));
    QCOMPARE(tokenizer->encode("bab"), (Ids{'b', 256}));  // byte tokens have id = byte here
    QCOMPARE(tokenizer->decode(tokenizer->encode("x ab\n")), std::string("x ab\n"));
  }

  void badGpt2Vocabulary_data() {
    QTest::addColumn<QString>("defect");
    QTest::addColumn<QString>("message");
    QTest::newRow("duplicate id") << "duplicate id"
                                  << "expected a unique id, got 5, also the id of";
    QTest::newRow("missing id")
        << "missing id"
        << "encoder.json: expected ids 0..257 each used once, got no token with id 256";
    QTest::newRow("non-integer id")
        << "non-integer id"
        << "encoder.json: \"ab\": expected a non-negative integer id, got \"x\"";
    QTest::newRow("syntax error") << "syntax error"
                                  << "encoder.json:1: expected a JSON object of token ids";
    QTest::newRow("merge with three fields")
        << "merge with three fields"
        << "vocab.bpe:3: expected two tokens separated by one space, got \"a b c\"";
    QTest::newRow("merge of unknown token") << "merge of unknown token"
                                            << "vocab.bpe:1: \"zz\": expected a token of";
  }
  void badGpt2Vocabulary() {
    QFETCH(QString, defect);
    QFETCH(QString, message);
    QTemporaryDir dir;
    writeSmallGpt2Vocab(dir.path().toStdString(), [&](nlohmann::json& vocab, std::string& merges) {
      if (defect == "duplicate id") vocab["ab"] = 5;
      if (defect == "missing id") vocab["ab"] = 300;
      if (defect == "non-integer id") vocab["ab"] = "x";
      if (defect == "merge with three fields") merges += "a b c\n";
      if (defect == "merge of unknown token") merges = "zz b\n";
    });
    if (defect == "syntax error")
      test::writeFile(dir.path().toStdString() + "/encoder.json", "{\"a\": 0,");
    const QString error =
        inputErrorOf([&] { loadTokenizer(TokenizerKind::Gpt2, dir.path().toStdString()); });
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY2(error.startsWith(dir.path()), qPrintable(error));
  }

  void badBertVocabulary_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("message");
    QTest::newRow("duplicate token") << QByteArray("[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\nthe\n")
                                     << "vocab.txt:6: \"the\": expected each token once (id = line "
                                        "- 1), got it again after line 5";
    QTest::newRow("empty line") << QByteArray("[PAD]\n[UNK]\n\n[CLS]\n[SEP]\n")
                                << "vocab.txt:3: expected a token, got an empty line";
    QTest::newRow("no [UNK]") << QByteArray("[PAD]\n[CLS]\n[SEP]\n")
                              << "vocab.txt: [UNK]: expected this special token, got none";
    QTest::newRow("invalid UTF-8")
        << QByteArray("[PAD]\n[UNK]\n\xff\n") << "vocab.txt:3: expected valid UTF-8";
  }
  void badBertVocabulary() {
    QFETCH(QByteArray, content);
    QFETCH(QString, message);
    QTemporaryDir dir;
    test::writeFile(dir.path().toStdString() + "/vocab.txt", content.toStdString());
    const QString error =
        inputErrorOf([&] { loadTokenizer(TokenizerKind::Bert, dir.path().toStdString()); });
    QVERIFY2(error.contains(message), qPrintable(error));
  }

  void missingVocabularyFilesAreNamed() {
    QTemporaryDir dir;
    QVERIFY(inputErrorOf([&] {
              loadTokenizer(TokenizerKind::Bert, dir.path().toStdString());
            }).contains("vocab.txt: expected a BERT WordPiece vocabulary, got no such file"));
    QVERIFY(inputErrorOf([&] {
              loadTokenizer(TokenizerKind::Gpt2, dir.path().toStdString());
            }).contains("expected encoder.json + vocab.bpe or vocab.json + merges.txt"));
  }

  void huggingFaceFileNamesAreAccepted() {
    QTemporaryDir dir;
    const std::string root = dir.path().toStdString();
    writeSmallGpt2Vocab(root);
    std::filesystem::rename(root + "/encoder.json", root + "/vocab.json");
    std::filesystem::rename(root + "/vocab.bpe", root + "/merges.txt");
    QCOMPARE(loadTokenizer(TokenizerKind::Gpt2, root)->encode("ab"), Ids{256});
  }
};

QTEST_GUILESS_MAIN(TestTokenizers)
#include "tst_tokenizers.moc"
