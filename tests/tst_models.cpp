// The two models: parameter counts of SPEC §2, the fast Grassmann path against the reference
// oracle (fp64), causality (and the documented leak of future_leaky), and exactness against the
// reference reproduction's own classes (tests/golden/models): loss, logits, three AdamW steps.
#include <torch/torch.h>

#include <QtTest>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/model/language_model.h"
#include "engine/model/plucker.h"
#include "engine/model/tensor_io.h"
#include "engine/train/adamw.h"
#include "test_support.h"

using namespace gwb;

namespace {

nlohmann::json readJson(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

double relError(double got, double want) {
  return std::abs(got - want) / std::max(1e-300, std::abs(want));
}

double maxRel(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs().max() / b.abs().max().clamp_min(1e-300)).item<double>();
}

ModelConfig goldenModel(const std::string& name) {
  std::ifstream in(test::goldenPath("models/" + name + "/model.json"));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parseModelConfig(text, name);
}

torch::Tensor goldenIds(const std::string& name) {
  const auto rows = readJson(test::goldenPath("models/" + name + "/ids.json"))
                        .get<std::vector<std::vector<std::int64_t>>>();
  torch::Tensor ids = torch::empty(
      {static_cast<long>(rows.size()), static_cast<long>(rows[0].size())}, torch::kLong);
  for (std::size_t b = 0; b < rows.size(); ++b) {
    for (std::size_t t = 0; t < rows[b].size(); ++t) ids[b][t] = rows[b][t];
  }
  return ids;
}

ModelConfig smallModel(const std::string& arch) {
  ModelConfig m;
  m.arch = arch;
  m.vocab_size = 50;
  m.max_len = 24;
  m.d_model = 16;
  m.n_layers = 2;
  m.d_ff = 32;
  m.heads = 4;
  m.r = 6;
  m.dropout = 0;
  return m;
}

}  // namespace

