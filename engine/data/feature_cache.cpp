// Feature cache file layout (little-endian):
//   "GWBFEAT\0"  u32 format  u32 header_bytes  header (JSON: digest and key fields, created_at;
//   space-padded so that the rows start at a multiple of 64 bytes)  rows  u32 crc32(rows)
//   "GWBFEND\0"
// The file must end exactly after the end mark.
#include "engine/data/feature_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/util/durable.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/utc_time.h"

namespace fs = std::filesystem;

namespace gwb {
namespace {

constexpr char kMagic[8] = {'G', 'W', 'B', 'F', 'E', 'A', 'T', '\0'};
constexpr char kEnd[8] = {'G', 'W', 'B', 'F', 'E', 'N', 'D', '\0'};
constexpr std::size_t kAlign = 64;
constexpr std::size_t kTrailer = 4 + sizeof kEnd;
constexpr const char* kExtension = ".feat";

std::uint32_t crcUpdate(std::uint32_t crc, const void* data, std::size_t bytes) {
  const auto* p = static_cast<const Bytef*>(data);
  uLong c = crc;
  while (bytes > 0) {  // crc32 takes a uInt length
    const auto step = static_cast<uInt>(std::min<std::size_t>(bytes, 1u << 30));
    c = crc32(c, p, step);
    p += step;
    bytes -= step;
  }
  return static_cast<std::uint32_t>(c);
}

nlohmann::json keyJson(const FeatureCacheKey& k) {
  return {{"backbone_sha256", k.backbone_sha256},
          {"data_sha256", k.data_sha256},
          {"tokenizer", k.tokenizer},
          {"split", k.split},
          {"kind", k.kind},
          {"encoding", k.encoding},
          {"seq_len", k.seq_len},
          {"precision", k.precision},
          {"pairs", k.pairs},
          {"rows", k.rows},
          {"dim", k.dim}};
}

FeatureCacheKey keyFrom(const nlohmann::json& j) {
  FeatureCacheKey k;
  k.backbone_sha256 = j.at("backbone_sha256").get<std::string>();
  k.data_sha256 = j.at("data_sha256").get<std::string>();
  k.tokenizer = j.at("tokenizer").get<std::string>();
  k.split = j.at("split").get<std::string>();
  k.kind = j.at("kind").get<std::string>();
  k.encoding = j.at("encoding").get<std::string>();
  k.seq_len = j.at("seq_len").get<std::int64_t>();
  k.precision = j.at("precision").get<std::string>();
  k.pairs = j.at("pairs").get<std::int64_t>();
  k.rows = j.at("rows").get<std::int64_t>();
  k.dim = j.at("dim").get<std::int64_t>();
  return k;
}


template <typename T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // the project targets little-endian machines
  out.append(bytes, sizeof(T));
}

// The header of a file's first bytes: (header JSON, offset of the rows); throws a reason.
std::pair<nlohmann::json, std::size_t> parseHeader(const char* bytes, std::size_t size) {
  if (size < 16 || std::memcmp(bytes, kMagic, sizeof kMagic) != 0)
    throw std::runtime_error("is not a feature cache file");
  std::uint32_t format = 0, header_bytes = 0;
  std::memcpy(&format, bytes + 8, 4);
  std::memcpy(&header_bytes, bytes + 12, 4);
  if (format != kFeatureCacheFormat)
    throw std::runtime_error("has format " + std::to_string(format));
  if (size - 16 < header_bytes) throw std::runtime_error("is truncated in its header");
  try {
    return {nlohmann::json::parse(std::string(bytes + 16, header_bytes)), 16 + header_bytes};
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error("has a corrupt header");
  }
}

}  // namespace

std::string FeatureCacheKey::digest() const {
  return sha256Hex("gwb-feature-cache\n" + std::to_string(kFeatureCacheFormat) + "\n" +
                   keyJson(*this).dump());
}

std::string FeatureCacheKey::fileName() const {
  return "snli-" + split + "-" + kind + "-" + encoding + std::to_string(seq_len) + "-" + precision +
         "-" + digest().substr(0, 16) + kExtension;
}

FeatureCacheWriter::FeatureCacheWriter(const std::string& dir, const FeatureCacheKey& key)
    : key_(key) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  path_ = (fs::path(dir) / key.fileName()).string();
  std::string name = path_ + ".tmp-XXXXXX";
  fd_ = mkstemp(name.data());
  if (fd_ < 0) {
    throw InputError({dir}, expectedGot("a writable cache folder", std::strerror(errno)));
  }
  temp_ = name;
  nlohmann::json header = keyJson(key);
  header["digest"] = key.digest();
  header["created_at"] = utcNow();
  std::string text = header.dump();
  const std::size_t padded = (16 + text.size() + kAlign - 1) / kAlign * kAlign;
  text.append(padded - 16 - text.size(), ' ');
  std::string head(kMagic, sizeof kMagic);
  put<std::uint32_t>(head, kFeatureCacheFormat);
  put<std::uint32_t>(head, static_cast<std::uint32_t>(text.size()));
  head += text;
  writeAll(fd_, head, temp_);
  crc_ = static_cast<std::uint32_t>(crc32(0L, Z_NULL, 0));
}

FeatureCacheWriter::~FeatureCacheWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

void FeatureCacheWriter::append(const void* data, std::size_t bytes) {
  writeAll(fd_, std::string_view(static_cast<const char*>(data), bytes), temp_);
  crc_ = crcUpdate(crc_, data, bytes);
  written_ += static_cast<std::int64_t>(bytes);
}

