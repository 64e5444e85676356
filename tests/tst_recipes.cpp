// The published reproductions as recipes (SPEC §8): every switch against an oracle or a golden.
// - tests/golden/recipes: twelve small models evaluated by kanenorman's, youdie006's, GrassLM's and
//   Arledge's own classes; ours, built from each case's `workbench` keys and reading the weights
//   under that reproduction's names, must give its eval loss (1e-5 relative), its logits'
//   checksums (1e-4) and the losses and gradient norms of three AdamW steps with its own optimizer
//   settings (1e-5; the norms before clipping 1e-4).
// - model.init by statistics against PyTorch's formulas; dropout placement (ffn_dropout,
//   attn_dropout) by a train-mode forward against an oracle composed here from the module's parts
//   with the same masks; mix_proj by its counts and a hand-composed forward; the schedules at
//   chosen steps against their formulas; eval_mean on unequal batches against a hand
//   computation; drop_last by the steps an epoch takes; gpt2_rows against ids worked out by hand.
// - every recipe preset's parameter count (the published ones), and the bad inputs of the keys.
#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/cluster/sweep_plan.h"
#include "engine/config/config_keys.h"
#include "engine/config/presets.h"
#include "engine/data/token_cache.h"
#include "engine/data/wikitext.h"
#include "engine/io/name_schemes.h"
#include "engine/model/language_model.h"
#include "engine/model/plucker.h"
#include "engine/model/tensor_io.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/train/evaluation.h"
#include "engine/train/lm_data.h"
#include "engine/train/schedule.h"
#include "engine/train/train_step.h"
#include "engine/train/trainer.h"
#include "run_recorder.h"
#include "test_support.h"

using namespace gwb;
using gwb::test::inputErrorOf;

