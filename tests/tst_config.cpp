// The run configuration: strict parsing (unknown keys, wrong types), --set overrides, impossible
// combinations named by key, the full list of problems for the set-up panel, and every preset.
#include <QtTest>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/config/config_keys.h"
#include "engine/config/presets.h"
#include "engine/config/run_config.h"
#include "engine/runs/run_reader.h"
#include "engine/util/error.h"
#include "test_support.h"

using namespace gwb;
using gwb::test::inputErrorOf;

namespace {

RunConfig parse(const std::string& text) { return parseRunConfig(text, "cfg.json"); }

QString validationError(const std::function<void(RunConfig&)>& edit, bool cuda = false) {
  RunConfig c;
  edit(c);
  resolveRunConfig(c, knownVocabSize(c.data.tokenizer));
  return inputErrorOf([&] { validateRunConfig(c, cuda, "cfg.json"); });
}

}  // namespace

class TestConfig : public QObject {
  Q_OBJECT

 private slots:
  void defaultsRoundTrip() {
    RunConfig c;
    c.model.windows = {1, 1, 2};
    c.train.betas = {0.8, 0.95};
    const std::string text = runConfigToJson(c);
    QCOMPARE(runConfigToJson(parse(text)), text);
    const auto j = nlohmann::json::parse(text);
    QCOMPARE(j["train"]["lr"].get<double>(), 6e-4);
    QCOMPARE(j["model"]["windows"].size(), std::size_t(3));
  }

  void omittedKeysKeepDefaultsAndAliasResolves() {
    RunConfig c = parse(
        R"({"model": {"arch": "transformer"}, "data": {"task": "wikitext", "tokenizer": "bert"}})");
    QCOMPARE(c.model.arch, std::string("transformer"));
    QCOMPARE(c.train.batch_size, std::int64_t(16));
    resolveRunConfig(c, knownVocabSize(c.data.tokenizer));
    QCOMPARE(c.data.task, std::string("wikitext2"));
    QCOMPARE(c.model.vocab_size, std::int64_t(30522));
    QCOMPARE(c.model.max_len, c.data.seq_len);
  }

