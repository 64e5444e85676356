// stdout/stderr helpers and `gwb --version`.
#include "app/cli/cli_common.h"

#include <cstdio>
#include <iostream>

#include "engine/runtime/torch_runtime.h"
#include "engine/util/build_info.h"

namespace gwb::cli {

namespace {
bool g_pretty = false;
}  // namespace

void setPrettyJson(bool on) { g_pretty = on; }

void printJson(const nlohmann::ordered_json& document) {
  std::cout << document.dump(g_pretty ? 2 : -1) << '\n' << std::flush;
}

void progress(const std::string& message) { std::cerr << "gwb: " << message << '\n' << std::flush; }

nlohmann::ordered_json versionJson() {
  const RuntimeInfo info = runtimeInfo();
  nlohmann::ordered_json out;
  out["version"] = projectVersion();
  out["git_commit"] = gitCommit();
  out["libtorch"] = info.libtorch_version;
  out["cuda"] = info.cuda;
  out["cuda_device"] = info.cuda ? nlohmann::ordered_json(info.cuda_device) : nullptr;
  return out;
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (const char c : text + ",") {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  return out;
}

}  // namespace gwb::cli
