// Implementation of test_support.h. Paths come from compile definitions set in CMakeLists.txt.
#include "test_support.h"

#include <zlib.h>

#include <QFile>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "engine/config/presets.h"
#include "engine/util/error.h"

namespace gwb::test {

RunConfig tinyRunConfig(const std::string& name) {
  RunConfig c = loadConfigArgument("cpu-small-grassmann", {});
  c.name = name;
  c.model.d_model = 32;
  c.model.n_layers = 1;
  c.model.d_ff = 64;
  c.model.r = 8;
  c.model.windows = {1, 2, 4};
  c.data.tokenizer = "bert";
  c.data.seq_len = 32;
  c.data.max_train_tokens = 32 * 64;
  c.data.max_eval_tokens = 31 * 8;
  c.train.batch_size = 8;
  c.train.epochs = 1;
  c.train.max_steps = 0;
  c.train.warmup_steps = 3;
  c.train.eval_every = 4;
  c.train.probe_every = 0;
  c.train.checkpoint_every = 0;
  c.train.threads = 2;
  return c;
}

std::string goldenPath(const std::string& name) {
  return std::string(GWB_TEST_GOLDEN_DIR) + "/" + name;
}

QString binDir() { return QString::fromUtf8(GWB_TEST_BIN_DIR); }

std::string gzipBytes(const std::string& content) {
  z_stream zs{};
  if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, content.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data()));
  zs.avail_in = static_cast<uInt>(content.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  out.resize(zs.total_out);
  return out;
}

void writeFile(const std::string& path, const std::string& content, bool gzip) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::string bytes = gzip ? gzipBytes(content) : content;
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

ProcessResult runGwb(const QStringList& args, const QString& cache_dir,
                     const QByteArray& stdin_data, int timeout_ms) {
  QProcess process;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("GWB_CACHE_DIR", cache_dir);
  process.setProcessEnvironment(env);
  process.start(binDir() + "/gwb", args);
  if (!stdin_data.isEmpty()) process.write(stdin_data);
  process.closeWriteChannel();
  if (!process.waitForFinished(timeout_ms)) {
    process.kill();
    process.waitForFinished();
    return {-1, process.readAllStandardOutput(), process.readAllStandardError()};
  }
  return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
          process.readAllStandardOutput(), process.readAllStandardError()};
}

QMap<QString, QString> testClusterFacts() {
  QMap<QString, QString> facts;
  QFile f(qEnvironmentVariable("GWB_TEST_SLURM_DIR") + "/ready");
  if (!f.open(QIODevice::ReadOnly)) return facts;
  for (const QByteArray& line : f.readAll().split('\n')) {
    const int eq = line.indexOf('=');
    if (eq > 0) facts[QString::fromUtf8(line.left(eq))] = QString::fromUtf8(line.mid(eq + 1));
  }
  return facts;
}

QString testClusterMissing() {
  const QString dir = qEnvironmentVariable("GWB_TEST_SLURM_DIR");
  QFile f(dir + "/unavailable");
  const QString why = f.open(QIODevice::ReadOnly)
                          ? QString::fromUtf8(f.readAll().trimmed())
                          : QString("the fixture slurm_cluster_start did not run");
  return "no test cluster in " + (dir.isEmpty() ? QString("$GWB_TEST_SLURM_DIR (unset)") : dir) +
         ": " + why;
}

QString inputErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const gwb::InputError& e) {
    return QString::fromUtf8(e.what());
  }
  return {};
}

}  // namespace gwb::test