namespace {

nlohmann::json readJson(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

double relError(double got, double want) {
  return std::abs(got - want) / std::max(1e-300, std::abs(want));
}

struct GoldenCase {
  std::string dir;
  ModelConfig model;
  bool targets_next = false;
  std::string names;  // the scheme its weights are written in
  nlohmann::json expected;
  torch::Tensor ids;
};

GoldenCase goldenCase(const std::string& name) {
  GoldenCase c;
  c.dir = test::goldenPath("recipes/" + name);
  const nlohmann::json model = readJson(c.dir + "/model.json");
  const nlohmann::json& wb = model.at("workbench");
  c.model = parseModelConfig(wb.at("model").dump(), name + "/model.json");
  c.targets_next = wb.at("data").at("targets") == "next";
  c.names = wb.at("names");
  c.expected = readJson(c.dir + "/expected.json");
  const auto rows = readJson(c.dir + "/ids.json").get<std::vector<std::vector<std::int64_t>>>();
  c.ids = torch::empty({static_cast<long>(rows.size()), static_cast<long>(rows[0].size())},
                       torch::kLong);
  for (std::size_t b = 0; b < rows.size(); ++b)
    for (std::size_t t = 0; t < rows[b].size(); ++t) c.ids[b][t] = rows[b][t];
  return c;
}

LanguageModel goldenModel(const GoldenCase& c, std::string* scheme = nullptr) {
  LanguageModel model(c.model);
  model->setTargetsNext(c.targets_next);
  const std::string used = loadModuleWeightsNamed(*model, c.dir + "/weights.safetensors", c.names);
  if (scheme) *scheme = used;
  return model;
}

const char* const kCases[] = {"arledge_grassmann",
                              "arledge_transformer",
                              "grasslm_grassmann",
                              "kanenorman_attention_post",
                              "kanenorman_attention_pre",
                              "kanenorman_grassmann_post",
                              "kanenorman_grassmann_pre",
                              "youdie006_attention_post",
                              "youdie006_attention_pre",
                              "youdie006_grassmann_post",
                              "youdie006_grassmann_post_layerwise",
                              "youdie006_grassmann_pre_layerwise"};

// A small model of either architecture with every dropout `p`.
ModelConfig small(const std::string& arch, double p = 0) {
  ModelConfig m;
  m.arch = arch;
  m.vocab_size = 40;
  m.max_len = 16;
  m.d_model = 24;
  m.n_layers = 1;
  m.d_ff = 48;
  m.heads = 4;
  m.r = 6;
  m.windows = {1, 2, 3};
  m.dropout = p;
  return m;
}

// What RunDropout does with `generator`: the mask of LibTorch's CPU dropout.
torch::Tensor drop(const torch::Tensor& x, double p, at::Generator& g) {
  if (p == 0) return x;
  return x * torch::empty_like(x).bernoulli_(1 - p, g).div_(1 - p);
}

torch::Tensor linear(const torch::nn::LinearImpl& l, const torch::Tensor& x) {
  return torch::nn::functional::linear(x, l.weight, l.bias);
}
torch::Tensor linear(const torch::nn::Linear& l, const torch::Tensor& x) { return linear(*l, x); }

torch::Tensor layerNorm(const torch::nn::LayerNorm& ln, const torch::Tensor& x) {
  return torch::layer_norm(x, {x.size(-1)}, ln->weight, ln->bias, 1e-5);
}

// (mean, sample std, max |x|) of a tensor.
std::tuple<double, double, double> stats(const torch::Tensor& t) {
  const torch::Tensor d = t.to(torch::kDouble);
  return {d.mean().item<double>(), d.std().item<double>(), d.abs().max().item<double>()};
}

}  // namespace

class TestRecipes : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::set_num_threads(2); }

  // ---------------------------------------------------------------- the goldens
  void goldenLossAndLogits_data() {
    QTest::addColumn<QString>("name");
    for (const char* name : kCases) QTest::newRow(name) << QString(name);
  }
  void goldenLossAndLogits() {
    QFETCH(QString, name);
    const GoldenCase c = goldenCase(name.toStdString());
    std::string scheme;
    LanguageModel model = goldenModel(c, &scheme);
    QCOMPARE(scheme, canonicalNameScheme(c.names));
    model->eval();
    torch::NoGradGuard no_grad;
    const torch::Tensor seen = model->inputIds(c.ids);
    const torch::Tensor logits = model->forward(seen).to(torch::kDouble);
    const std::vector<std::int64_t> shape = c.expected.at("logits_shape");
    QCOMPARE(std::vector<std::int64_t>(logits.sizes().begin(), logits.sizes().end()), shape);
    const double loss = model->loss(c.ids).item<double>();
    const double e_loss = relError(loss, c.expected.at("eval_loss"));
    const double e_sum =
        std::abs(logits.sum().item<double>() - c.expected.at("logits_sum").get<double>()) /
        c.expected.at("logits_abs_sum").get<double>();
    const double e_abs =
        relError(logits.abs().sum().item<double>(), c.expected.at("logits_abs_sum"));
    const std::int64_t B = logits.size(0), S = logits.size(1), V = logits.size(2);
    double e_first = 0, e_last = 0;
    for (int k = 0; k < 8; ++k) {
      e_first = std::max(e_first, std::abs(logits[0][0][k].item<double>() -
                                           c.expected.at("logits_first")[k].get<double>()));
      e_last = std::max(e_last, std::abs(logits[B - 1][S - 1][V - 8 + k].item<double>() -
                                         c.expected.at("logits_last")[k].get<double>()));
    }
    qInfo(
        "%s (%s names): loss %.2e, logits sum %.2e (of the abs sum), abs sum %.2e, first %.2e, "
        "last %.2e",
        qPrintable(name), scheme.c_str(), e_loss, e_sum, e_abs, e_first, e_last);
    QVERIFY2(e_loss < 1e-5, qPrintable(QString::number(e_loss)));
    QVERIFY2(e_sum < 1e-4 && e_abs < 1e-4, qPrintable(QString::number(std::max(e_sum, e_abs))));
    QVERIFY2(e_first < 1e-4 && e_last < 1e-4,
             qPrintable(QString::number(std::max(e_first, e_last))));
  }

  // The reproduction's own optimizer settings (betas, weight decay, clip or none), through the
  // trainer's TrainStep: the losses before and after each of three full-batch steps and the
  // gradient norms before clipping.
  void goldenAdamWSteps_data() { goldenLossAndLogits_data(); }
  void goldenAdamWSteps() {
    QFETCH(QString, name);
    const GoldenCase c = goldenCase(name.toStdString());
    LanguageModel model = goldenModel(c);
    const nlohmann::json& a = c.expected.at("adamw");
    TrainConfig t;
    t.weight_decay = a.at("weight_decay");
    t.betas = a.at("betas").get<std::vector<double>>();
    t.adam_eps = a.at("eps");
    t.clip = a.at("clip").is_null() ? 0.0 : a.at("clip").get<double>();
    TrainStep step(model, t, /*bf16=*/false);
    const double lr = a.at("lr");
    std::vector<double> losses, norms;
    for (int i = 0; i < 3; ++i) {
      const TrainStep::Result r = step.run(c.ids, lr);
      losses.push_back(r.loss.item<double>());
      norms.push_back(r.grad_norm.item<double>());
    }
    {
      torch::NoGradGuard no_grad;
      losses.push_back(model->loss(c.ids).item<double>());
    }
    double e_loss = 0, e_norm = 0;
    for (int i = 0; i < 4; ++i) e_loss = std::max(e_loss, relError(losses[i], a.at("losses")[i]));
    for (int i = 0; i < 3; ++i)
      e_norm = std::max(e_norm, relError(norms[i], a.at("grad_norms_before_clip")[i]));
    qInfo("%s: AdamW (lr %g, betas %g/%g, clip %g) losses %.2e, gradient norms %.2e",
          qPrintable(name), lr, t.betas[0], t.betas[1], t.clip, e_loss, e_norm);
    QVERIFY2(e_loss < 1e-5, qPrintable(QString::number(e_loss)));
    QVERIFY2(e_norm < 1e-4, qPrintable(QString::number(e_norm)));
  }

  // The scheme is recognised from the names alone (Arledge's Grassmann uses the reference's).
  void schemesAreRecognisedFromTheNames() {
    for (const char* name : kCases) {
      const GoldenCase c = goldenCase(name);
      LanguageModel model(c.model);
      const std::string scheme = loadModuleWeightsNamed(*model, c.dir + "/weights.safetensors");
      const std::string want =
          std::string(name) == "arledge_grassmann" ? "reference" : canonicalNameScheme(c.names);
      QCOMPARE(scheme, want);
    }
    QCOMPARE(canonicalNameScheme("youdie006"), std::string("kanenorman"));
    QVERIFY(inputErrorOf([] { canonicalNameScheme("nanogpt"); }).contains("grasslm"));
  }

  // A set of names that lacks a tensor, or a configuration the scheme has no place for, is an
  // error naming the first missing tensor.
  void incompleteOrMismatchedNamesNameTheTensor() {
    const GoldenCase c = goldenCase("kanenorman_grassmann_post");
    QTemporaryDir dir;
    auto tensors = loadTensors(c.dir + "/weights.safetensors");
    tensors.erase("transformer_blocks.1.attention.expand.bias");
    const std::string partial = dir.filePath("partial.safetensors").toStdString();
    std::vector<std::pair<std::string, torch::Tensor>> list(tensors.begin(), tensors.end());
    saveTensors(partial, list);
    LanguageModel model(c.model);
    QString error = inputErrorOf([&] { loadModuleWeightsNamed(*model, partial); });
    QVERIFY2(error.contains("transformer_blocks.1.attention.expand.bias") &&
                 error.contains("blocks.1.grassmann.W_plu.bias"),
             qPrintable(error));
    // model.norm pre has two LayerNorms before the FFN's where kanenorman's block has one.
    ModelConfig pre = c.model;
    pre.norm = "pre";
    LanguageModel three_norms(pre);
    error =
        inputErrorOf([&] { loadModuleWeightsNamed(*three_norms, c.dir + "/weights.safetensors"); });
    QVERIFY2(error.contains("attention_norm") && error.contains("model.norm"), qPrintable(error));
    // A Transformer under GrassLM's names: GrassLM has no attention.
    LanguageModel transformer(small("transformer"));
    std::vector<std::pair<std::string, torch::Tensor>> none = {
        {"tok_embed.weight", torch::zeros({40, 24})}};
    const std::string grasslm = dir.filePath("grasslm.safetensors").toStdString();
    saveTensors(grasslm, none);
    error = inputErrorOf([&] { loadModuleWeightsNamed(*transformer, grasslm); });
    QVERIFY2(error.contains("grasslm"), qPrintable(error));
    // Names of no scheme.
    const std::string odd = dir.filePath("odd.safetensors").toStdString();
    saveTensors(odd, {{"encoder.weight", torch::zeros({2})}});
    error = inputErrorOf([&] { loadModuleWeightsNamed(*transformer, odd); });
    QVERIFY2(error.contains("--names") && error.contains("encoder.weight"), qPrintable(error));
  }

  // ---------------------------------------------------------------- model.init
  void initialisationFollowsPyTorchsFormulas() {
    ModelConfig m = small("transformer");
    m.d_model = 64;
    m.d_ff = 256;
    m.vocab_size = 2000;
    m.n_layers = 2;
    const at::Generator g = at::detail::createCPUGenerator(7);
    // torch_default: U(+-1/sqrt(fan_in)) weights and biases (std = bound / sqrt 3), N(0, 1)
    // embeddings, LayerNorms 1 / 0.
    m.init = "torch_default";
    LanguageModel def(m, g);
    for (const auto& item : def->named_parameters()) {
      const std::string& name = item.key();
      const torch::Tensor& p = item.value();
      const auto [mean, sd, max] = stats(p);
      const double n = static_cast<double>(p.numel());
      if (name.find("embedding") != std::string::npos) {  // within 4 standard errors
        QVERIFY2(std::abs(sd - 1.0) < 4 / std::sqrt(2 * n) && std::abs(mean) < 4 / std::sqrt(n),
                 name.c_str());
      } else if (name.find("ln") != std::string::npos) {
        QCOMPARE(max, name.find("weight") != std::string::npos ? 1.0 : 0.0);
      } else {
        const std::int64_t fan_in = name.find("qkv_proj") != std::string::npos ||
                                            name.find("out_proj") != std::string::npos ||
                                            name.find("ffn.0") != std::string::npos
                                        ? m.d_model
                                        : m.d_ff;
        const double bound = 1 / std::sqrt(static_cast<double>(fan_in));
        QVERIFY2(max <= bound, name.c_str());
        if (p.numel() >= 1000)  // the std of a uniform, within 5 %
          QVERIFY2(std::abs(sd - bound / std::sqrt(3.0)) < 0.05 * bound / std::sqrt(3.0),
                   name.c_str());
        else
          QVERIFY2(max > 0.5 * bound, name.c_str());  // biases drawn too, not zero
      }
    }
    // normal_xavier_qkv: N(0, 0.02) everywhere but the fused qkv, xavier U(+-sqrt(6/(d + 3d)))
    // with bias 0.
    m.init = "normal_xavier_qkv";
    LanguageModel xavier(m, g);
    for (const auto& item : xavier->named_parameters()) {
      const std::string& name = item.key();
      const auto [mean, sd, max] = stats(item.value());
      if (name.find("qkv_proj.weight") != std::string::npos) {
        const double bound = std::sqrt(6.0 / (4.0 * m.d_model));
        QVERIFY2(max <= bound && std::abs(sd - bound / std::sqrt(3.0)) < 0.05 * bound,
                 name.c_str());
      } else if (name.find("qkv_proj.bias") != std::string::npos ||
                 (name.find("bias") != std::string::npos && name.find("ln") == std::string::npos)) {
        QCOMPARE(max, 0.0);
      } else if (name.find("ln") == std::string::npos && item.value().numel() >= 1000) {
        QVERIFY2(std::abs(sd - 0.02) < 0.002, name.c_str());
      }
    }
    // The Grassmann mixer's linears follow torch_default too.
    ModelConfig gm = small("grassmann");
    gm.d_model = 64;
    gm.init = "torch_default";
    LanguageModel grassmann(gm, g);
    const auto* mix = grassmann->blocks[0]->as<BlockImpl>()->grassmann.get();
    const double bound = 1 / std::sqrt(static_cast<double>(gm.pluckerDim()));
    QVERIFY(std::get<2>(stats(mix->W_plu->weight)) <= bound);
    QVERIFY(std::get<2>(stats(mix->W_plu->weight)) > 0.9 * bound);
  }

  // ---------------------------------------------------------------- dropout placement
  // A train-mode forward of a block with a fixed generator equals the oracle composed from the
  // block's own parameters drawing the same masks in the same order: the dropouts are where the
  // configuration says, and nowhere else.
  void dropoutSitsWhereTheConfigurationSays_data() {
    QTest::addColumn<QString>("arch");
    QTest::addColumn<QString>("norm");
    QTest::addColumn<QString>("ffn");
    QTest::addColumn<double>("attn");
    QTest::newRow("grassmann pre inner") << "grassmann"
                                         << "pre"
                                         << "inner" << 0.0;
    QTest::newRow("grassmann post_residual outer") << "grassmann"
                                                   << "post_residual"
                                                   << "outer" << 0.0;
    QTest::newRow("grassmann pre_plain outer") << "grassmann"
                                               << "pre_plain"
                                               << "outer" << 0.0;
    QTest::newRow("grassmann post inner") << "grassmann"
                                          << "post"
                                          << "inner" << 0.0;
    QTest::newRow("transformer pre outer attn 0.1") << "transformer"
                                                    << "pre"
                                                    << "outer" << 0.1;
    QTest::newRow("transformer post_residual inner attn 0.2") << "transformer"
                                                              << "post_residual"
                                                              << "inner" << 0.2;
  }
  void dropoutSitsWhereTheConfigurationSays() {
    QFETCH(QString, arch);
    QFETCH(QString, norm);
    QFETCH(QString, ffn);
    QFETCH(double, attn);
    const double p = 0.3;
    ModelConfig m = small(arch.toStdString(), p);
    m.norm = norm.toStdString();
    m.ffn_dropout = ffn.toStdString();
    m.attn_dropout = attn;
    m.mix_output = "blend";
    Block block(m, 0);
    torch::Tensor x = torch::randn({2, 10, m.d_model}, torch::kDouble);
    block->to(torch::kDouble);
    block->train();
    at::Generator g = at::detail::createCPUGenerator(11);
    setDropoutGenerator(*block, g);
    const torch::Tensor got = block->forward(x);

    at::Generator o = at::detail::createCPUGenerator(11);  // the oracle's masks, same order
    const auto ffn_out = [&](const torch::Tensor& u) {
      torch::Tensor h = torch::gelu(linear(*block->ffn[0]->as<torch::nn::LinearImpl>(), u));
      if (m.ffn_dropout == "inner") h = drop(h, p, o);
      return drop(linear(*block->ffn[3]->as<torch::nn::LinearImpl>(), h), p, o);
    };
    torch::Tensor want;
    if (m.arch == "grassmann") {
      const GrassmannMixImpl& mix = *block->grassmann;
      const auto mixer = [&](const torch::Tensor& h) {
        const torch::Tensor z = linear(mix.W_red, h);
        PluckerOptions options{m.windows, true, m.plucker_eps, false, false};
        torch::nn::Linear w_plu = mix.W_plu;
        const torch::Tensor g_ = grassmannGeometryReference(z, options, w_plu);
        const torch::Tensor alpha = torch::sigmoid(linear(mix.W_gate, torch::cat({h, g_}, -1)));
        torch::Tensor out = alpha * h + (1 - alpha) * g_;
        if (mix.layer_norm) out = layerNorm(mix.layer_norm, out);
        return drop(out, p, o);
      };
      if (m.norm == "pre" || m.norm == "pre_plain") {
        QCOMPARE(bool(mix.layer_norm), m.norm == "pre");
        const torch::Tensor h = x + mixer(layerNorm(block->ln1, x));
        want = h + ffn_out(layerNorm(block->ln2, h));
      } else {
        QCOMPARE(bool(block->ln1), m.norm == "post_residual");
        const torch::Tensor u = m.norm == "post" ? mixer(x) : layerNorm(block->ln1, x + mixer(x));
        want = layerNorm(block->ln2, u + ffn_out(u));
      }
    } else {
      const auto attention = [&](const torch::Tensor& h) {
        const std::int64_t B = h.size(0), T = h.size(1), D = h.size(2), H = m.heads;
        const torch::Tensor qkv =
            linear(block->qkv_proj, h).view({B, T, 3, H, D / H}).permute({2, 0, 3, 1, 4});
        const torch::Tensor s =
            torch::matmul(qkv[0], qkv[1].transpose(-1, -2)) / std::sqrt(double(D / H));
        const torch::Tensor causal = torch::ones({T, T}, torch::kBool).tril();
        torch::Tensor probs = s.masked_fill(causal.logical_not(), -INFINITY).softmax(-1);
        probs = drop(probs, attn, o);
        const torch::Tensor y = torch::matmul(probs, qkv[2]).transpose(1, 2).reshape({B, T, D});
        return drop(linear(block->out_proj, y), p, o);
      };
      if (m.norm == "pre" || m.norm == "pre_plain") {
        const torch::Tensor h = x + attention(layerNorm(block->ln1, x));
        want = h + ffn_out(layerNorm(block->ln2, h));
      } else {
        const torch::Tensor h = layerNorm(block->ln1, x + attention(x));
        want = layerNorm(block->ln2, h + ffn_out(h));
      }
    }
    const double err = (got - want).abs().max().item<double>();
    QVERIFY2(err < 1e-12, qPrintable(QString::number(err)));
    // The masks were drawn: the same forward without dropout differs.
    block->eval();
    QVERIFY((block->forward(x) - got).abs().max().item<double>() > 1e-3);
  }

  // ---------------------------------------------------------------- mix_proj, gate_only
  void mixProjectionAddsOneLinearAfterTheMixer() {
    ModelConfig m = small("grassmann");
    m.norm = "post";
    m.mix_proj = true;
    LanguageModel with(m);
    ModelConfig plain = m;
    plain.mix_proj = false;
    LanguageModel without(plain);
    QCOMPARE(with->parameterCount() - without->parameterCount(),
             m.n_layers * (m.d_model * m.d_model + m.d_model));
    QCOMPARE(countParameters(m), with->parameterCount());
    // The paper's own counts (SPEC §8): post, 2 LayerNorms a block, plus one Linear(d, d).
    ModelConfig paper;
    paper.arch = "grassmann";
    paper.vocab_size = 30522;
    paper.max_len = 128;
    paper.norm = "post";
    paper.mix_proj = true;
    QCOMPARE(countParameters(paper), std::int64_t(13001920));
    QCOMPARE(LanguageModel(paper)->parameterCount(), std::int64_t(13001920));
    paper.n_layers = 12;
    paper.windows = {1, 1, 2, 2, 4, 4, 8, 8, 12, 12, 16, 16};
    QCOMPARE(countParameters(paper), std::int64_t(18156928));
    paper.max_len = 256;
    QCOMPARE(countParameters(paper), std::int64_t(18189696));
    // Forward (eval) against the hand-composed mixer: LN(mix_proj(alpha h + (1 - alpha) g)), and
    // alpha g for gate_only with mean_then_project.
    for (const char* output : {"blend", "gate_only"}) {
      ModelConfig c = m;
      c.mix_output = output;
      c.offset_mean =
          std::string(output) == "gate_only" ? "mean_then_project" : "project_then_mean";
      GrassmannMix mix(c, c.windows, /*layer_norm=*/true);
      mix->to(torch::kDouble);
      mix->eval();
      const torch::Tensor h = torch::randn({2, 9, c.d_model}, torch::kDouble);
      torch::NoGradGuard no_grad;
      const torch::Tensor got = mix->forward(h);
      const torch::Tensor z = linear(mix->W_red, h);
      torch::nn::Linear w_plu = mix->W_plu;
      PluckerOptions options{c.windows, true, c.plucker_eps, false, false};
      const torch::Tensor g =
          grassmannGeometryReference(z, options, w_plu, {}, c.offset_mean == "mean_then_project");
      const torch::Tensor alpha = torch::sigmoid(linear(mix->W_gate, torch::cat({h, g}, -1)));
      const torch::Tensor mixed =
          c.mix_output == "gate_only" ? alpha * g : alpha * h + (1 - alpha) * g;
      const torch::Tensor want = layerNorm(mix->layer_norm, linear(mix->mix_proj, mixed));
      QVERIFY((got - want).abs().max().item<double>() < 1e-12);
      // mean_then_project gives the bias where no offset is valid (t = 0): W (0) + b.
      if (c.offset_mean == "mean_then_project")
        QVERIFY((g.select(1, 0) - mix->W_plu->bias).abs().max().item<double>() < 1e-12);
    }
  }

  // The fast path equals the literal per-offset oracle for mean_then_project too (repeated
  // offsets, positions with no valid offset).
  void meanThenProjectFastPathEqualsOracle() {
    ModelConfig m = small("grassmann");
    m.offset_mean = "mean_then_project";
    m.windows = {1, 1, 2, 4, 8};
    LanguageModel fast(m);
    fast->to(torch::kDouble);
    fast->eval();
    LanguageModel oracle(m);
    oracle->to(torch::kDouble);
    oracle->eval();
    torch::NoGradGuard no_grad;
    auto target = oracle->named_parameters();
    for (const auto& item : fast->named_parameters()) target[item.key()].copy_(item.value());
    oracle->setUseReference(true);
    const torch::Tensor ids = torch::randint(0, m.vocab_size, {3, 12}, torch::kLong);
    const double err = (fast->forward(ids) - oracle->forward(ids)).abs().max().item<double>();
    QVERIFY2(err < 1e-12, qPrintable(QString::number(err)));
  }

  // ---------------------------------------------------------------- schedules
  void schedulesAtChosenStepsEqualTheirFormulas() {
    LrSchedule s;
    s.lr = 1e-3;
    s.min_lr = 1e-4;
    s.warmup_steps = 4;
    s.total_steps = 24;
    // Warm-up from one (the reference's LambdaLR): lr (s + 1) / (W + 1).
    for (int step = 0; step < 4; ++step) QCOMPARE(s.at(step), 1e-3 * (step + 1) / 5.0);
    // From zero (GrassLM): lr s / W, so step 0 trains at rate 0.
    s.warmup_from = "zero";
    for (int step = 0; step < 4; ++step) QCOMPARE(s.at(step), 1e-3 * step / 4.0);
    // cosine_epochwise: constant within an epoch e of E, min + (lr - min)(1 + cos(pi e / E)) / 2.
    LrSchedule e;
    e.kind = "cosine_epochwise";
    e.lr = 1e-3;
    e.min_lr = 0;
    e.warmup_steps = 0;
    e.steps_per_epoch = 10;
    e.epochs = 4;
    e.total_steps = 40;
    for (const int step : {0, 9, 10, 19, 25, 39}) {
      const int epoch = step / 10;
      const double want = 0.5 * 1e-3 * (1 + std::cos(M_PI * epoch / 4.0));
      QVERIFY2(std::abs(e.at(step) - want) < 1e-15, qPrintable(QString::number(step)));
    }
    QCOMPARE(e.at(0), 1e-3);  // the first epoch at the peak (as the golden's constant lr)
    // Cosine per step to 0 without warm-up (Arledge's CosineAnnealingLR(total) stepped per batch).
    LrSchedule c;
    c.lr = 3e-4;
    c.min_lr = 0;
    c.warmup_steps = 0;
    c.total_steps = 100;
    for (const int step : {0, 1, 50, 99})
      QVERIFY(std::abs(c.at(step) - 0.5 * 3e-4 * (1 + std::cos(M_PI * step / 100.0))) < 1e-18);
  }

  // ---------------------------------------------------------------- data
  // gpt2_rows nonempty: the non-empty rows, each with its own newline, joined by "\n"; file: the
  // whole text. Both against ids of strings written out here.
  void gpt2RowsJoinTheNonEmptyRows() {
    const auto gpt2 = loadTokenizer(TokenizerKind::Gpt2, "");
    const std::string raw = " = Valkyria = \n \n Senjō no Valkyria 3 .\n\n It met with praise .\n";
    const std::string joined =
        " = Valkyria = \n\n Senjō no Valkyria 3 .\n\n It met with praise .\n";
    QCOMPARE(wikitextTokenStream(raw, *gpt2, "nonempty"), gpt2->encode(joined));
    QCOMPARE(wikitextTokenStream(raw, *gpt2, "file"), gpt2->encode(raw));
    QVERIFY(gpt2->encode(joined) != gpt2->encode(raw));
    // BERT has no such switch: WordPiece drops the whitespace either way.
    const auto bert = loadTokenizer(TokenizerKind::Bert, "");
    QCOMPARE(wikitextTokenStream(raw, *bert, "nonempty"), wikitextTokenStream(raw, *bert, "file"));
  }

  // eval_mean batches: the mean of per-batch mean losses, on batches of unequal size (7 chunks
  // in batches of 3: 3, 3, 1), against the per-position losses computed here; the token-weighted
  // loss is kept beside it.
  void evalMeanOfBatchesOnUnequalBatches() {
    ModelConfig m = small("grassmann");
    m.vocab_size = 30522;
    m.max_len = 8;
    LanguageModel model(m);
    const auto bert = loadTokenizer(TokenizerKind::Bert, "");
    TokenStream stream;
    for (int i = 0; i < 7 * 8; ++i) stream.ids.push_back(1000 + (i * 37) % 500);
    const EvalResult tokens = evaluateLm(model, stream, 8, 3, 0, torch::kCPU, false, false);
    const EvalResult batches = evaluateLm(model, stream, 8, 3, 0, torch::kCPU, false, true);
    model->eval();
    torch::NoGradGuard no_grad;
    const torch::Tensor all =
        model->positionLosses(sequentialBatch(stream, 0, 7, 8, torch::kCPU)).to(torch::kDouble);
    const double b1 = all.narrow(0, 0, 3).mean().item<double>();
    const double b2 = all.narrow(0, 3, 3).mean().item<double>();
    const double b3 = all.narrow(0, 6, 1).mean().item<double>();
    QVERIFY(std::abs(batches.loss - (b1 + b2 + b3) / 3) < 1e-6);
    QVERIFY(std::abs(tokens.loss - all.mean().item<double>()) < 1e-6);
    QVERIFY(std::abs(batches.token_loss - tokens.loss) < 1e-9);
    QVERIFY(std::abs(batches.loss - tokens.loss) > 1e-6);  // unequal batches: they differ
    QCOMPARE(tokens.tokens, std::int64_t(7 * 7));
  }

  // data.targets next: chunks of L + 1 ids (stride L + 1), the model sees L positions and makes L
  // predictions (loss_by_position has L entries); shift: chunks of L, L - 1 predictions. A run
  // with drop_last takes floor(chunks / B) steps an epoch, without it ceil.
  void targetsNextAndDropLastInARun() {
    QTemporaryDir runs;
    for (const bool next : {false, true}) {
      for (const bool drop : {false, true}) {
        RunConfig c =
            test::tinyRunConfig(std::string("t") + (next ? "n" : "s") + (drop ? "d" : ""));
        c.data.targets = next ? "next" : "shift";
        c.data.max_train_tokens = (next ? 33 : 32) * 20;  // 20 chunks
        c.train.batch_size = 8;                           // 8, 8, 4
        c.train.drop_last = drop;
        c.train.eval_every = 0;
        c.model.max_len = 32;
        test::Recorder recorder;
        TrainRequest request;
        request.config = c;
        request.runs_dir = runs.path().toStdString();
        const TrainOutcome out = runTraining(request, recorder);
        QCOMPARE(out.summary.status, std::string("finished"));
        QCOMPARE(recorder.steps.back().step, std::int64_t(drop ? 2 : 3));
        const EvalEvent& valid = recorder.evals.front();
        QCOMPARE(valid.loss_by_position.size(), std::size_t(next ? 32 : 31));
        QVERIFY(out.summary.best_valid_loss.has_value());
        QVERIFY(std::abs(*out.summary.best_valid_loss - valid.loss) < 1e-12);
      }
    }
  }

  // ---------------------------------------------------------------- recipes
  // Every recipe preset's parameters as `gwb train --dry-run` counts them, beside the published.
  void recipePresetsHaveThePublishedCounts_data() {
    QTest::addColumn<QString>("preset");
    QTest::addColumn<qint64>("parameters");
    QTest::newRow("kanenorman grassmann")
        << "recipe-kanenorman-grassmann-n6-l128" << qint64(12607168);
    QTest::newRow("kanenorman transformer")
        << "recipe-kanenorman-transformer-n6-l128" << qint64(12585472);
    QTest::newRow("youdie6 grassmann") << "recipe-youdie6-grassmann-n6-l128" << qint64(12607168);
    QTest::newRow("youdie6 transformer")
        << "recipe-youdie6-transformer-n6-l128" << qint64(12585472);
    QTest::newRow("youdie12 grassmann") << "recipe-youdie12-grassmann-n12-l256" << qint64(17400192);
    QTest::newRow("youdie12 transformer")
        << "recipe-youdie12-transformer-n12-l256" << qint64(17356800);
    QTest::newRow("grasslm") << "recipe-grasslm-grassmann-n6-l128" << qint64(12607168);
    QTest::newRow("arledge grassmann") << "recipe-arledge-grassmann-n6-l256" << qint64(17695168);
    QTest::newRow("arledge transformer")
        << "recipe-arledge-transformer-n6-l256" << qint64(17670400);
    QTest::newRow("paper grassmann") << "recipe-paper-grassmann-n6-l128" << qint64(12607168);
    QTest::newRow("paper transformer") << "recipe-paper-transformer-n6-l128" << qint64(12585472);
    QTest::newRow("reference grassmann")
        << "recipe-reference-grassmann-n6-l128" << qint64(12610240);
    QTest::newRow("reference transformer n12 l256")
        << "recipe-reference-transformer-n12-l256" << qint64(17356800);
  }
  void recipePresetsHaveThePublishedCounts() {
    QFETCH(QString, preset);
    QFETCH(qint64, parameters);
    std::string source;
    const RunConfig config = loadConfigArgument(preset.toStdString(), {}, &source);
    QVERIFY(!config.recipe.empty());
    const PreparedConfig prepared = prepareConfig(config, source);
    QCOMPARE(prepared.parameters, parameters);
    QCOMPARE(countTrainedParameters(prepared.config), parameters);
  }

  // `gwb speedrun wikitext2 --preset-family recipes [--recipes a,b]`.
  void recipesFamilyPlansEveryRecipe() {
    const auto all = sweepPresets("wikitext2", "recipes");
    QCOMPARE(all.size(), std::size_t(21));  // paper 4, reference 8, arledge 2, kanenorman 2,
                                            // youdie6 2, youdie12 2, grasslm 1
    const auto some = sweepPresets("wikitext2", "recipes", {"kanenorman", "grasslm"});
    QCOMPARE(some, (std::vector<std::string>{"recipe-kanenorman-grassmann-n6-l128",
                                             "recipe-kanenorman-transformer-n6-l128",
                                             "recipe-grasslm-grassmann-n6-l128"}));
    QVERIFY(inputErrorOf([] {
              sweepPresets("wikitext2", "recipes", {"nanogpt"});
            }).contains("youdie12"));
    QVERIFY(inputErrorOf([] {
              sweepPresets("wikitext2", "reference", {"paper"});
            }).contains("recipes"));
  }

  // Bad input: a key of the other architecture is accepted and ignored; an invalid value names the
  // key and its choices; next with SNLI is refused with the reason.
  void recipeKeysRefuseWhatHasNoMeaning() {
    RunConfig t = test::tinyRunConfig("x");
    t.model.arch = "transformer";
    t.model.heads = 4;
    t.model.mix_output = "gate_only";  // a Grassmann key on a Transformer: ignored
    QVERIFY(configProblems(t, false).empty());
    const auto problemOf = [](const RunConfig& c, const std::string& key) {
      for (const ConfigProblem& p : configProblems(c, false))
        if (p.key == key) return QString::fromStdString(p.message);
      return QString();
    };
    RunConfig bad = test::tinyRunConfig("x");
    bad.model.norm = "sandwich";
    QVERIFY(problemOf(bad, "model.norm").contains("post_residual"));
    bad = test::tinyRunConfig("x");
    bad.train.schedule = "linear";
    QVERIFY(problemOf(bad, "train.schedule").contains("cosine_epochwise"));
    bad = test::tinyRunConfig("x");
    bad.recipe = "nanogpt";
    QVERIFY(problemOf(bad, "recipe").contains("kanenorman"));
    RunConfig snli = test::tinyRunConfig("x");
    snli.data.task = "snli";
    snli.data.targets = "next";
    QVERIFY(problemOf(snli, "data.targets").contains("classifier"));
    // --set parses the new keys through the one key table.
    const std::string text = applyOverrides(
        runConfigToJson(test::tinyRunConfig("x")),
        {"model.offset_mean=mean_then_project", "train.betas=[0.9,0.98]", "recipe=grasslm"},
        "test");
    const RunConfig set = parseRunConfig(text, "test");
    QCOMPARE(set.model.offset_mean, std::string("mean_then_project"));
    QCOMPARE(set.train.betas[1], 0.98);
    QCOMPARE(set.recipe, std::string("grasslm"));
    QVERIFY(
        findConfigKey("model.mix_proj")->help.find("inferred from the paper's parameter counts") !=
        std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TestRecipes)
#include "tst_recipes.moc"
