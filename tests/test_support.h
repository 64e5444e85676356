// Helpers shared by the Qt Test suites: where the golden files and built binaries are, writing
// scratch files (plain or gzip), and catching the InputError a bad input must raise.
#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QMap>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <functional>
#include <string>

#include "engine/config/run_config.h"

namespace gwb::test {

/// A run that trains in about a second on a CPU: cpu-small-grassmann shrunk to d=32, one layer,
/// r=8, offsets {1, 2, 4}, BERT tokens, L=32, 8 steps of 8 chunks per epoch, validation every 4
/// steps on 8 chunks, dropout on (so resuming must restore the random generator).
RunConfig tinyRunConfig(const std::string& name);

/// tests/golden/<name> in the source tree.
std::string goldenPath(const std::string& name);
/// The folder holding the built gwb (and grassmann-workbench).
QString binDir();

/// Writes `content` to `path` (creating folders), gzip-compressed if `gzip`.
void writeFile(const std::string& path, const std::string& content, bool gzip = false);
/// The gzip encoding of `content` (one member).
std::string gzipBytes(const std::string& content);

/// What a run of a built program gave back.
struct ProcessResult {
  int exit_code = -1;  ///< -1 if it crashed or timed out
  QByteArray out, err;
  QJsonDocument json() const { return QJsonDocument::fromJson(out); }
};
/// Runs bin/gwb with `args` (GWB_CACHE_DIR set to `cache_dir`), feeding `stdin_data`.
ProcessResult runGwb(const QStringList& args, const QString& cache_dir,
                     const QByteArray& stdin_data = {}, int timeout_ms = 300000);

/// What the ctest fixture `slurm` (tests/cluster/slurm_cluster.sh) wrote to
/// $GWB_TEST_SLURM_DIR/ready: SLURM_CONF, SLURM_CONF_DOWN (a controller that is down), STARTUP_S;
/// empty if no test cluster is up.
QMap<QString, QString> testClusterFacts();
/// Why there is no test cluster (for the skip message), from the fixture's notes.
QString testClusterMissing();

/// Runs `f`; returns the message of the gwb::InputError it throws, or "" if it throws none
/// (any other exception propagates and fails the test).
QString inputErrorOf(const std::function<void()>& f);

}  // namespace gwb::test
