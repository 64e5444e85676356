// The fused kernels' per-token arithmetic (engine/cuda/plucker_math.cuh), run on the CPU with one
// lane, against the ATen reference of the fast path (engine/model/plucker.h) and its autograd
// gradient: fp64 to 1e-10 and fp32 to 1e-5 relative, on fresh random inputs each run; sequences
// shorter than the largest offset, odd sizes, r other than 32, repeated offsets, no
// normalisation, future pairing, degenerate pairs below eps. The GPU tests then only have to show
// that the kernels launch this code correctly.
#include <torch/torch.h>

#include <QtTest>
#include <chrono>
#include <map>

#include "engine/cuda/plucker_math.cuh"
#include "engine/model/plucker.h"

using namespace gwb;

namespace {

fused::PluckerParams paramsOf(const PluckerOptions& o, int T, int r) {
  fused::PluckerParams p;
  p.T = T;
  p.r = r;
  std::map<std::int64_t, int> multiplicity;
  for (std::int64_t d : o.windows) ++multiplicity[d];
  for (const auto& [d, n] : multiplicity) {
    p.offsets[p.m] = static_cast<int>(d);
    p.weights[p.m] = static_cast<float>(n);
    ++p.m;
  }
  p.eps = static_cast<float>(o.eps);
  p.normalize = o.normalize;
  p.future = o.future;
  return p;
}

template <typename Acc>
torch::Tensor forwardOnCpu(const torch::Tensor& z, const fused::PluckerParams& p) {
  const int B = static_cast<int>(z.size(0)), T = p.T, r = p.r, P = fused::pluckerDim(r);
  const torch::Tensor zc = z.contiguous();
  torch::Tensor out =
      torch::full({B, T, P}, NAN, z.options());  // poisoned: every element must be written
  std::vector<Acc> acc(P);
  const auto identity = [](Acc x) { return x; };
  for (int b = 0; b < B; ++b) {
    const Acc* base = zc.data_ptr<Acc>() + static_cast<std::int64_t>(b) * T * r;
    const auto row = [&](int s) { return base + static_cast<std::int64_t>(s) * r; };
    for (int t = 0; t < T; ++t) {
      Acc* o = out.data_ptr<Acc>() + (static_cast<std::int64_t>(b) * T + t) * P;
      fused::pluckerMeanToken<Acc>(p, t, row(t), row, 0, 1, identity, acc.data(), o);
    }
  }
  return out;
}

template <typename Acc>
torch::Tensor backwardOnCpu(const torch::Tensor& z, const torch::Tensor& grad_out,
                            const fused::PluckerParams& p) {
  const int B = static_cast<int>(z.size(0)), T = p.T, r = p.r, P = fused::pluckerDim(r);
  const torch::Tensor zc = z.contiguous(), gc = grad_out.contiguous();
  torch::Tensor gz = torch::full({B, T, r}, NAN, z.options());
  std::vector<Acc> su(r), sv(r);
  const auto identity = [](Acc x) { return x; };
  for (int b = 0; b < B; ++b) {
    const Acc* base = zc.data_ptr<Acc>() + static_cast<std::int64_t>(b) * T * r;
    const Acc* gbase = gc.data_ptr<Acc>() + static_cast<std::int64_t>(b) * T * P;
    const auto row = [&](int s) { return base + static_cast<std::int64_t>(s) * r; };
    const auto grad = [&](int s) { return gbase + static_cast<std::int64_t>(s) * P; };
    for (int t = 0; t < T; ++t) {
      Acc* o = gz.data_ptr<Acc>() + (static_cast<std::int64_t>(b) * T + t) * r;
      fused::pluckerMeanTokenBackward<Acc, Acc>(p, t, row, grad, 0, 1, identity, su.data(),
                                                sv.data(), o);
    }
  }
  return gz;
}

double maxRel(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs().max() / b.abs().max().clamp_min(1e-30)).item<double>();
}

}  // namespace

