// SNLI classification from scratch (SPEC §7.1-7.2, §7.4): pair encodings of both tokenizers
// against the golden ids (Hugging Face tokenizers, tiktoken), longest_first truncation on
// constructed cases, padding invariance of both architectures in fp64 (1e-6) for every pooling
// and both bidirectional settings, causality, the metrics against hand-computed values, the best
// checkpoint chosen by accuracy, an exact resume, and parameter counts.
#include <torch/torch.h>

#include <QtTest>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/config/presets.h"
#include "engine/data/snli.h"
#include "engine/data/snli_pairs.h"
#include "engine/io/safetensors.h"
#include "engine/model/classifier.h"
#include "engine/runs/classification_metrics.h"
#include "engine/runtime/device.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/train/trainer.h"
#include "run_recorder.h"
#include "test_support.h"

using namespace gwb;

namespace {

nlohmann::json golden() {
  std::ifstream in(test::goldenPath("tokenizers.json"));
  return nlohmann::json::parse(in);
}

std::vector<std::int32_t> ids(const nlohmann::json& j) {
  return j.get<std::vector<std::int32_t>>();
}

// A split made of given sentence ids (label 0).
SnliSplit splitOf(
    const std::vector<std::pair<std::vector<std::int32_t>, std::vector<std::int32_t>>>& pairs) {
  SnliSplit s;
  for (const auto& [a, b] : pairs) s.examples.push_back({0, a, b});
  s.pairs = static_cast<std::int64_t>(pairs.size());
  return s;
}

std::vector<std::int32_t> range(int from, int n) {
  std::vector<std::int32_t> v;
  for (int i = 0; i < n; ++i) v.push_back(from + i);
  return v;
}

ModelConfig smallModel(const std::string& arch, bool bidirectional, const std::string& pooling) {
  ModelConfig m;
  m.arch = arch;
  m.vocab_size = 200;
  m.max_len = 48;
  m.d_model = 16;
  m.n_layers = 2;
  m.d_ff = 32;
  m.heads = 4;
  m.r = 6;
  m.windows = {1, 2, 4};
  m.dropout = 0.1;  // off in eval mode
  m.bidirectional = bidirectional;
  m.pooling = pooling;
  return m;
}

// Right-pads `rows` into a batch (ids, mask).
Batch padded(const std::vector<std::vector<std::int64_t>>& rows, std::int64_t T,
             const std::vector<std::vector<std::int64_t>>& rows_b = {}, std::int64_t T_b = 0) {
  const auto make = [](const std::vector<std::vector<std::int64_t>>& r, std::int64_t len,
                       torch::Tensor& id, torch::Tensor& mask) {
    id = torch::full({static_cast<std::int64_t>(r.size()), len}, 3, torch::kLong);
    mask = torch::zeros({static_cast<std::int64_t>(r.size()), len}, torch::kBool);
    for (std::size_t b = 0; b < r.size(); ++b) {
      for (std::size_t t = 0; t < r[b].size(); ++t) {
        id[b][t] = r[b][t];
        mask[b][t] = true;
      }
    }
  };
  Batch batch;
  make(rows, T, batch.ids, batch.mask);
  if (!rows_b.empty()) make(rows_b, T_b, batch.ids_b, batch.mask_b);
  batch.rows = static_cast<std::int64_t>(rows.size());
  return batch;
}

std::vector<std::int64_t> randomRow(std::int64_t n, std::int64_t vocab) {
  std::vector<std::int64_t> r;
  for (std::int64_t i = 0; i < n; ++i)
    r.push_back(torch::randint(4, vocab, {1}).item<std::int64_t>());
  return r;
}

using test::Recorder;

RunConfig tinySnli() {
  RunConfig c = loadConfigArgument("cpu-small-snli-grassmann", {});
  c.name = "tiny-snli";
  c.model.d_model = 16;
  c.model.n_layers = 1;
  c.model.d_ff = 32;
  c.model.r = 6;
  c.model.windows = {1, 2};
  c.train.batch_size = 16;
  c.train.epochs = 1;
  c.train.max_steps = 12;
  c.train.warmup_steps = 2;
  c.train.eval_every = 4;
  c.train.probe_every = 6;
  c.train.threads = 2;
  c.data.max_eval_tokens = 4000;  // the first ~130 pairs of dev and test
  return c;
}

}  // namespace

