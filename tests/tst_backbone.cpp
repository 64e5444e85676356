// The frozen DistilBERT backbone and the SNLI heads on it (SPEC §7.3): hidden states against
// Hugging Face's DistilBertModel (tests/golden/distilbert, to 1e-4), the folder's naming rules and
// errors, the reference reproduction's two heads against its own classes (tests/golden/snli_heads:
// logits and 3 AdamW steps to 1e-5, parameter counts exact), the paper's window pairing against a
// brute-force fp64 oracle, padding invariance, the feature cache (cached and uncached runs agree
// to 1e-6 in fp32), the backbone kept out of checkpoints and a resume refusing another backbone;
// and the CLI: gwb embed, gwb eval --features, gwb train --dry-run.
#include <torch/torch.h>

#include <QtTest>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/catalog/installed.h"
#include "engine/config/presets.h"
#include "engine/data/backbone_folder.h"
#include "engine/data/data_source.h"
#include "engine/data/feature_cache.h"
#include "engine/io/safetensors.h"
#include "engine/model/distilbert.h"
#include "engine/model/paper_heads.h"
#include "engine/model/snli_head.h"
#include "engine/model/tensor_io.h"
#include "engine/model/window_pairing.h"
#include "engine/runtime/device.h"
#include "engine/train/adamw.h"
#include "engine/train/trainer.h"
#include "engine/util/file_io.h"
#include "run_recorder.h"
#include "test_support.h"

using namespace gwb;
namespace fs = std::filesystem;

namespace {

nlohmann::json readJson(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// |a - b|_max / |b|_max.
double maxRel(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max() /
          b.to(torch::kDouble).abs().max().clamp_min(1e-300))
      .item<double>();
}

torch::Tensor matrix(const nlohmann::json& rows, torch::ScalarType type) {
  std::vector<double> flat;
  for (const auto& row : rows)
    for (const auto& v : row) flat.push_back(v.get<double>());
  return torch::tensor(flat, torch::kDouble)
      .view({static_cast<std::int64_t>(rows.size()), -1})
      .to(type);
}

std::string golden(const std::string& name) { return test::goldenPath(name); }

ModelConfig goldenHead(const std::string& name) {
  return parseModelConfig(readFileBytes(golden("snli_heads/" + name + "/head.json")), name);
}

// A DistilBERT folder written by the test: `shape`, weights N(0, 0.02) from `seed`, tensor names
// with `prefix`, extra tensors `extra` (name -> shape), tensor `drop` left out, tensor `reshape`
// with one row more.
void writeBackbone(const std::string& dir, const DistilBertShape& shape, std::uint64_t seed,
                   const std::string& prefix = "",
                   const std::vector<std::pair<std::string, std::vector<std::int64_t>>>& extra = {},
                   const std::string& drop = "", const std::string& reshape = "") {
  fs::create_directories(dir);
  nlohmann::json config = {{"model_type", "distilbert"},
                           {"architectures", {"DistilBertModel"}},
                           {"vocab_size", shape.vocab_size},
                           {"dim", shape.dim},
                           {"n_layers", shape.n_layers},
                           {"n_heads", shape.n_heads},
                           {"hidden_dim", shape.hidden_dim},
                           {"activation", shape.activation},
                           {"max_position_embeddings", shape.max_position_embeddings}};
  test::writeFile(dir + "/config.json", config.dump(2));
  DistilBert model(shape);
  initDistilBertRandom(*model, makeRunGenerator(seed));
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& item : model->named_parameters()) {
    if (item.key() == drop) continue;
    torch::Tensor t = item.value().detach().clone();
    if (item.key() == reshape) t = torch::cat({t, t.narrow(0, 0, 1)});
    tensors.emplace_back(prefix + item.key(), t);
  }
  for (const auto& [name, dims] : extra) tensors.emplace_back(name, torch::zeros(dims));
  saveTensors(dir + "/model.safetensors", tensors);
}