class TestModels : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::set_num_threads(2); }

  void parameterCountsMatchSpec_data() {
    QTest::addColumn<qint64>("vocab");
    QTest::addColumn<qint64>("layers");
    QTest::addColumn<qint64>("len");
    QTest::addColumn<qint64>("transformer");
    QTest::addColumn<qint64>("grassmann");
    QTest::newRow("GPT-2 N6 L256")
        << qint64(50257) << qint64(6) << qint64(256) << qint64(17670400) << qint64(17695168);
    QTest::newRow("BERT N6 L128") << qint64(30522) << qint64(6) << qint64(128) << qint64(12585472)
                                  << qint64(12610240);
    QTest::newRow("BERT N6 L256") << qint64(30522) << qint64(6) << qint64(256) << qint64(12618240)
                                  << qint64(12643008);
    QTest::newRow("BERT N12 L128")
        << qint64(30522) << qint64(12) << qint64(128) << qint64(17324032) << qint64(17373568);
    QTest::newRow("BERT N12 L256")
        << qint64(30522) << qint64(12) << qint64(256) << qint64(17356800) << qint64(17406336);
  }
  void parameterCountsMatchSpec() {
    QFETCH(qint64, vocab);
    QFETCH(qint64, layers);
    QFETCH(qint64, len);
    QFETCH(qint64, transformer);
    QFETCH(qint64, grassmann);
    for (const char* arch : {"transformer", "grassmann"}) {
      ModelConfig m;
      m.arch = arch;
      m.vocab_size = vocab;
      m.n_layers = layers;
      m.max_len = len;
      if (layers == 12) m.windows = {1, 1, 2, 2, 4, 4, 8, 8, 12, 12, 16, 16};
      LanguageModel model(m);
      QCOMPARE(model->parameterCount(),
               std::string(arch) == "transformer" ? transformer : grassmann);
    }
  }

  void parameterCountsPerModuleTieTheHeadOnce() {
    ModelConfig m = smallModel("grassmann");
    LanguageModel tied(m);
    const auto counts = tied->parameterCounts();
    QCOMPARE(counts.front().first, std::string("token_embedding"));
    QCOMPARE(counts.back().first, std::string("ln_f"));
    QCOMPARE(counts.size(), std::size_t(2 + 2 + 1));
    m.tie_embeddings = false;
    LanguageModel untied(m);
    QCOMPARE(untied->parameterCount(), tied->parameterCount() + m.vocab_size * m.d_model);
    // Post-LN Grassmann blocks have no ln1 (the paper's layout): 2 x d x 2 parameters fewer.
    m.tie_embeddings = true;
    m.norm = "post";
    LanguageModel post(m);
    QCOMPARE(post->parameterCount(), tied->parameterCount() - m.n_layers * 2 * m.d_model);
  }

  void fastPathEqualsOracle_data() {
    QTest::addColumn<int>("T");
    QTest::addColumn<QString>("windows");
    QTest::addColumn<bool>("normalize");
    QTest::addColumn<bool>("future");
    QTest::newRow("all offsets") << 20 << "1,2,4,8,12,16" << true << false;
    QTest::newRow("repeated offsets") << 20 << "1,1,2,2,4,4,8,8,12,12,16,16" << true << false;
    QTest::newRow("uneven repeats") << 12 << "1,1,1,3" << true << false;
    QTest::newRow("shorter than the largest offset") << 5 << "1,2,4,8,12,16" << true << false;
    QTest::newRow("shorter than every offset") << 3 << "4,8" << true << false;
    QTest::newRow("no normalisation") << 17 << "1,2,4" << false << false;
    QTest::newRow("future_leaky") << 17 << "1,2,4,8" << true << true;
  }
  void fastPathEqualsOracle() {
    QFETCH(int, T);
    QFETCH(QString, windows);
    QFETCH(bool, normalize);
    QFETCH(bool, future);
    torch::manual_seed(7);
    PluckerOptions options;
    for (const QString& w : windows.split(',')) options.windows.push_back(w.toLongLong());
    options.normalize = normalize;
    options.future = future;
    const std::int64_t r = 9, d = 11;
    const torch::Tensor z = torch::randn({3, T, r}, torch::kDouble);
    torch::nn::Linear w_plu(r * (r - 1) / 2, d);
    w_plu->to(torch::kDouble);
    const torch::Tensor reference = grassmannGeometryReference(z, options, w_plu);
    const torch::Tensor fast =
        grassmannGeometryFast(z, options, PluckerIndex::make(r, torch::kCPU), w_plu);
    QCOMPARE(fast.sizes(), reference.sizes());
    QVERIFY2(maxRel(fast, reference) < 1e-6, qPrintable(QString::number(maxRel(fast, reference))));
    // Positions without a valid offset get exactly 0.
    const std::int64_t smallest = *std::min_element(options.windows.begin(), options.windows.end());
    if (!future && smallest < T)
      QCOMPARE(fast.narrow(1, 0, smallest).abs().max().item<double>(), 0.0);
  }

  void pluckerCoordinatesAreTheWedgeProduct() {
    // e1 ^ e2 in R^3 is p_01 = 1; |p|^2 = |u|^2 |v|^2 - (u.v)^2 (Lagrange).
    const PluckerIndex index = PluckerIndex::make(3, torch::kCPU);
    const torch::Tensor p =
        pluckerCoordinates(torch::tensor({1.0, 0.0, 0.0}), torch::tensor({0.0, 1.0, 0.0}), index);
    QCOMPARE(p[0].item<double>(), 1.0);
    QCOMPARE(p.abs().sum().item<double>(), 1.0);
    const torch::Tensor u = torch::randn({5, 7}, torch::kDouble),
                        v = torch::randn({5, 7}, torch::kDouble);
    const torch::Tensor q = pluckerCoordinates(u, v, PluckerIndex::make(7, torch::kCPU));
    const torch::Tensor lagrange = u.pow(2).sum(-1) * v.pow(2).sum(-1) - (u * v).sum(-1).pow(2);
    QVERIFY(maxRel(q.pow(2).sum(-1), lagrange) < 1e-12);
  }

  void wholeModelFastEqualsOracle() {
    torch::manual_seed(3);
    ModelConfig m = smallModel("grassmann");
    m.windows = {1, 1, 2, 4, 8, 32};
    LanguageModel model(m);
    model->to(torch::kDouble);
    model->eval();
    const torch::Tensor ids = torch::randint(0, m.vocab_size, {2, 19}, torch::kLong);
    torch::NoGradGuard no_grad;
    const torch::Tensor fast = model->forward(ids);
    model->setUseReference(true);
    const torch::Tensor reference = model->forward(ids);
    QVERIFY(maxRel(fast, reference) < 1e-6);
  }

  void causality_data() {
    QTest::addColumn<QString>("arch");
    QTest::addColumn<QString>("norm");
    for (const char* arch : {"transformer", "grassmann"}) {
      for (const char* norm : {"pre", "post"})
        QTest::addRow("%s %s-LN", arch, norm) << arch << norm;
    }
  }
  void causality() {
    QFETCH(QString, arch);
    QFETCH(QString, norm);
    torch::manual_seed(11);
    ModelConfig m = smallModel(arch.toStdString());
    m.norm = norm.toStdString();
    LanguageModel model(m);
    model->to(torch::kDouble);
    model->eval();
    torch::NoGradGuard no_grad;
    const std::int64_t T = 20, t = 9;
    const torch::Tensor ids = torch::randint(0, m.vocab_size, {2, T}, torch::kLong);
    torch::Tensor changed = ids.clone();
    changed.narrow(1, t + 1, T - t - 1)
        .copy_(torch::randint(0, m.vocab_size, {2, T - t - 1}, torch::kLong));
    const torch::Tensor a = model->forward(ids), b = model->forward(changed);
    QCOMPARE((a.narrow(1, 0, t + 1) - b.narrow(1, 0, t + 1)).abs().max().item<double>(), 0.0);
    QVERIFY(
        (a.narrow(1, t + 1, T - t - 1) - b.narrow(1, t + 1, T - t - 1)).abs().max().item<double>() >
        1e-6);
    QVERIFY(!m.leaksFuture());
  }

  void futureLeakyPairingLeaks() {
    torch::manual_seed(12);
    ModelConfig m = smallModel("grassmann");
    m.pairing = "future_leaky";
    QVERIFY(m.leaksFuture());
    LanguageModel model(m);
    model->to(torch::kDouble);
    model->eval();
    torch::NoGradGuard no_grad;
    const torch::Tensor ids = torch::randint(0, m.vocab_size, {1, 20}, torch::kLong);
    torch::Tensor changed = ids.clone();
    changed[0][10] = (ids[0][10].item<std::int64_t>() + 1) % m.vocab_size;
    const torch::Tensor a = model->forward(ids), b = model->forward(changed);
    // Position 9 pairs with 10 (offset 1): its logits see the change.
    QVERIFY((a[0][9] - b[0][9]).abs().max().item<double>() > 1e-9);
  }

  // tokenLosses over the first `classes` columns (the padded head's layout): the padding, however
  // large, is never a class, and gets no gradient; the values are those of the unpadded logits.
  void tokenLossesIgnoreThePadding() {
    torch::manual_seed(11);
    const std::int64_t rows = 7, V = 50, width = 64;
    torch::Tensor padded = torch::randn({rows, width}, torch::kDouble);
    padded.narrow(1, V, width - V).fill_(1e3);
    padded.requires_grad_(true);
    const torch::Tensor plain = padded.detach().narrow(1, 0, V).clone().requires_grad_(true);
    const torch::Tensor targets = torch::randint(0, V, {rows}, torch::kLong);
    const torch::Tensor a = tokenLosses(padded, targets, V), b = tokenLosses(plain, targets);
    QCOMPARE(a.sizes(), b.sizes());
    QVERIFY((a - b).abs().max().item<double>() < 1e-12);
    // Against the definition (logsumexp over the classes minus the target's logit; the losses are
    // computed in fp32 whatever the input, so to fp32 precision).
    const torch::Tensor x = plain.detach();
    const torch::Tensor expected = x.logsumexp(1) - x.gather(1, targets.unsqueeze(1)).squeeze(1);
    QVERIFY((b.detach() - expected).abs().max().item<double>() < 1e-5);
    a.sum().backward();
    b.sum().backward();
    QVERIFY(padded.grad().narrow(1, V, width - V).eq(0).all().item<bool>());
    QVERIFY((padded.grad().narrow(1, 0, V) - plain.grad()).abs().max().item<double>() < 1e-12);
  }

  void goldenEvalMatchesReference_data() {
    QTest::addColumn<QString>("name");
    QTest::newRow("grassmann") << "grassmann_small";
    QTest::newRow("transformer") << "transformer_small";
  }
  void goldenEvalMatchesReference() {
    QFETCH(QString, name);
    const std::string n = name.toStdString();
    const nlohmann::json expected = readJson(test::goldenPath("models/" + n + "/expected.json"));
    LanguageModel model(goldenModel(n));
    loadModuleWeights(*model, test::goldenPath("models/" + n + "/weights.safetensors"));
    model->eval();
    torch::NoGradGuard no_grad;
    const torch::Tensor ids = goldenIds(n);
    const torch::Tensor logits = model->forward(ids).to(torch::kDouble);
    const double loss = model->loss(ids).item<double>();
    QVERIFY2(relError(loss, expected["eval_loss"]) < 1e-5,
             qPrintable(QString::number(relError(loss, expected["eval_loss"]))));
    QVERIFY(relError(logits.sum().item<double>(), expected["logits_sum"]) < 1e-4);
    QVERIFY(relError(logits.abs().sum().item<double>(), expected["logits_abs_sum"]) < 1e-4);
    const std::int64_t B = ids.size(0), T = ids.size(1), V = logits.size(2);
    for (int i = 0; i < 8; ++i) {
      QVERIFY(std::abs(logits[0][0][i].item<double>() - expected["logits_first"][i].get<double>()) <
              1e-4);
      QVERIFY(std::abs(logits[B - 1][T - 1][V - 8 + i].item<double>() -
                       expected["logits_last"][i].get<double>()) < 1e-4);
    }
  }

  void goldenAdamWStepsMatchReference_data() { goldenEvalMatchesReference_data(); }
  void goldenAdamWStepsMatchReference() {
    QFETCH(QString, name);
    const std::string n = name.toStdString();
    const nlohmann::json expected =
        readJson(test::goldenPath("models/" + n + "/expected.json"))["adamw"];
    QVERIFY(expected["clip"].is_null());
    LanguageModel model(goldenModel(n));
    loadModuleWeights(*model, test::goldenPath("models/" + n + "/weights.safetensors"));
    model->train();  // dropout is 0 in the golden model
    AdamW optimizer(namedTensors(*model), AdamWOptions{expected["betas"][0], expected["betas"][1],
                                                       expected["eps"], expected["weight_decay"]});
    const torch::Tensor ids = goldenIds(n);
    const auto& losses = expected["losses"];
    for (std::size_t step = 0; step < losses.size(); ++step) {
      const torch::Tensor loss = model->loss(ids);
      const double rel = relError(loss.item<double>(), losses[step]);
      QVERIFY2(rel < 1e-4, qPrintable(QString("step %1: relative error %2").arg(step).arg(rel)));
      if (step + 1 == losses.size()) break;
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step(expected["lr"]);
    }
    QCOMPARE(optimizer.steps(), std::int64_t(losses.size() - 1));
  }
};

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"