  void badKeysAndTypes_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown top-level key") << R"({"nme": "x"})"
                                           << "cfg.json: nme: expected a key of the configuration";
    QTest::newRow("unknown model key")
        << R"({"model": {"head": 4}})"
        << "cfg.json: model.head: expected a key of the model section (arch, vocab_size";
    QTest::newRow("string for a number") << R"({"train": {"lr": "fast"}})"
                                         << "cfg.json: train.lr: expected a number, got \"fast\"";
    QTest::newRow("fraction for an integer")
        << R"({"train": {"epochs": 1.5}})"
        << "cfg.json: train.epochs: expected an integer, got 1.5";
    QTest::newRow("number for a bool")
        << R"({"model": {"tie_embeddings": 1}})"
        << "cfg.json: model.tie_embeddings: expected true or false, got 1";
    QTest::newRow("bad list item")
        << R"({"model": {"windows": [1, "two"]}})"
        << "cfg.json: model.windows[1]: expected an integer, got \"two\"";
    QTest::newRow("section not an object") << R"({"train": 3})"
                                           << "cfg.json: train: expected an object, got 3";
    QTest::newRow("syntax error") << "{\n\"train\": {,}}"
                                  << "cfg.json:2: expected a JSON configuration";
  }
  void badKeysAndTypes() {
    QFETCH(QString, json);
    QFETCH(QString, error);
    const QString got = inputErrorOf([&] { parse(json.toStdString()); });
    QVERIFY2(got.startsWith(error), qPrintable(got));
  }

  void provenanceIsIgnoredOnRead() {
    const RunConfig c = parse(R"({"name": "a", "provenance": {"git_commit": "x"}})");
    QCOMPARE(c.name, std::string("a"));
  }

  void overridesApply() {
    const std::string text = applyOverrides(
        R"({"model": {"arch": "grassmann"}})",
        {"train.lr=0.001", "model.windows=[1,2]", "name=my run", "model.arch=transformer"},
        "cfg.json");
    const RunConfig c = parse(text);
    QCOMPARE(c.train.lr, 0.001);
    QCOMPARE(c.model.windows, (std::vector<std::int64_t>{1, 2}));
    QCOMPARE(c.name, std::string("my run"));  // not JSON: taken as a string
    QCOMPARE(c.model.arch, std::string("transformer"));
    QVERIFY(inputErrorOf([] {
              applyOverrides("{}", {"train.lrr=1"}, "cfg.json");
            }).startsWith("--set train.lrr: expected a configuration key"));
    QVERIFY(inputErrorOf([] {
              applyOverrides("{}", {"train.lr"}, "cfg.json");
            }).startsWith("--set: expected KEY=VALUE"));
    QVERIFY(inputErrorOf([] {
              parse(applyOverrides("{}", {"train.lr=fast"}, "cfg.json"));
            }).contains("train.lr: expected a number, got \"fast\""));
  }

  void impossibleCombinations_data() {
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("error");
    QTest::newRow("heads not dividing d_model")
        << 0 << "cfg.json: model.heads: expected a divisor of d_model 256, got 3";
    QTest::newRow("empty windows")
        << 1 << "cfg.json: model.windows: expected at least one offset, got []";
    QTest::newRow("seq_len over max_len")
        << 2 << "cfg.json: data.seq_len: expected at most model.max_len 128, got 256";
    QTest::newRow("bf16 on a CPU")
        << 3 << "cfg.json: train.precision: expected fp32 or auto on a CPU, got bf16";
    QTest::newRow("per_layer with wrong length")
        << 4
        << "cfg.json: model.windows: expected one offset per layer (n_layers = 6) with window_mode "
           "per_layer, got 3 offsets";
    QTest::newRow("cuda without a device")
        << 5 << "cfg.json: train.device: expected an available CUDA device, got none";
    QTest::newRow("vocab too small for the tokenizer")
        << 6 << "cfg.json: model.vocab_size: expected at least the tokenizer's 50257, got 1000";
    QTest::newRow("zero offset") << 7 << "cfg.json: model.windows: expected offsets >= 1, got 0";
  }
  void impossibleCombinations() {
    QFETCH(int, which);
    QFETCH(QString, error);
    const QString got = validationError([&](RunConfig& c) {
      switch (which) {
        case 0:
          c.model.arch = "transformer";
          c.model.heads = 3;
          break;
        case 1:
          c.model.windows.clear();
          break;
        case 2:
          c.model.max_len = 128;
          break;
        case 3:
          c.train.precision = "bf16";
          break;
        case 4:
          c.model.window_mode = "per_layer";
          c.model.windows = {1, 2, 4};
          break;
        case 5:
          c.train.device = "cuda";
          break;
        case 6:
          c.model.vocab_size = 1000;
          break;
        case 7:
          c.model.windows = {1, 0};
          break;
      }
    });
    QCOMPARE(got, error);
  }

  void problemsListsEveryField() {
    RunConfig c;
    c.model.dropout = 1.5;
    c.train.lr = -1;
    c.probes.alpha_bins = 0;
    const auto problems = configProblems(c, false);
    QStringList keys;
    for (const auto& p : problems) keys << QString::fromStdString(p.key);
    QVERIFY2(keys.contains("model.dropout") && keys.contains("train.lr") &&
                 keys.contains("probes.alpha_bins"),
             qPrintable(keys.join(",")));
    QVERIFY(configProblems(RunConfig{}, false).empty());
  }

  void everyKeyIsDescribedOnce() {
    std::set<std::string> paths;
    for (const ConfigKey& k : configKeys()) {
      QVERIFY2(paths.insert(k.path).second, k.path.c_str());
      QVERIFY2(!k.label.empty() && !k.help.empty(), k.path.c_str());
      QVERIFY2(std::find(configPages().begin(), configPages().end(), k.page) != configPages().end(),
               k.path.c_str());
      if (k.type == KeyType::Choice) QVERIFY2(!k.choices.empty(), k.path.c_str());
      QCOMPARE(k.path, k.section.empty() ? k.key : k.section + "." + k.key);
    }
    // Every key is written and read back: the JSON of a configuration lists them all.
    const nlohmann::json j = nlohmann::json::parse(runConfigToJson(RunConfig{}));
    std::size_t written = 0;
    for (const auto& [section, value] : j.items()) written += value.is_object() ? value.size() : 1;
    QCOMPARE(written, paths.size());
    RunConfig snli;
    snli.data.task = "snli";
    QCOMPARE(findConfigKey("data.format")->choicesFor(snli),
             (std::vector<std::string>{"auto", "jsonl", "txt", "tsv"}));
    QVERIFY(findConfigKey("model.pooling")->appliesTo(snli));
    QVERIFY(!findConfigKey("model.pooling")->appliesTo(RunConfig{}));
    QVERIFY(!findConfigKey("model.heads")->appliesTo(RunConfig{}));  // a grassmann model
  }

  void snliKeysAreValidated_data() {
    QTest::addColumn<QString>("set");
    QTest::addColumn<QString>("key");
    QTest::newRow("pooling") << "model.pooling=max"
                             << "model.pooling";
    QTest::newRow("pair encoding") << "data.pair_encoding=both"
                                   << "data.pair_encoding";
    QTest::newRow("backbone") << "model.backbone=bert"
                              << "model.backbone";
    QTest::newRow("head groups") << "model.head_groups=5"
                                 << "model.head_groups";
    QTest::newRow("bert pair too short") << "data.seq_len=4"
                                         << "data.seq_len";
  }
  void snliKeysAreValidated() {
    QFETCH(QString, set);
    QFETCH(QString, key);
    RunConfig c = loadConfigArgument("cpu-small-snli-grassmann", {set.toStdString()});
    if (key == "model.head_groups") c.model.backbone = "distilbert";
    const auto problems = configProblems(c, false);
    QVERIFY(!problems.empty());
    QCOMPARE(QString::fromStdString(problems.front().key), key);
    // A language model refuses bidirectional blocks (they would see the next token).
    const auto lm = configProblems(
        loadConfigArgument("cpu-small-grassmann", {"model.bidirectional=true"}), false);
    QVERIFY(!lm.empty() && lm.front().key == "model.bidirectional");
  }

  // Issue 24: an offset as long as the chunk never pairs; it was accepted silently.
  void offsetsLongerThanTheChunkAreRefused() {
    const auto problems =
        configProblems(loadConfigArgument("cpu-small-grassmann", {"data.seq_len=16"}), false);
    QVERIFY(!problems.empty());
    QCOMPARE(QString::fromStdString(problems.front().key), QString("model.windows"));
    QVERIFY2(QString::fromStdString(problems.front().message)
                 .contains("offsets below data.seq_len 16 (offset 16 never pairs"),
             problems.front().message.c_str());
    QVERIFY(configProblems(loadConfigArgument("cpu-small-grassmann", {"data.seq_len=17"}), false)
                .empty());
  }

  // Issue 24: "got 1 values"; counts in messages agree with their nouns.
  void countsInMessagesAgreeWithTheirNouns() {
    const auto problems =
        configProblems(loadConfigArgument("cpu-small-grassmann", {"train.betas=[0.9]"}), false);
    QVERIFY(!problems.empty());
    QCOMPARE(QString::fromStdString(problems.front().key), QString("train.betas"));
    QVERIFY2(QString::fromStdString(problems.front().message).endsWith("got 1 value"),
             problems.front().message.c_str());
    QCOMPARE(QString::fromStdString(gwb::countOf(3, "entry", "entries")), QString("3 entries"));
    QCOMPARE(QString::fromStdString(gwb::countOf(2, "value")), QString("2 values"));
  }

  // The run list's "differs" of runs of one name, worked out by hand: three copies of a preset
  // with seeds 1, 2, 3 and the third with another lr. (It is computed in one pass over the group
  // now: a thousand same-name runs compared pair by pair took seconds on the watcher's thread.)
  void differsOfRunsOfOneName() {
    std::vector<gwb::RunRecord> runs(4);
    for (int i = 0; i < 4; ++i) {
      runs[i].dir = "/runs/r" + std::to_string(i);
      runs[i].config = loadConfigArgument("cpu-small-grassmann", {});
      runs[i].config->seed = i + 1;
      runs[i].config->train.threads = i;  // threads never tell runs apart
    }
    runs[2].config->train.lr = 0.001;
    runs[3].config->name = "other";  // alone under its name: no entry
    std::vector<const gwb::RunRecord*> records;
    for (const auto& r : runs) records.push_back(&r);
    const auto differs = gwb::differsFromSameName(records);
    std::map<std::string, std::string> by_dir(differs.begin(), differs.end());
    QCOMPARE(by_dir.size(), std::size_t(3));
    QCOMPARE(QString::fromStdString(by_dir["/runs/r0"]), QString("seed=1, train.lr=0.002"));
    QCOMPARE(QString::fromStdString(by_dir["/runs/r1"]), QString("seed=2, train.lr=0.002"));
    QCOMPARE(QString::fromStdString(by_dir["/runs/r2"]), QString("seed=3, train.lr=0.001"));
  }

  void backboneKeysAreValidated() {
    // A DistilBERT backbone reads BERT ids; the reference heads read one pooled joint pair.
    RunConfig gpt2 = loadConfigArgument("snli-paper-grassmann", {"data.tokenizer=gpt2"});
    auto problems = configProblems(gpt2, false);
    QVERIFY(!problems.empty());
    QCOMPARE(problems.front().key, std::string("data.tokenizer"));
    RunConfig separate =
        loadConfigArgument("snli-reference-grassmann", {"data.pair_encoding=separate"});
    problems = configProblems(separate, false);
    QVERIFY(!problems.empty());
    QCOMPARE(problems.front().key, std::string("data.pair_encoding"));
    QVERIFY(configProblems(loadConfigArgument("snli-paper-grassmann",
                                              {"data.pair_encoding=joint", "data.seq_len=96"}),
                           false)
                .empty());  // the paper's heads on joint pairs: allowed
  }

  void seqLenZeroMeansTheTasksDefault() {
    RunConfig c = loadConfigArgument("cpu-small-snli-grassmann", {"data.seq_len=0"});
    resolveRunConfig(c, 30522);
    QCOMPARE(c.data.seq_len, std::int64_t(96));
    RunConfig s = loadConfigArgument("cpu-small-snli-grassmann",
                                     {"data.seq_len=0", "data.pair_encoding=separate"});
    resolveRunConfig(s, 30522);
    QCOMPARE(s.data.seq_len, std::int64_t(48));
    RunConfig lm;
    resolveRunConfig(lm, 50257);
    QCOMPARE(lm.data.seq_len, std::int64_t(256));
    QCOMPARE(lm.model.max_len, std::int64_t(256));
  }

  void otherArchitectureKeysAreIgnored() {
    RunConfig c;
    c.model.arch = "grassmann";
    c.model.heads = 7;  // would not divide 256, but it is a Transformer key
    QVERIFY(configProblems(c, false).empty());
  }

  void everyPresetParsesAndValidates() {
    const std::vector<std::string> names = presetNames();
    // 32 Wikitext-2 families, 21 recipes (SPEC §8), cpu-small x 2, SNLI x 8
    QCOMPARE(names.size(), std::size_t(63));
    for (const char* snli :
         {"snli-scratch-grassmann", "snli-scratch-transformer", "cpu-small-snli-grassmann",
          "cpu-small-snli-transformer", "snli-paper-grassmann", "snli-paper-transformer",
          "snli-reference-grassmann", "snli-reference-transformer"}) {
      QVERIFY2(std::find(names.begin(), names.end(), snli) != names.end(), snli);
      QCOMPARE(loadConfigArgument(snli, {}).data.task, std::string("snli"));
    }
    // SPEC §7.3: the paper's heads read 48 + 48 separate tokens, the reference's a joint 96; the
    // reference's recipe for all four.
    for (const char* arch : {"grassmann", "transformer"}) {
      const RunConfig paper = loadConfigArgument(std::string("snli-paper-") + arch, {});
      const RunConfig reference = loadConfigArgument(std::string("snli-reference-") + arch, {});
      QCOMPARE(paper.model.head_variant, std::string("paper"));
      QCOMPARE(paper.data.pair_encoding, std::string("separate"));
      QCOMPARE(paper.data.seq_len, std::int64_t(48));
      QCOMPARE(reference.model.head_variant, std::string("reference"));
      QCOMPARE(reference.data.pair_encoding, std::string("joint"));
      QCOMPARE(reference.data.seq_len, std::int64_t(96));
      for (const RunConfig* c : {&paper, &reference}) {
        QVERIFY(c->model.hasBackbone());
        QCOMPARE(c->train.lr, 2e-4);
        QCOMPARE(c->train.min_lr, 2e-5);
        QCOMPARE(c->train.batch_size, std::int64_t(32));
        QCOMPARE(c->train.epochs, std::int64_t(20));
        QCOMPARE(c->train.warmup_steps, std::int64_t(100));
        QCOMPARE(c->train.weight_decay, 0.01);
        QCOMPARE(c->train.clip, 1.0);
        QCOMPARE(countTrainedParameters(*c), std::string(arch) == "transformer"
                                                 ? std::int64_t(1251843)
                                             : c == &paper ? std::int64_t(2054787)
                                                           : std::int64_t(2053763));
      }
    }
    for (const std::string& name : names) {
      std::string source;
      RunConfig c = loadConfigArgument(name, {}, &source);
      QCOMPARE(c.name, name);
      QVERIFY(!c.description.empty());
      resolveRunConfig(c, knownVocabSize(c.data.tokenizer));
      const auto problems = configProblems(c, false);
      QVERIFY2(problems.empty(),
               (name + ": " + (problems.empty() ? "" : problems[0].key + " " + problems[0].message))
                   .c_str());
    }
    RunConfig perlayer = loadConfigArgument("paper-perlayer-grassmann-n12-l256", {});
    QCOMPARE(perlayer.model.layerWindows(3), std::vector<std::int64_t>{2});
    QCOMPARE(loadConfigArgument("reference-grassmann-n6-l128", {}).train.batch_size,
             std::int64_t(32));
    QVERIFY(inputErrorOf([] {
              loadConfigArgument("no-such-preset", {});
            }).contains("expected a configuration file or a preset name"));
  }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