void FeatureCacheWriter::commit() {
  if (written_ != key_.dataBytes()) {
    throw std::logic_error("feature cache " + path_ + ": " + std::to_string(written_) +
                           " bytes written where " + std::to_string(key_.dataBytes()) +
                           " were expected");
  }
  std::string tail;
  put<std::uint32_t>(tail, crc_);
  tail.append(kEnd, sizeof kEnd);
  writeAll(fd_, tail, temp_);
  if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
    fd_ = -1;
    throw InputError({temp_}, expectedGot("a durable write", std::strerror(errno)));
  }
  fd_ = -1;
  if (::rename(temp_.c_str(), path_.c_str()) != 0)
    throw InputError({path_}, expectedGot("a rename into place", std::strerror(errno)));
  temp_.clear();
  syncDirectory(fs::path(path_).parent_path().string());
}

std::shared_ptr<MappedFeatureCache> MappedFeatureCache::open(
    const std::string& dir, const FeatureCacheKey& key,
    const std::function<void(const std::string&)>& warn) {
  const std::string path = (fs::path(dir) / key.fileName()).string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;  // none yet
  struct stat st {};
  const bool sized = ::fstat(fd, &st) == 0 && st.st_size > 0;
  void* map =
      sized ? ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0)
            : MAP_FAILED;
  ::close(fd);
  std::shared_ptr<MappedFeatureCache> out(new MappedFeatureCache);
  out->path_ = path;
  if (map == MAP_FAILED) {
    if (warn) warn("feature cache " + path + " unreadable, rebuilding");
    return nullptr;
  }
  out->map_ = map;
  out->map_bytes_ = static_cast<std::size_t>(st.st_size);
  const char* bytes = static_cast<const char*>(map);
  try {
    const auto [header, offset] = parseHeader(bytes, out->map_bytes_);
    if (header.value("digest", std::string()) != key.digest())
      throw std::runtime_error("is stale (made from other inputs)");
    const auto data_bytes = static_cast<std::size_t>(key.dataBytes());
    if (out->map_bytes_ != offset + data_bytes + kTrailer) {
      throw std::runtime_error("has " + std::to_string(out->map_bytes_) + " bytes where " +
                               std::to_string(offset + data_bytes + kTrailer) + " were expected");
    }
    std::uint32_t crc = 0;
    std::memcpy(&crc, bytes + offset + data_bytes, 4);
    if (std::memcmp(bytes + offset + data_bytes + 4, kEnd, sizeof kEnd) != 0)
      throw std::runtime_error("has no end mark");
    const std::uint32_t zero = static_cast<std::uint32_t>(crc32(0L, Z_NULL, 0));
    if (crcUpdate(zero, bytes + offset, data_bytes) != crc)
      throw std::runtime_error("fails its CRC-32 check");
    out->data_ = bytes + offset;
    out->bytes_ = static_cast<std::int64_t>(data_bytes);
  } catch (const std::exception& e) {
    if (warn) warn("feature cache " + path + " " + e.what() + ", rebuilding");
    return nullptr;
  }
  return out;
}

MappedFeatureCache::~MappedFeatureCache() {
  if (map_) ::munmap(map_, map_bytes_);
}

std::vector<FeatureCacheInfo> listFeatureCaches(const std::string& dir) {
  std::vector<FeatureCacheInfo> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.size() <= std::strlen(kExtension) ||
        file.compare(file.size() - std::strlen(kExtension), std::string::npos, kExtension) != 0 ||
        !entry.is_regular_file(ec))
      continue;
    FeatureCacheInfo info;
    info.file = file;
    info.path = entry.path().string();
    info.bytes = static_cast<std::int64_t>(entry.file_size(ec));
    std::ifstream in(info.path, std::ios::binary);
    std::string head(16, '\0');
    in.read(head.data(), 16);
    std::uint32_t header_bytes = 0;
    if (in.gcount() == 16) std::memcpy(&header_bytes, head.data() + 12, 4);
    if (in && header_bytes > 0 && header_bytes < (1u << 20)) {
      head.resize(16 + header_bytes);
      in.read(head.data() + 16, header_bytes);
      try {
        const auto [header, offset] = parseHeader(head.data(), head.size());
        info.key = keyFrom(header);
        info.created_at = header.value("created_at", std::string());
        info.readable = true;
      } catch (const std::exception&) {
        info.readable = false;
      }
    }
    out.push_back(info);
  }
  std::sort(out.begin(), out.end(),
            [](const FeatureCacheInfo& a, const FeatureCacheInfo& b) { return a.file < b.file; });
  return out;
}

std::vector<std::string> removeFeatureCaches(const std::string& dir,
                                             const std::vector<std::string>& names) {
  const std::vector<FeatureCacheInfo> caches = listFeatureCaches(dir);
  const bool all = std::find(names.begin(), names.end(), "all") != names.end();
  std::vector<std::string> chosen;
  for (const std::string& name : names) {
    if (name == "all") continue;
    const auto it = std::find_if(caches.begin(), caches.end(),
                                 [&](const FeatureCacheInfo& c) { return c.file == name; });
    if (it == caches.end()) {
      throw InputError({dir, 0, "--remove-feature-cache"},
                       expectedGot("the file name of a feature cache (gwb data stats "
                                   "--feature-caches lists them) or all",
                                   quoteForMessage(name)));
    }
    chosen.push_back(it->path);
  }
  if (all) {
    chosen.clear();
    for (const FeatureCacheInfo& c : caches) chosen.push_back(c.path);
  }
  std::vector<std::string> removed;
  for (const std::string& path : chosen) {
    std::error_code ec;
    if (fs::remove(path, ec)) removed.push_back(path);
  }
  return removed;
}

}  // namespace gwb
