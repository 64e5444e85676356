// Our safetensors reader and writer: round trips of every dtype, the canonical layout, the golden
// file written by PyTorch's safetensors, and each kind of damaged file; strict loading of a
// model's weights (missing, extra, mis-shaped tensors) that changes nothing on failure.
#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>
#include <cstring>
#include <nlohmann/json.hpp>

#include "engine/io/safetensors.h"
#include "engine/model/language_model.h"
#include "engine/model/tensor_io.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "test_support.h"

using namespace gwb;
using gwb::test::inputErrorOf;

namespace {

// A file with the given header JSON and data bytes.
std::string rawFile(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const std::uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

ModelConfig tinyModel() {
  ModelConfig m;
  m.vocab_size = 20;
  m.max_len = 8;
  m.d_model = 8;
  m.n_layers = 1;
  m.d_ff = 16;
  m.r = 4;
  m.windows = {1, 2};
  return m;
}

}  // namespace

class TestSafetensors : public QObject {
  Q_OBJECT

 private slots:
  void everyDtypeRoundTrips() {
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString() + "/all.safetensors";
    std::vector<std::pair<std::string, torch::Tensor>> tensors = {
        {"f64", torch::randn({2, 3}, torch::kDouble)},
        {"f32", torch::randn({4}, torch::kFloat)},
        {"f16", torch::randn({3, 1}).to(torch::kHalf)},
        {"bf16", torch::randn({5}).to(torch::kBFloat16)},
        {"i64", torch::arange(6, torch::kLong).view({2, 3})},
        {"i32", torch::arange(3, torch::kInt)},
        {"u8", torch::arange(4, torch::kByte)},
        {"bool", torch::tensor({true, false, true})},
        {"scalar", torch::tensor(2.5)},
        {"empty", torch::zeros({0, 3})}};
    saveTensors(path, tensors, {{"step", "12"}});
    const auto back = loadTensors(path);
    QCOMPARE(back.size(), tensors.size());
    for (const auto& [name, t] : tensors) {
      QCOMPARE(back.at(name).scalar_type(), t.scalar_type());
      QCOMPARE(back.at(name).sizes(), t.sizes());
      QVERIFY2(back.at(name).equal(t), name.c_str());
    }
    QCOMPARE(readSafetensors(path).metadata.at("step"), std::string("12"));
    // Canonical layout: the header is padded to a multiple of 8 bytes, names in order.
    const std::string bytes = readFileBytes(path);
    std::uint64_t header_len = 0;
    std::memcpy(&header_len, bytes.data(), 8);
    QCOMPARE(header_len % 8, std::uint64_t(0));
    const auto header = nlohmann::ordered_json::parse(bytes.substr(8, header_len));
    QCOMPARE(header["f32"]["dtype"].get<std::string>(), std::string("F32"));
    QCOMPARE(header["bf16"]["dtype"].get<std::string>(), std::string("BF16"));
  }

  void readsTheGoldenFileWrittenByPyTorch() {
    const SafetensorsData data =
        readSafetensors(test::goldenPath("models/grassmann_small/weights.safetensors"));
    QCOMPARE(data.metadata.at("format"), std::string("pt"));
    const StTensor& w = data.tensors.at("blocks.0.grassmann.W_plu.weight");
    QCOMPARE(w.dtype, StDtype::F32);
    QCOMPARE(w.shape, (std::vector<std::int64_t>{32, 28}));
    QCOMPARE(data.tensors.size(), std::size_t(36));
    QVERIFY(!data.tensors.count("lm_head.weight"));  // tied head not stored
  }