// The hidden states of the golden folder's inputs through `dir`'s backbone.
torch::Tensor goldenHidden(const std::string& dir, const nlohmann::json& expected) {
  DistilBert model = loadDistilBert(inspectBackboneFolder(dir), torch::kCPU, false);
  const torch::Tensor ids = matrix(expected["input_ids"], torch::kLong);
  const torch::Tensor mask = matrix(expected["attention_mask"], torch::kLong) != 0;
  torch::NoGradGuard no_grad;
  return model->forward(ids, mask);
}

// A tiny backbone of the full BERT vocabulary (the SNLI data's ids) for training runs: the golden
// model has 120 ids only.
DistilBertShape tinyShape() {
  DistilBertShape s;
  s.dim = 32;
  s.n_layers = 2;
  s.n_heads = 4;
  s.hidden_dim = 64;
  s.max_position_embeddings = 128;
  return s;
}

using test::Recorder;

RunConfig tinyHeadRun(const std::string& preset, const std::string& backbone_dir) {
  RunConfig c = loadConfigArgument(preset, {});
  c.name = "tiny-" + preset;
  c.model.backbone_dir = backbone_dir;
  c.model.head_d_model = 16;
  c.model.head_layers = 1;
  c.model.head_d_ff = 32;
  c.model.head_heads = 2;
  c.model.head_r = 8;
  c.train.batch_size = 16;
  c.train.epochs = 1;
  c.train.max_steps = 10;
  c.train.warmup_steps = 2;
  c.train.eval_every = 5;
  c.train.probe_every = 5;
  c.train.checkpoint_every = 5;
  c.train.threads = 2;
  c.train.device = "cpu";
  c.data.max_eval_tokens = 3000;
  return c;
}

}  // namespace

