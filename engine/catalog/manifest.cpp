// MANIFEST.json and the verification stamp as JSON, and the stat()-only checks behind them.
#include "engine/catalog/manifest.h"

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include "engine/catalog/catalog.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/utc_time.h"

namespace fs = std::filesystem;

namespace gwb {
namespace {

using Json = nlohmann::ordered_json;

struct FileState {
  bool exists = false;
  std::int64_t bytes = 0;
  std::int64_t mtime_ns = 0;
};

FileState stateOf(const std::string& path) {
  struct stat st {};
  FileState s;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return s;
  s.exists = true;
  s.bytes = static_cast<std::int64_t>(st.st_size);
  s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return s;
}

std::string join(const std::string& dir, const std::string& relative) {
  return (fs::path(dir) / relative).string();
}

std::string getString(const Json& j, const char* key, const std::string& path,
                      const std::string& prefix, bool required = true) {
  if (!j.contains(key)) {
    if (!required) return {};
    throw InputError({path, 0, prefix + key}, expectedGot("a string", "none"));
  }
  if (!j[key].is_string())
    throw InputError({path, 0, prefix + key}, expectedGot("a string", j[key].dump()));
  return j[key].get<std::string>();
}

}  // namespace

std::int64_t Manifest::totalBytes() const {
  std::int64_t total = 0;
  for (const ManifestFile& f : files) total += f.bytes;
  return total;
}

std::string manifestToJson(const Manifest& m) {
  Json out;
  out["name"] = m.name;
  out["installed_at"] = m.installed_at;
  if (!m.description.empty()) out["description"] = m.description;
  if (!m.licence.empty()) out["licence"] = m.licence;
  if (!m.installed_by.empty()) out["installed_by"] = m.installed_by;
  out["files"] = Json::array();
  for (const ManifestFile& f : m.files) {
    Json file;
    file["to"] = f.to;
    file["bytes"] = f.bytes;
    file["sha256"] = f.sha256;
    file["url"] = f.url;
    if (!f.member.empty()) file["member"] = f.member;
    file["source_sha256"] = f.source_sha256;
    out["files"].push_back(file);
  }
  return out.dump();
}

Manifest parseManifest(const std::string& text, const std::string& path) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {  // also a number that overflows
    throw InputError(
        {path}, expectedGot("a JSON manifest", std::string("invalid JSON (") + e.what() + ")"));
  }
  if (!j.is_object())
    throw InputError({path}, expectedGot("a JSON object", j.dump().substr(0, 40)));
  Manifest m;
  m.name = getString(j, "name", path, "");
  m.installed_at = getString(j, "installed_at", path, "");
  m.description = getString(j, "description", path, "", false);
  m.licence = getString(j, "licence", path, "", false);
  m.installed_by = getString(j, "installed_by", path, "", false);
  if (!j.contains("files") || !j["files"].is_array()) {
    throw InputError({path, 0, "files"},
                     expectedGot("an array", j.contains("files") ? j["files"].dump() : "none"));
  }
  for (std::size_t i = 0; i < j["files"].size(); ++i) {
    const Json& f = j["files"][i];
    const std::string prefix = "files[" + std::to_string(i) + "].";
    if (!f.is_object())
      throw InputError({path, 0, "files[" + std::to_string(i) + "]"},
                       expectedGot("an object", f.dump()));
    ManifestFile file;
    file.to = getString(f, "to", path, prefix);
    if (!isSafeRelativePath(file.to)) {
      throw InputError({path, 0, prefix + "to"},
                       expectedGot("a path inside the item's folder", quoteForMessage(file.to)));
    }
    if (!f.contains("bytes") || !f["bytes"].is_number_integer() ||
        f["bytes"].get<std::int64_t>() < 0) {
      throw InputError(
          {path, 0, prefix + "bytes"},
          expectedGot("an integer >= 0", f.contains("bytes") ? f["bytes"].dump() : "none"));
    }
    file.bytes = f["bytes"].get<std::int64_t>();
    file.sha256 = getString(f, "sha256", path, prefix);
    file.url = getString(f, "url", path, prefix);
    file.member = getString(f, "member", path, prefix, false);
    file.source_sha256 = getString(f, "source_sha256", path, prefix, false);
    m.files.push_back(file);
  }
  return m;
}

Manifest readManifest(const std::string& path) { return parseManifest(readFileBytes(path), path); }

void writeManifest(const std::string& path, const Manifest& manifest) {
  writeFileAtomic(path, manifestToJson(manifest) + "\n");
}

std::vector<std::string> sizeProblems(const std::string& dir, const Manifest& manifest) {
  std::vector<std::string> problems;
  for (const ManifestFile& f : manifest.files) {
    const FileState s = stateOf(join(dir, f.to));
    if (!s.exists) {
      problems.push_back(f.to + ": missing");
    } else if (s.bytes != f.bytes) {
      problems.push_back(f.to + ": " + std::to_string(s.bytes) + " bytes, " + kManifestFile +
                         " says " + std::to_string(f.bytes));
    }
  }
  return problems;
}

bool writeVerifiedStamp(const std::string& dir, const Manifest& manifest,
                        const std::vector<std::string>& problems) {
  Json stamp;
  stamp["verified_at"] = utcTimestamp();
  stamp["manifest_sha256"] = sha256Hex(manifestToJson(manifest));
  stamp["ok"] = problems.empty();
  stamp["problems"] = problems;
  stamp["files"] = Json::array();
  for (const ManifestFile& f : manifest.files) {
    const FileState s = stateOf(join(dir, f.to));
    stamp["files"].push_back({{"to", f.to}, {"bytes", s.bytes}, {"mtime_ns", s.mtime_ns}});
  }
  try {
    writeFileAtomic(join(dir, kVerifiedStamp), stamp.dump() + "\n");
  } catch (const InputError&) {
    return false;
  }
  return true;
}

std::vector<std::string> changedSinceVerified(const std::string& dir, const Manifest& manifest,
                                              bool* present) {
  *present = false;
  Json stamp;
  try {
    stamp = Json::parse(readFileBytes(join(dir, kVerifiedStamp)));
    if (stamp.at("manifest_sha256").get<std::string>() != sha256Hex(manifestToJson(manifest))) {
      return {};  // the stamp is of another installation: as good as none
    }
    if (!stamp.value("ok", false)) {
      *present = true;
      std::vector<std::string> problems;
      for (const Json& p : stamp.value("problems", Json::array())) {
        if (p.is_string()) problems.push_back("gwb data verify found " + p.get<std::string>());
      }
      if (problems.empty()) problems.push_back("gwb data verify found problems");
      return problems;
    }
  } catch (const std::exception&) {
    return {};
  }
  std::vector<std::string> changed;
  for (const ManifestFile& f : manifest.files) {
    const FileState s = stateOf(join(dir, f.to));
    bool listed = false;
    for (const Json& entry : stamp["files"]) {
      if (!entry.is_object() || entry.value("to", "") != f.to) continue;
      listed = true;
      if (!s.exists || entry.value("bytes", std::int64_t(-1)) != s.bytes ||
          entry.value("mtime_ns", std::int64_t(-1)) != s.mtime_ns) {
        changed.push_back(f.to + ": changed since it was verified");
      }
    }
    if (!listed) return {};
  }
  *present = true;
  return changed;
}

std::string utcTimestamp() { return utcNow(kIsoUtc); }

}  // namespace gwb