  void damagedFilesAreErrors_data() {
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("error");
    const std::string data(8, '\x01');
    QTest::newRow("too short") << QByteArray("abc")
                               << "expected a safetensors file (8-byte header length), got 3 bytes";
    QTest::newRow("header past the end")
        << QByteArray::fromStdString(rawFile("{}", "").substr(0, 8) + "{")
        << "expected a header of at most 1 bytes, got a header length of 2";
    QTest::newRow("bad JSON") << QByteArray::fromStdString(rawFile("{\"a\":", ""))
                              << "header: expected a JSON object";
    QTest::newRow("unknown dtype")
        << QByteArray::fromStdString(
               rawFile(R"({"w":{"dtype":"F8","shape":[2],"data_offsets":[0,8]}})", data))
        << "w: expected a dtype (F64, F32";
    QTest::newRow("size does not match shape")
        << QByteArray::fromStdString(
               rawFile(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data))
        << "w: expected 12 bytes for its shape and dtype, got 8";
    QTest::newRow("offsets past the data (cut short)")
        << QByteArray::fromStdString(
               rawFile(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", data))
        << "w: expected offsets within the 8 data bytes, got [0, 16] (file cut short?)";
    QTest::newRow("overlap")
        << QByteArray::fromStdString(rawFile(
               R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
               data))
        << "expected tensor data without holes or overlaps, got overlapping offsets at byte 4";
    QTest::newRow("hole") << QByteArray::fromStdString(rawFile(
                                 R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", data))
                          << "expected tensor data without holes or overlaps, got a hole at byte 0";
    QTest::newRow("trailing bytes")
        << QByteArray::fromStdString(
               rawFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", data))
        << "expected 4 data bytes, got 8 (trailing bytes)";
    QTest::newRow("negative dimension")
        << QByteArray::fromStdString(
               rawFile(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", data))
        << "a: expected non-negative integer dimensions";
  }
  void damagedFilesAreErrors() {
    QFETCH(QByteArray, file);
    QFETCH(QString, error);
    const QString got =
        inputErrorOf([&] { parseSafetensors(file.toStdString(), "w.safetensors"); });
    QVERIFY2(got.startsWith("w.safetensors") && got.contains(error), qPrintable(got));
  }

  void truncatedCheckpointIsAnError() {
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString() + "/m.safetensors";
    LanguageModel model(tinyModel());
    saveModuleWeights(*model, path);
    const std::string bytes = readFileBytes(path);
    writeFileAtomic(path, bytes.substr(0, bytes.size() - 10));
    LanguageModel other(tinyModel());
    const QString got = inputErrorOf([&] { loadModuleWeights(*other, path); });
    QVERIFY2(got.contains("file cut short"), qPrintable(got));
  }

  void modelWeightsLoadStrictly_data() {
    QTest::addColumn<QString>("defect");
    QTest::addColumn<QString>("error");
    QTest::newRow("missing tensor") << "missing"
                                    << "ln_f.bias: expected this tensor, got none (missing)";
    QTest::newRow("extra tensor")
        << "extra"
        << "lm_head.weight: expected only the model's tensors, got an extra tensor";
    QTest::newRow("mis-shaped tensor")
        << "shape"
        << "token_embedding.weight: expected shape [20, 8], got [21, 8]";
  }
  void modelWeightsLoadStrictly() {
    QFETCH(QString, defect);
    QFETCH(QString, error);
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString() + "/m.safetensors";
    torch::manual_seed(1);
    LanguageModel source(tinyModel());
    auto tensors = namedTensors(*source);
    if (defect == "missing") tensors.pop_back();
    if (defect == "extra") tensors.emplace_back("lm_head.weight", torch::zeros({20, 8}));
    if (defect == "shape") tensors[0].second = torch::zeros({21, 8});
    saveTensors(path, tensors);
    torch::manual_seed(2);
    LanguageModel target(tinyModel());
    const torch::Tensor before = target->ln_f->weight.clone();
    const torch::Tensor embedding_before = target->token_embedding->weight.clone();
    const QString got = inputErrorOf([&] { loadModuleWeights(*target, path); });
    QVERIFY2(got.endsWith(error), qPrintable(got));
    // Nothing was copied.
    QVERIFY(target->token_embedding->weight.equal(embedding_before));
    QVERIFY(target->ln_f->weight.equal(before));
  }

  void weightsRoundTripIntoAFreshModel() {
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString() + "/m.safetensors";
    torch::manual_seed(5);
    LanguageModel a(tinyModel());
    saveModuleWeights(*a, path);
    torch::manual_seed(6);
    LanguageModel b(tinyModel());
    loadModuleWeights(*b, path);
    const torch::Tensor ids = torch::randint(0, 20, {2, 8}, torch::kLong);
    a->eval();
    b->eval();
    QVERIFY(a->forward(ids).equal(b->forward(ids)));
  }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