class TestSnli : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir runs_;

  TrainOutcome train(const RunConfig& config, Recorder& recorder, const std::string& resume = "") {
    TrainRequest request;
    request.config = config;
    request.runs_dir = runs_.path().toStdString();
    request.resume_dir = resume;
    request.stop = &recorder.stop;
    return runTraining(request, recorder);
  }

 private slots:
  void jointBertPairsMatchTheGoldenIds() {
    const auto g = golden();
    const auto bert = loadTokenizer(TokenizerKind::Bert);
    std::vector<std::pair<std::vector<std::int32_t>, std::vector<std::int32_t>>> pairs;
    for (const auto& p : g["bert_pairs"])
      pairs.emplace_back(bert->encode(p["premise"].get<std::string>()),
                         bert->encode(p["hypothesis"].get<std::string>()));
    const EncodedPairs enc = encodePairs(splitOf(pairs), *bert, /*separate=*/false, 512);
    QCOMPARE(enc.size(), static_cast<std::int64_t>(g["bert_pairs"].size()));
    QCOMPARE(enc.truncated, std::int64_t{0});
    for (std::size_t i = 0; i < g["bert_pairs"].size(); ++i)
      QCOMPARE(enc.a[i], ids(g["bert_pairs"][i]["ids"]));
  }

  void gpt2AndSeparatePairsFollowTheGoldenSentenceIds() {
    // golden "snli": premise, hypothesis of the first 200 dev rows, alternating.
    const auto g = golden()["snli"];
    const auto gpt2 = loadTokenizer(TokenizerKind::Gpt2);
    const auto bert = loadTokenizer(TokenizerKind::Bert);
    std::vector<std::pair<std::vector<std::int32_t>, std::vector<std::int32_t>>> gp, bp;
    for (std::size_t i = 0; i + 1 < g["text"].size(); i += 2) {
      gp.emplace_back(gpt2->encode(g["text"][i].get<std::string>()),
                      gpt2->encode(g["text"][i + 1].get<std::string>()));
      bp.emplace_back(bert->encode(g["text"][i].get<std::string>()),
                      bert->encode(g["text"][i + 1].get<std::string>()));
    }
    const EncodedPairs joint = encodePairs(splitOf(gp), *gpt2, false, 1024);
    const EncodedPairs sep = encodePairs(splitOf(bp), *bert, true, 512);
    for (std::size_t k = 0; k < gp.size(); ++k) {
      std::vector<std::int32_t> want = ids(g["gpt2"][2 * k]);
      want.push_back(50256);  // <|endoftext|> joins the two sentences
      const auto hyp = ids(g["gpt2"][2 * k + 1]);
      want.insert(want.end(), hyp.begin(), hyp.end());
      QCOMPARE(joint.a[k], want);
      std::vector<std::int32_t> premise = {101}, hypothesis = {101};  // [CLS] s [SEP]
      for (int v : ids(g["bert"][2 * k])) premise.push_back(v);
      for (int v : ids(g["bert"][2 * k + 1])) hypothesis.push_back(v);
      premise.push_back(102);
      hypothesis.push_back(102);
      QCOMPARE(sep.a[k], premise);
      QCOMPARE(sep.b[k], hypothesis);
    }
  }

  void longestFirstCutsTheLongerSentenceThePremiseOnATie_data() {
    QTest::addColumn<int>("premise");
    QTest::addColumn<int>("hypothesis");
    QTest::addColumn<int>("budget");
    QTest::addColumn<int>("premise_after");
    QTest::addColumn<int>("hypothesis_after");
    QTest::newRow("fits") << 3 << 4 << 7 << 3 << 4;
    QTest::newRow("premise longer") << 10 << 3 << 8 << 5 << 3;
    QTest::newRow("hypothesis longer") << 2 << 9 << 6 << 2 << 4;
    QTest::newRow("both long") << 10 << 7 << 8 << 4 << 4;
    QTest::newRow("tie: the premise first") << 6 << 6 << 11 << 5 << 6;
    QTest::newRow("odd budget from a tie") << 6 << 6 << 9 << 4 << 5;
  }
  void longestFirstCutsTheLongerSentenceThePremiseOnATie() {
    QFETCH(int, premise);
    QFETCH(int, hypothesis);
    QFETCH(int, budget);
    QFETCH(int, premise_after);
    QFETCH(int, hypothesis_after);
    std::vector<std::int32_t> a = range(1, premise), b = range(100, hypothesis);
    const bool cut = truncateLongestFirst(a, b, static_cast<std::size_t>(budget));
    QCOMPARE(cut, premise + hypothesis > budget);
    QCOMPARE(static_cast<int>(a.size()), premise_after);
    QCOMPARE(static_cast<int>(b.size()), hypothesis_after);
    QCOMPARE(a, range(1, premise_after));  // cut at the end
    QCOMPARE(b, range(100, hypothesis_after));
  }

  void encodingsRespectSeqLenAndCountTruncatedPairs() {
    const auto bert = loadTokenizer(TokenizerKind::Bert);
    const SnliSplit s =
        splitOf({{range(1000, 10), range(2000, 3)}, {range(1000, 2), range(2000, 2)}});
    const EncodedPairs joint = encodePairs(s, *bert, false, 11);  // 8 ids for the sentences
    QCOMPARE(joint.truncated, std::int64_t{1});
    QCOMPARE(joint.a[0].size(), std::size_t{11});
    QCOMPARE(joint.a[0].front(), 101);
    QCOMPARE(joint.a[0].back(), 102);
    QCOMPARE(joint.a[1].size(), std::size_t{7});
    const EncodedPairs sep = encodePairs(s, *bert, true, 6);  // a single sentence: cut at its end
    QCOMPARE(sep.truncated, std::int64_t{1});
    QCOMPARE(sep.a[0], (std::vector<std::int32_t>{101, 1000, 1001, 1002, 1003, 102}));
    QCOMPARE(sep.b[0], (std::vector<std::int32_t>{101, 2000, 2001, 2002, 102}));
    QCOMPARE(sep.tokens, std::int64_t{6 + 5 + 4 + 4});
  }

  void paddingNeverMatters_data() {
    QTest::addColumn<QString>("arch");
    QTest::addColumn<bool>("bidirectional");
    QTest::addColumn<QString>("pooling");
    QTest::addColumn<bool>("separate");
    for (const char* arch : {"grassmann", "transformer"}) {
      for (const bool bidirectional : {false, true}) {
        for (const char* pooling : {"mean", "cls", "last"}) {
          QTest::newRow(qPrintable(
              QString("%1 %2 %3").arg(arch).arg(bidirectional ? "bi" : "causal").arg(pooling)))
              << QString(arch) << bidirectional << QString(pooling) << false;
        }
      }
      QTest::newRow(qPrintable(QString("%1 separate").arg(arch)))
          << QString(arch) << true << QString("mean") << true;
    }
  }
  void paddingNeverMatters() {
    QFETCH(QString, arch);
    QFETCH(bool, bidirectional);
    QFETCH(QString, pooling);
    QFETCH(bool, separate);
    torch::manual_seed(7);
    SequenceClassifier model(smallModel(arch.toStdString(), bidirectional, pooling.toStdString()),
                             separate, makeRunGenerator(11));
    model->to(torch::kDouble);
    model->eval();
    torch::NoGradGuard no_grad;
    const auto pair = randomRow(13, 200), hyp = randomRow(9, 200);
    const Batch alone = padded({pair}, 13,
                               separate ? std::vector<std::vector<std::int64_t>>{hyp}
                                        : std::vector<std::vector<std::int64_t>>{},
                               9);
    // The same pair inside a batch padded to 3x its length, among longer and shorter rows.
    const std::vector<std::vector<std::int64_t>> rows = {randomRow(39, 200), pair,
                                                         randomRow(5, 200)};
    const std::vector<std::vector<std::int64_t>> rows_b = {randomRow(20, 200), hyp,
                                                           randomRow(27, 200)};
    const Batch batch =
        padded(rows, 39, separate ? rows_b : std::vector<std::vector<std::int64_t>>{}, 27);
    const torch::Tensor a = model->logits(alone)[0], b = model->logits(batch)[1];
    const double diff = (a - b).abs().max().item<double>();
    QVERIFY2(diff < 1e-6, qPrintable(QString("max |difference| %1").arg(diff)));
    QVERIFY(a.abs().sum().item<double>() > 0);
  }

  void causalModelsIgnoreTheHypothesisAtPremisePositions_data() {
    QTest::addColumn<QString>("arch");
    QTest::newRow("grassmann") << "grassmann";
    QTest::newRow("transformer") << "transformer";
  }
  void causalModelsIgnoreTheHypothesisAtPremisePositions() {
    QFETCH(QString, arch);
    torch::NoGradGuard no_grad;
    const auto premise = randomRow(12, 200);
    auto one = premise, two = premise;
    for (std::int64_t v : randomRow(8, 200)) one.push_back(v);
    for (std::int64_t v : randomRow(8, 200)) two.push_back(v);
    for (const bool bidirectional : {false, true}) {
      SequenceClassifier model(smallModel(arch.toStdString(), bidirectional, "cls"), false,
                               makeRunGenerator(3));
      model->to(torch::kDouble);
      model->eval();
      const Batch b = padded({one, two}, 20);
      const torch::Tensor h = model->hidden(b.ids, nullptr, b.mask).narrow(1, 0, 12);  // premise
      const double diff = (h[0] - h[1]).abs().max().item<double>();
      const torch::Tensor pooled = model->pool(b.ids, b.mask);
      const double pooled_diff = (pooled[0] - pooled[1]).abs().max().item<double>();
      if (!bidirectional) {
        QVERIFY2(diff < 1e-12 && pooled_diff < 1e-12, qPrintable(QString::number(diff)));
      } else {
        QVERIFY2(diff > 1e-6, "a bidirectional model must see the hypothesis");
      }
    }
  }

  void metricsMatchHandComputedValues() {
    // Gold 0 0 0 1 1 2 2 2 2 2, predicted 0 0 1 1 2 2 2 0 2 1.
    ClassificationCounts c;
    const int gold[] = {0, 0, 0, 1, 1, 2, 2, 2, 2, 2}, pred[] = {0, 0, 1, 1, 2, 2, 2, 0, 2, 1};
    for (int i = 0; i < 10; ++i) c.add(gold[i], pred[i], 0.5 + i);
    EvalEvent e;
    c.fill(e);
    QCOMPARE(e.examples, std::int64_t{10});
    QCOMPARE(e.accuracy, 6.0 / 10.0);
    QCOMPARE(e.per_class_accuracy, (std::vector<double>{2.0 / 3.0, 0.5, 3.0 / 5.0}));
    QCOMPARE(e.confusion,
             (std::vector<std::vector<std::int64_t>>{{2, 1, 0}, {0, 1, 1}, {1, 1, 3}}));
    QCOMPARE(e.loss, 5.0);  // mean of 0.5 .. 9.5
    // The training loss: cross-entropy of logits [2, 0, 0] for class 0 = -log(e^2 / (e^2 + 2)).
    const torch::Tensor logits = torch::tensor({{2.0, 0.0, 0.0}, {0.0, 1.0, 0.0}});
    const torch::Tensor labels = torch::tensor({0, 2}, torch::kLong);
    const double loss =
        torch::nll_loss(torch::log_softmax(logits, -1, torch::kFloat), labels).item<double>();
    const double want = 0.5 * (-std::log(std::exp(2.0) / (std::exp(2.0) + 2)) -
                               std::log(1.0 / (2 + std::exp(1.0))));
    QVERIFY(std::abs(loss - want) < 1e-6);
  }

  void trainedParameterCountsEqualTheBuiltModels_data() {
    QTest::addColumn<QString>("arch");
    QTest::addColumn<bool>("separate");
    QTest::newRow("grassmann joint") << "grassmann" << false;
    QTest::newRow("grassmann separate") << "grassmann" << true;
    QTest::newRow("transformer joint") << "transformer" << false;
    QTest::newRow("transformer separate") << "transformer" << true;
  }
  void trainedParameterCountsEqualTheBuiltModels() {
    QFETCH(QString, arch);
    QFETCH(bool, separate);
    RunConfig c = loadConfigArgument("snli-scratch-" + arch.toStdString(), {});
    if (separate) c.data.pair_encoding = "separate";
    resolveRunConfig(c, 30522);
    SequenceClassifier model(c.model, separate);
    std::int64_t built = 0;
    for (const auto& [name, count] : model->parameterCounts()) built += count;
    QCOMPARE(countTrainedParameters(c), built);
    QCOMPARE(model->parameterCounts().back().first, std::string("classifier"));
    const std::int64_t d = c.model.d_model;
    QCOMPARE(model->parameterCounts().back().second, (separate ? 4 * d : d) * 3 + 3);
    // The size-matched twin: the other architecture's trained parameters.
    RunConfig twin = c;
    twin.model.arch = arch == "grassmann" ? "transformer" : "grassmann";
    SequenceClassifier other(twin.model, separate);
    std::int64_t twin_built = 0;
    for (const auto& [name, count] : other->parameterCounts()) twin_built += count;
    QCOMPARE(countTwinParameters(c), twin_built);
  }

  void bidirectionalIsRefusedForLanguageModels() {
    RunConfig c = loadConfigArgument("cpu-small-grassmann", {"model.bidirectional=true"});
    const QString error = test::inputErrorOf([&] { prepareConfig(c, "cfg.json"); });
    QVERIFY2(error.contains("model.bidirectional") && error.contains("expected false"),
             qPrintable(error));
  }

  void bestCheckpointIsTheMostAccurateValidation() {
    Recorder r;
    const TrainOutcome out = train(tinySnli(), r);
    QCOMPARE(out.summary.status, std::string("finished"));
    QCOMPARE(out.summary.task, std::string("snli"));
    double best = -1;
    std::int64_t best_step = -1;
    int tests = 0;
    for (const EvalEvent& e : r.evals) {
      QVERIFY(e.classification);
      QVERIFY(e.accuracy >= 0 && e.accuracy <= 1);
      std::int64_t total = 0;
      for (const auto& row : e.confusion)
        for (std::int64_t v : row) total += v;
      QCOMPARE(total, e.examples);
      if (e.split == "valid" && e.accuracy > best) {
        best = e.accuracy;
        best_step = e.step;
      }
      tests += e.split == "test";
    }
    QCOMPARE(tests, 1);
    QCOMPARE(out.summary.best_step, best_step);
    QCOMPARE(out.summary.best_valid_accuracy.value(), best);
    QCOMPARE(out.summary.test_accuracy.value(), r.evals.back().accuracy);
    QCOMPARE(out.summary.test_per_class_accuracy.size(), std::size_t{3});
    const auto meta = readSafetensors(out.run_dir + "/checkpoints/best.safetensors").metadata;
    QCOMPARE(meta.at("step"), std::to_string(best_step));
    // tokens count the non-padding input tokens trained on: below the padded shape's.
    QVERIFY(r.steps.back().tokens > 0 && r.steps.back().tokens < 12 * 16 * 96);
  }

  void resumedSnliRunEqualsUninterruptedRun() {
    Recorder whole, first, second;
    const TrainOutcome a = train(tinySnli(), whole);
    first.stop_after = 5;
    const TrainOutcome stopped = train(tinySnli(), first);
    QCOMPARE(stopped.summary.status, std::string("stopped"));
    const TrainOutcome b = train(tinySnli(), second, stopped.run_dir);
    QCOMPARE(b.summary.status, std::string("finished"));
    QCOMPARE(b.summary.test_accuracy, a.summary.test_accuracy);
    QCOMPARE(b.summary.best_valid_accuracy, a.summary.best_valid_accuracy);
    for (const StepEvent& e : second.steps) {
      const StepEvent& w = whole.steps[static_cast<std::size_t>(e.step - 1)];
      QCOMPARE(e.step, w.step);
      QVERIFY2(std::abs(e.loss - w.loss) < 1e-6,
               qPrintable(QString("step %1: %2 vs %3").arg(e.step).arg(e.loss).arg(w.loss)));
      QCOMPARE(e.tokens, w.tokens);
    }
  }
};

QTEST_GUILESS_MAIN(TestSnli)
#include "tst_snli.moc"