class TestFusedMath : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    const auto seed =
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    torch::manual_seed(seed);
    qInfo("random seed %llu", static_cast<unsigned long long>(seed));
  }

  void pairIndexingMatchesTriuIndices() {
    for (int r : {2, 3, 8, 17, 32}) {
      const PluckerIndex index = PluckerIndex::make(r, torch::kCPU);
      for (int k = 0; k < fused::pluckerDim(r); ++k) {
        int i, j;
        fused::pairOf(k, r, i, j);
        QCOMPARE(i, static_cast<int>(index.i0[k].item<std::int64_t>()));
        QCOMPARE(j, static_cast<int>(index.i1[k].item<std::int64_t>()));
        QCOMPARE(fused::pairIndex(i, j, r), k);
      }
    }
  }

  void agreesWithTheReference_data() {
    QTest::addColumn<int>("B");
    QTest::addColumn<int>("T");
    QTest::addColumn<int>("r");
    QTest::addColumn<QString>("windows");
    QTest::addColumn<bool>("normalize");
    QTest::addColumn<bool>("future");
    QTest::addColumn<bool>("fp64");
    QTest::newRow("r=32 reference offsets fp64")
        << 2 << 40 << 32 << "1,2,4,8,12,16" << true << false << true;
    QTest::newRow("r=32 reference offsets fp32")
        << 2 << 40 << 32 << "1,2,4,8,12,16" << true << false << false;
    QTest::newRow("repeated offsets (12 layers)")
        << 1 << 33 << 32 << "1,1,2,2,4,4,8,8,12,12,16,16" << true << false << true;
    QTest::newRow("shorter than the largest offset")
        << 3 << 7 << 32 << "1,2,4,8,12,16" << true << false << true;
    QTest::newRow("odd sizes, r=17") << 3 << 37 << 17 << "1,3,5" << true << false << true;
    QTest::newRow("r=8 uneven repeats") << 2 << 19 << 8 << "1,1,1,3" << true << false << true;
    QTest::newRow("no normalisation") << 2 << 21 << 9 << "1,2,4" << false << false << true;
    QTest::newRow("future pairing") << 2 << 21 << 9 << "1,2,4,8" << true << true << true;
  }
  void agreesWithTheReference() {
    QFETCH(int, B);
    QFETCH(int, T);
    QFETCH(int, r);
    QFETCH(QString, windows);
    QFETCH(bool, normalize);
    QFETCH(bool, future);
    QFETCH(bool, fp64);
    PluckerOptions options;
    for (const QString& w : windows.split(',')) options.windows.push_back(w.toLongLong());
    options.normalize = normalize;
    options.future = future;
    const auto dtype = fp64 ? torch::kDouble : torch::kFloat;
    const double tolerance = fp64 ? 1e-10 : 1e-5;
    torch::Tensor z = torch::randn({B, T, r}, dtype).requires_grad_(true);
    const PluckerMean reference = pluckerMean(z, options, PluckerIndex::make(r, torch::kCPU));
    const torch::Tensor upstream = torch::randn_like(reference.mean);
    (reference.mean * upstream).sum().backward();
    const fused::PluckerParams p = paramsOf(options, T, r);
    const torch::Tensor zd = z.detach();
    const torch::Tensor mine = fp64 ? forwardOnCpu<double>(zd, p) : forwardOnCpu<float>(zd, p);
    const torch::Tensor grad =
        fp64 ? backwardOnCpu<double>(zd, upstream, p) : backwardOnCpu<float>(zd, upstream, p);
    QVERIFY2(torch::isfinite(mine).all().item<bool>(), "an output element was not written");
    QVERIFY2(maxRel(mine, reference.mean.detach()) < tolerance,
             qPrintable(QString::number(maxRel(mine, reference.mean))));
    QVERIFY2(maxRel(grad, z.grad()) < tolerance * 10,
             qPrintable(QString::number(maxRel(grad, z.grad()))));
    // Valid weight 0 exactly where the reference has no valid offset.
    for (int t = 0; t < T; ++t)
      QCOMPARE(fused::validWeight(p, t) > 0, reference.valid[t].item<bool>());
  }

  void degeneratePairsBelowEps() {
    // z_t parallel to z_{t-1}: |p| = 0 < eps, p_hat = p / eps = 0, and the gradient takes the I /
    // eps branch.
    PluckerOptions options;
    options.windows = {1};
    const int T = 5, r = 4;
    torch::Tensor z = torch::randn({1, 1, r}, torch::kDouble).repeat({1, T, 1});
    z = (z * torch::arange(1, T + 1, torch::kDouble).view({1, T, 1})).requires_grad_(true);
    const PluckerMean reference = pluckerMean(z, options, PluckerIndex::make(r, torch::kCPU));
    const torch::Tensor upstream = torch::randn_like(reference.mean);
    (reference.mean * upstream).sum().backward();
    const fused::PluckerParams p = paramsOf(options, T, r);
    QVERIFY(maxRel(forwardOnCpu<double>(z.detach(), p) + 1, reference.mean.detach() + 1) < 1e-12);
    const torch::Tensor mine = backwardOnCpu<double>(z.detach(), upstream, p);
    // Gradients here are about 1/eps = 1e8 times the upstream; summation order alone moves them by
    // ~1e-8 relative, while the wrong branch would be off by orders of magnitude.
    QVERIFY2(maxRel(mine, z.grad()) < 1e-6, qPrintable(QString::number(maxRel(mine, z.grad()))));
    QVERIFY(mine.abs().max().item<double>() > 1e6);  // the I / eps branch was taken
  }
};

QTEST_GUILESS_MAIN(TestFusedMath)
#include "tst_fused_math.moc"