class TestBackbone : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir tmp_;
  std::string tiny_;  // a tiny full-vocabulary backbone folder

  std::string path(const std::string& name) const { return tmp_.path().toStdString() + "/" + name; }

  TrainOutcome train(const RunConfig& config, Recorder& recorder, const std::string& resume = "") {
    TrainRequest request;
    request.config = config;
    request.runs_dir = path("runs");
    request.resume_dir = resume;
    request.stop = &recorder.stop;
    return runTraining(request, recorder);
  }

 private slots:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    tiny_ = path("tiny-backbone");
    writeBackbone(tiny_, tinyShape(), 7);
  }

  // --- the backbone ---------------------------------------------------------------------------

  void goldenHiddenStatesMatchHuggingFace() {
    const nlohmann::json expected = readJson(golden("distilbert/expected.json"));
    const torch::Tensor hidden = goldenHidden(golden("distilbert"), expected).to(torch::kDouble);
    const torch::Tensor mask = matrix(expected["attention_mask"], torch::kLong) != 0;
    const torch::Tensor kept = hidden * mask.unsqueeze(-1).to(torch::kDouble);
    const double abs_sum = expected["hidden_abs_sum"];
    // hidden_sum is ~0 (LayerNorm output): compared relative to the sum of magnitudes.
    const double sum_err =
        std::abs(kept.sum().item<double>() - expected["hidden_sum"].get<double>()) / abs_sum;
    const double abs_err = std::abs(kept.abs().sum().item<double>() - abs_sum) / abs_sum;
    const torch::Tensor first = hidden[0][0].narrow(0, 0, 8);
    const double first_err =
        maxRel(first, torch::tensor(expected["hidden_first"].get<std::vector<double>>()));
    const double pooled_err =
        maxRel(maskedMean(hidden, mask), matrix(expected["pooled"], torch::kDouble));
    qInfo(
        "DistilBERT golden: hidden_sum %.2e (of hidden_abs_sum), hidden_abs_sum %.2e, "
        "hidden_first %.2e, pooled %.2e (max relative errors)",
        sum_err, abs_err, first_err, pooled_err);
    QVERIFY(sum_err < 1e-4);
    QVERIFY(abs_err < 1e-4);
    QVERIFY(first_err < 1e-4);
    QVERIFY(pooled_err < 1e-4);
  }

  void namesWithThePrefixAndTheMaskedLmHeadLoadTheSame() {
    const nlohmann::json expected = readJson(golden("distilbert/expected.json"));
    // The golden weights renamed "distilbert.*", with the masked-LM tensors of
    // DistilBertForMaskedLM beside them.
    const std::string dir = path("prefixed");
    fs::create_directories(dir);
    fs::copy_file(golden("distilbert/config.json"), dir + "/config.json");
    const auto weights = loadTensors(golden("distilbert/model.safetensors"));
    std::vector<std::pair<std::string, torch::Tensor>> renamed;
    for (const auto& [name, t] : weights) renamed.emplace_back("distilbert." + name, t);
    renamed.emplace_back("vocab_transform.weight", torch::zeros({64, 64}));
    renamed.emplace_back("vocab_layer_norm.bias", torch::zeros({64}));
    renamed.emplace_back("vocab_projector.bias", torch::zeros({120}));
    saveTensors(dir + "/model.safetensors", renamed);
    const BackboneFolder folder = inspectBackboneFolder(dir);
    QCOMPARE(folder.ignored.size(), std::size_t{3});
    QCOMPARE(folder.parameters, inspectBackboneFolder(golden("distilbert")).parameters);
    QVERIFY(
        torch::equal(goldenHidden(dir, expected), goldenHidden(golden("distilbert"), expected)));
  }

  void brokenFoldersNameWhatIsWrong_data() {
    QTest::addColumn<QString>("case_");
    QTest::addColumn<QString>("needle");
    QTest::newRow("missing tensor") << "drop"
                                    << "transformer.layer.1.ffn.lin2.bias";
    QTest::newRow("misshapen tensor") << "reshape"
                                      << "embeddings.position_embeddings.weight";
    QTest::newRow("unknown tensor") << "extra"
                                    << "classifier.weight";
    QTest::newRow("no config.json") << "noconfig"
                                    << "config.json";
    QTest::newRow("no folder") << "nofolder"
                               << "nofolder";
  }
  void brokenFoldersNameWhatIsWrong() {
    QFETCH(QString, case_);
    QFETCH(QString, needle);
    const std::string c = case_.toStdString(), dir = path("broken-" + c);
    DistilBertShape s = tinyShape();
    s.vocab_size = 50;
    if (c == "drop") writeBackbone(dir, s, 1, "", {}, "transformer.layer.1.ffn.lin2.bias");
    if (c == "reshape")
      writeBackbone(dir, s, 1, "", {}, "", "embeddings.position_embeddings.weight");
    if (c == "extra") writeBackbone(dir, s, 1, "", {{"classifier.weight", {3, 32}}});
    if (c == "noconfig") {
      writeBackbone(dir, s, 1);
      fs::remove(dir + "/config.json");
    }
    const QString message = test::inputErrorOf([&] { inspectBackboneFolder(dir); });
    QVERIFY2(message.contains(needle), qPrintable(message));
  }

  void theBackboneIsFrozen() {
    const DistilBert model = loadDistilBert(inspectBackboneFolder(tiny_), torch::kCPU, false);
    QVERIFY(!model->is_training());
    for (const auto& p : model->parameters()) QVERIFY(!p.requires_grad());
    QCOMPARE(distilBertParameters(DistilBertShape{}), std::int64_t{66362880});  // distilbert-base
  }

  void withoutABackboneTheErrorNamesBothWays() {
    const std::string home = path("empty-data-home");
    fs::create_directories(home);
    const DataResolution r = resolveBackboneDir("", home);
    QVERIFY(r.source == DataSource::None);
    QVERIFY2(QString::fromStdString(r.error).contains("model.backbone_dir") &&
                 QString::fromStdString(r.error).contains("gwb data fetch distilbert-base-uncased"),
             r.error.c_str());
    QCOMPARE(resolveBackboneDir(tiny_, home).dir, fs::absolute(tiny_).string());
  }

  // --- the reference reproduction's heads -----------------------------------------------------

  void referenceHeadsMatchTheReferenceClasses_data() {
    QTest::addColumn<QString>("name");
    QTest::newRow("transformer") << "small_transformer";
    QTest::newRow("grassmann") << "small_grassmann";
  }
  void referenceHeadsMatchTheReferenceClasses() {
    QFETCH(QString, name);
    const std::string n = name.toStdString(), dir = golden("snli_heads/" + n);
    const nlohmann::json expected = readJson(dir + "/expected.json");
    ModelConfig config = goldenHead(n);
    config.dropout = 0;
    HeadModel model(config, config.backbone_dim);
    loadModuleWeights(*model, dir + "/weights.safetensors");
    QCOMPARE(model->parameterCount(), expected["parameters"].get<std::int64_t>());
    model->to(torch::kDouble);
    model->eval();
    const torch::Tensor pooled = loadTensors(dir + "/features.safetensors").at("pooled");
    HeadInput input;
    input.features = pooled.to(torch::kDouble);
    {
      torch::NoGradGuard no_grad;
      const double err = maxRel(model->logits(input), matrix(expected["logits"], torch::kDouble));
      qInfo("%s logits: max relative error %.2e", n.c_str(), err);
      QVERIFY(err < 1e-5);
    }
    // Three full-batch AdamW steps, in fp64 as the reference ran them.
    HeadModel trained(config, config.backbone_dim);
    loadModuleWeights(*trained, dir + "/weights.safetensors");
    trained->to(torch::kDouble);
    trained->train();
    const nlohmann::json& a = expected["adamw"];
    AdamW optimizer(namedTensors(*trained),
                    AdamWOptions{a["betas"][0], a["betas"][1], a["eps"], a["weight_decay"]});
    std::vector<std::int64_t> label_values = expected["labels"].get<std::vector<std::int64_t>>();
    const torch::Tensor labels = torch::tensor(label_values, torch::kLong);
    double worst = 0;
    for (std::size_t step = 0; step < a["losses"].size(); ++step) {
      const torch::Tensor loss = torch::cross_entropy_loss(trained->logits(input), labels);
      const double want = a["losses"][step];
      worst = std::max(worst, std::abs(loss.item<double>() - want) / want);
      if (step + 1 == a["losses"].size()) break;
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step(a["lr"]);
    }
    qInfo("%s AdamW losses: max relative error %.2e", n.c_str(), worst);
    QVERIFY(worst < 1e-5);
  }

  void fullSizeParameterCounts() {
    const auto count = [](const std::string& variant, const std::string& arch) {
      ModelConfig c;
      c.backbone = "distilbert";
      c.head_variant = variant;
      c.arch = arch;
      return HeadModel(c, 768)->parameterCount();
    };
    QCOMPARE(count("reference", "transformer"), std::int64_t{1251843});
    QCOMPARE(count("reference", "grassmann"), std::int64_t{2053763});
    QCOMPARE(count("paper", "transformer"), std::int64_t{1251843});
    QCOMPARE(count("paper", "grassmann"), std::int64_t{2054787});
    qInfo("full-size heads: reference 1,251,843 / 2,053,763, paper 1,251,843 / 2,054,787");
  }

  // --- the paper's heads ----------------------------------------------------------------------

  void windowPairingMatchesTheBruteForceOracle_data() {
    QTest::addColumn<int>("window");
    QTest::addColumn<int>("stride");
    QTest::addColumn<int>("groups");
    QTest::addColumn<int>("segment");
    for (int groups : {1, 4}) {
      for (int stride : {3, 6, 9}) {  // smaller than, equal to, larger than the window
        for (int segment : {0, 14}) {
          QTest::addRow("w6 s%d g%d seg%d", stride, groups, segment)
              << 6 << stride << groups << segment;
        }
      }
    }
  }
  void windowPairingMatchesTheBruteForceOracle() {
    QFETCH(int, window);
    QFETCH(int, stride);
    QFETCH(int, groups);
    QFETCH(int, segment);
    WindowOptions o;
    o.window = window;
    o.stride = stride;
    o.groups = groups;
    const std::int64_t B = 3, T = 28, r = 16, d = 12;
    // The partner table against windows enumerated here.
    const torch::Tensor partners = windowPartners(T, segment, o);
    const std::int64_t L = segment > 0 ? segment : T;
    for (std::int64_t t = 0; t < T; ++t) {
      for (std::int64_t s = 0; s < T; ++s) {
        bool share = false;
        for (std::int64_t w0 = 0; w0 < T; ++w0) {
          if ((w0 % L) % stride != 0) continue;  // windows start every stride inside a segment
          const std::int64_t end = std::min(w0 + window, (w0 / L + 1) * L);
          share = share || (t != s && t >= w0 && t < end && s >= w0 && s < end);
        }
        QCOMPARE(partners[t][s].item<bool>(), share);
      }
    }
    torch::manual_seed(static_cast<std::uint64_t>(window * 100 + stride * 10 + groups + segment));
    const torch::Tensor z = torch::randn({B, T, r}, torch::kDouble);
    torch::Tensor mask = torch::ones({B, T}, torch::kBool);
    mask[0].narrow(0, 20, 8).fill_(false);  // padding at the end
    mask[1].narrow(0, 9, 5).fill_(false);   // the first segment's tail (separate: its padding)
    mask[1].narrow(0, 25, 3).fill_(false);
    mask[2].narrow(0, 1, 27).fill_(false);  // a single token: no partners
    torch::nn::Linear w_plu(o.pluckerDim(r), d);
    w_plu->to(torch::kDouble);
    torch::NoGradGuard no_grad;
    const torch::Tensor fast =
        windowGeometry(z, mask, segment, o, PluckerIndex::make(r / groups, torch::kCPU), w_plu);
    const torch::Tensor oracle = windowGeometryOracle(z, mask, segment, o, w_plu);
    const double err = (fast - oracle).abs().max().item<double>();
    QVERIFY2(err < 1e-10, qPrintable(QString::number(err)));
    QVERIFY(fast[2].abs().max().item<double>() == 0);  // nobody to pair with
  }

  void paperHeadsIgnorePadding_data() {
    QTest::addColumn<QString>("arch");
    QTest::addColumn<int>("segment");
    QTest::newRow("grassmann joint") << "grassmann" << 0;
    QTest::newRow("grassmann separate") << "grassmann" << 10;
    QTest::newRow("transformer joint") << "transformer" << 0;
    QTest::newRow("transformer separate") << "transformer" << 10;
  }
  void paperHeadsIgnorePadding() {
    QFETCH(QString, arch);
    QFETCH(int, segment);
    ModelConfig c;
    c.backbone = "distilbert";
    c.arch = arch.toStdString();
    c.head_d_model = 16;
    c.head_d_ff = 24;
    c.head_heads = 2;
    c.head_r = 8;
    c.head_window = 4;
    c.head_stride = 3;
    HeadModel model(c, 12, makeRunGenerator(3));
    model->to(torch::kDouble);
    model->eval();
    torch::manual_seed(11);
    const std::int64_t T = 20;
    HeadInput in;
    in.features = torch::randn({2, T, 12}, torch::kDouble);
    in.mask = torch::ones({2, T}, torch::kBool);
    in.mask[0].narrow(0, 7, 3).fill_(false);
    in.mask[0].narrow(0, 16, 4).fill_(false);
    in.mask[1].narrow(0, 18, 2).fill_(false);
    in.segment = segment;
    torch::NoGradGuard no_grad;
    const torch::Tensor logits = model->logits(in);
    // Garbage at the padded positions changes nothing.
    HeadInput noisy = in;
    noisy.features =
        torch::where(in.mask.unsqueeze(-1), in.features, torch::randn_like(in.features) * 100);
    QVERIFY((model->logits(noisy) - logits).abs().max().item<double>() < 1e-12);
    if (segment == 0) {
      // More padding at the end (a longer batch) changes nothing either.
      HeadInput longer = in;
      longer.features = torch::cat({in.features, torch::randn({2, 5, 12}, torch::kDouble)}, 1);
      longer.mask = torch::cat({in.mask, torch::zeros({2, 5}, torch::kBool)}, 1);
      QVERIFY((model->logits(longer) - logits).abs().max().item<double>() < 1e-12);
    }
    if (c.arch == "grassmann") {
      auto* head = dynamic_cast<PaperHeadImpl*>(model->head.get());
      QVERIFY(head != nullptr);
      head->setUseOracle(true);
      QVERIFY((model->logits(in) - logits).abs().max().item<double>() < 1e-10);
    }
  }

  // --- the feature cache ----------------------------------------------------------------------

  void featureCacheFilesRoundTripAndRefuseDamage() {
    const std::string dir = path("feature-cache");
    FeatureCacheKey key;
    key.backbone_sha256 = std::string(64, 'a');
    key.data_sha256 = std::string(64, 'b');
    key.tokenizer = "bert";
    key.split = "valid";
    key.kind = "tokens";
    key.encoding = "separate";
    key.seq_len = 48;
    key.precision = "fp32";
    key.pairs = 3;
    key.rows = 5;
    key.dim = 4;
    std::vector<float> rows(20);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<float>(i) * 0.5f;
    {
      FeatureCacheWriter w(dir, key);
      w.append(rows.data(), 8 * sizeof(float));
      w.append(rows.data() + 8, 12 * sizeof(float));
      w.commit();
    }
    {
      const auto cache = MappedFeatureCache::open(dir, key);
      QVERIFY(cache != nullptr);
      QCOMPARE(cache->bytes(), std::int64_t{80});
      QVERIFY(std::memcmp(cache->data(), rows.data(), 80) == 0);
    }
    FeatureCacheKey other = key;
    other.seq_len = 96;  // every field is part of the key
    QVERIFY(other.fileName() != key.fileName());
    QVERIFY(MappedFeatureCache::open(dir, other) == nullptr);
    const auto listed = listFeatureCaches(dir);
    QCOMPARE(listed.size(), std::size_t{1});
    QVERIFY(listed[0].readable);
    QCOMPARE(listed[0].key.rows, std::int64_t{5});
    // One flipped byte of the rows: reported, not trusted.
    {
      std::fstream f(dir + "/" + key.fileName(), std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(-40, std::ios::end);
      f.put('\x7f');
    }
    std::string warning;
    QVERIFY(MappedFeatureCache::open(dir, key, [&](const std::string& m) { warning = m; }) ==
            nullptr);
    QVERIFY(!warning.empty());
    QVERIFY(!test::inputErrorOf([&] { removeFeatureCaches(dir, {"no-such.feat"}); }).isEmpty());
    QCOMPARE(removeFeatureCaches(dir, {"all"}).size(), std::size_t{1});
    QVERIFY(listFeatureCaches(dir).empty());
    // Full SNLI train (550,152 pairs) at 48 + 48 tokens, in fp32 at 768 wide: the size the budget
    // compares with data.feature_cache_gb (every token's row, both sentences, no padding).
    FeatureCacheKey full = key;
    full.dim = 768;
    full.rows = 550152LL * 96;  // the most: every sentence at its 48 tokens
    qInfo("full SNLI train at 48 + 48 tokens, fp32: at most %.1f GB", full.dataBytes() / 1e9);
  }

  void cachedAndUncachedRunsAgree_data() {
    QTest::addColumn<QString>("preset");
    QTest::newRow("paper grassmann") << "snli-paper-grassmann";
    QTest::newRow("reference transformer") << "snli-reference-transformer";
  }
  void cachedAndUncachedRunsAgree() {
    QFETCH(QString, preset);
    RunConfig config = tinyHeadRun(preset.toStdString(), tiny_);
    qputenv("GWB_CACHE_DIR", QByteArray::fromStdString(path("cache-" + preset.toStdString())));
    config.data.feature_cache_gb = 0;
    Recorder uncached;
    const TrainOutcome a = train(config, uncached);
    config.data.feature_cache_gb = 4;
    Recorder building, reading;
    const TrainOutcome b = train(config, building);  // builds the caches
    const TrainOutcome c = train(config, reading);   // reads them
    QCOMPARE(a.summary.status, std::string("finished"));
    for (const Recorder* r : {&building, &reading}) {
      QCOMPARE(r->steps.size(), uncached.steps.size());
      for (std::size_t i = 0; i < uncached.steps.size(); ++i) {
        const double rel =
            std::abs(r->steps[i].loss - uncached.steps[i].loss) / std::abs(uncached.steps[i].loss);
        QVERIFY2(rel < 1e-6, qPrintable(QString("step %1: %2").arg(i).arg(rel)));
      }
      QCOMPARE(r->evals.size(), uncached.evals.size());
      for (std::size_t i = 0; i < uncached.evals.size(); ++i) {
        QCOMPARE(r->evals[i].accuracy, uncached.evals[i].accuracy);
        QVERIFY(std::abs(r->evals[i].loss - uncached.evals[i].loss) <=
                1e-6 * std::abs(uncached.evals[i].loss));
      }
    }
    const auto provenance = [](const TrainOutcome& o) {
      return readJson(o.run_dir + "/config.json")["provenance"]["backbone"];
    };
    QCOMPARE(
        provenance(a)["feature_cache"]["train"]["state"].get<std::string>().rfind("not cached", 0),
        std::size_t{0});
    QCOMPARE(provenance(b)["feature_cache"]["train"]["state"].get<std::string>(),
             std::string("built"));
    QCOMPARE(provenance(c)["feature_cache"]["valid"]["state"].get<std::string>(),
             std::string("read"));
    QCOMPARE(provenance(c)["weights_sha256"].get<std::string>(),
             sha256Hex(readFileBytes(tiny_ + "/model.safetensors")));
    QCOMPARE(provenance(c)["dir"].get<std::string>(), fs::absolute(tiny_).string());
    // The backbone is no part of any checkpoint: only the head's tensors (and their AdamW state).
    int checkpoints = 0;
    for (const auto& e : fs::recursive_directory_iterator(c.run_dir)) {
      if (e.path().extension() != ".safetensors") continue;
      for (const auto& [name, info] : readSafetensorsHeader(e.path().string()).tensors) {
        QVERIFY2(name.find("head.") != std::string::npos, name.c_str());
        QVERIFY2(name.find("embeddings") == std::string::npos &&
                     name.find("transformer.layer") == std::string::npos,
                 name.c_str());
      }
      ++checkpoints;
    }
    QVERIFY(checkpoints > 0);
    qunsetenv("GWB_CACHE_DIR");
  }

  void aResumeRefusesAnotherBackbone() {
    const std::string dir = path("swapped-backbone");
    writeBackbone(dir, tinyShape(), 21);
    RunConfig config = tinyHeadRun("snli-reference-grassmann", dir);
    config.data.feature_cache_gb = 0;
    Recorder first;
    first.stop_after = 5;
    const TrainOutcome stopped = train(config, first);
    QCOMPARE(stopped.summary.status, std::string("stopped"));
    writeBackbone(dir, tinyShape(), 22);  // other weights in the same folder
    Recorder second;
    const QString message = test::inputErrorOf([&] { train(config, second, stopped.run_dir); });
    QVERIFY2(message.contains("sha256") && message.contains("model.safetensors"),
             qPrintable(message));
  }

  // --- the command line -----------------------------------------------------------------------

  void gwbEmbedReproducesTheGolden() {
    const nlohmann::json expected = readJson(golden("distilbert/expected.json"));
    test::writeFile(path("ids.json"), expected["input_ids"].dump());
    test::writeFile(path("mask.json"), expected["attention_mask"].dump());
    const auto r =
        test::runGwb({"embed", "--backbone", QString::fromStdString(golden("distilbert")), "--ids",
                      QString::fromStdString(path("ids.json")), "--mask",
                      QString::fromStdString(path("mask.json"))},
                     QString::fromStdString(path("cli-cache")));
    QVERIFY2(r.exit_code == 0, r.err.constData());
    const nlohmann::json got = nlohmann::json::parse(r.out.toStdString());
    const double abs_sum = expected["hidden_abs_sum"];
    QVERIFY(std::abs(got["hidden_sum"].get<double>() - expected["hidden_sum"].get<double>()) <
            1e-4 * abs_sum);
    QVERIFY(std::abs(got["hidden_abs_sum"].get<double>() - abs_sum) < 1e-4 * abs_sum);
    QVERIFY(maxRel(matrix(got["pooled"], torch::kDouble),
                   matrix(expected["pooled"], torch::kDouble)) < 1e-4);
    QVERIFY(maxRel(torch::tensor(got["hidden_first"].get<std::vector<double>>()),
                   torch::tensor(expected["hidden_first"].get<std::vector<double>>())) < 1e-4);
  }

  void gwbEvalFeaturesReproducesTheReferenceLogits_data() {
    referenceHeadsMatchTheReferenceClasses_data();
  }
  void gwbEvalFeaturesReproducesTheReferenceLogits() {
    QFETCH(QString, name);
    const std::string dir = golden("snli_heads/" + name.toStdString());
    const auto r = test::runGwb(
        {"eval", "--model-config", QString::fromStdString(dir + "/head.json"), "--weights",
         QString::fromStdString(dir + "/weights.safetensors"), "--features",
         QString::fromStdString(dir + "/features.safetensors"), "--precision", "fp64"},
        QString::fromStdString(path("cli-cache")));
    QVERIFY2(r.exit_code == 0, r.err.constData());
    const nlohmann::json got = nlohmann::json::parse(r.out.toStdString());
    const nlohmann::json expected = readJson(dir + "/expected.json");
    QVERIFY(maxRel(matrix(got["logits"], torch::kDouble),
                   matrix(expected["logits"], torch::kDouble)) < 1e-5);
    QCOMPARE(got["predictions"].size(), std::size_t{5});
  }

  void gwbDataStatsListsAndRemovesFeatureCaches() {
    const QString cache = QString::fromStdString(path("cache-snli-paper-grassmann"));  // see above
    auto r = test::runGwb({"data", "stats", "--feature-caches"}, cache);
    QVERIFY2(r.exit_code == 0, r.err.constData());
    nlohmann::json j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j["feature_caches"].size(), std::size_t{3});  // train, valid, test
    for (const auto& f : j["feature_caches"]) {
      QCOMPARE(f["kind"].get<std::string>(), std::string("tokens"));
      QCOMPARE(f["encoding"].get<std::string>(), std::string("separate"));
      QCOMPARE(f["backbone_sha256"].get<std::string>(),
               sha256Hex(readFileBytes(tiny_ + "/model.safetensors")));
    }
    const QString first = QString::fromStdString(j["feature_caches"][0]["file"]);
    r = test::runGwb({"data", "stats", "--remove-feature-cache", first}, cache);
    QVERIFY2(r.exit_code == 0, r.err.constData());
    QCOMPARE(nlohmann::json::parse(r.out.toStdString())["feature_caches"].size(), std::size_t{2});
    r = test::runGwb({"data", "stats", "--remove-feature-cache", "no-such.feat"}, cache);
    QCOMPARE(r.exit_code, 2);
    r = test::runGwb({"data", "stats", "--remove-feature-cache", "all"}, cache);
    QCOMPARE(nlohmann::json::parse(r.out.toStdString())["feature_caches"].size(), std::size_t{0});
  }

  void dryRunsCountTrainedAndFrozenParameters() {
    const auto dry = [&](const QString& preset, const QStringList& sets) {
      QStringList args = {"train", preset, "--dry-run"};
      for (const QString& s : sets) args << "--set" << s;
      return test::runGwb(args, QString::fromStdString(path("cli-cache")));
    };
    // No backbone folder anywhere: the head counted for 768-wide features, frozen 0 (said why).
    auto r = dry("snli-reference-grassmann", {});
    QVERIFY2(r.exit_code == 0, r.err.constData());
    nlohmann::json j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j["parameters"]["trained"].get<std::int64_t>(), std::int64_t{2053763});
    QCOMPARE(j["parameters"]["frozen"].get<std::int64_t>(), std::int64_t{0});
    QVERIFY(j["backbone"].contains("note"));
    r = dry("snli-paper-transformer",
            {"model.backbone_dir=" + QString::fromStdString(tiny_), "model.head_d_model=16"});
    QVERIFY2(r.exit_code == 0, r.err.constData());
    j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j["parameters"]["frozen"].get<std::int64_t>(), distilBertParameters(tinyShape()));
    QCOMPARE(j["parameters"]["total"].get<std::int64_t>(),
             j["parameters"]["trained"].get<std::int64_t>() + distilBertParameters(tinyShape()));
  }
};

QTEST_GUILESS_MAIN(TestBackbone)
#include "tst_backbone.moc"
