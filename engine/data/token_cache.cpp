// Cache file layout (little-endian):
//   "GWBTOKC\0"  u32 format  u32 header_bytes  header (JSON: key digest, name, inputs, stats)
//   u64 count  u32 crc32(ids)  int32 ids[count]
// The file must end exactly after the ids.
#include "engine/data/token_cache.h"

#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb {
namespace {

constexpr char kMagic[8] = {'G', 'W', 'B', 'T', 'O', 'K', 'C', '\0'};
static_assert(sizeof(std::int32_t) == 4, "ids are stored as 32-bit integers");

template <typename T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // the project targets little-endian machines
  out.append(bytes, sizeof(T));
}

template <typename T>
bool take(const std::string& in, std::size_t& pos, T& value) {
  if (in.size() - pos < sizeof(T)) return false;
  std::memcpy(&value, in.data() + pos, sizeof(T));
  pos += sizeof(T);
  return true;
}

std::uint32_t crcOf(const std::vector<std::int32_t>& ids) {
  uLong crc = crc32(0L, Z_NULL, 0);
  const auto* bytes = reinterpret_cast<const Bytef*>(ids.data());
  std::size_t left = ids.size() * sizeof(std::int32_t);
  while (left > 0) {  // crc32 takes a uInt length
    const auto step = static_cast<uInt>(std::min<std::size_t>(left, 1u << 30));
    crc = crc32(crc, bytes, step);
    bytes += step;
    left -= step;
  }
  return static_cast<std::uint32_t>(crc);
}

}  // namespace

TokenCache::TokenCache(std::string dir) : dir_(std::move(dir)) {}

TokenCache TokenCache::standard() { return TokenCache(cacheDir()); }

std::string TokenCache::Key::digest() const {
  std::string text = "gwb-token-cache\n" + std::to_string(kTokenCacheFormat) + "\n" + name + "\n";
  for (const std::string& input : inputs) text += input + "\n";
  return sha256Hex(text);
}

std::string TokenCache::pathFor(const Key& key) const {
  return (fs::path(dir_) / (key.name + "-" + key.digest().substr(0, 16) + ".tok")).string();
}

std::optional<TokenCache::Entry> TokenCache::load(const Key& key) const {
  if (dir_.empty()) return std::nullopt;
  const std::string path = pathFor(key);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::string bytes;
  try {
    bytes = readFileBytes(path);
  } catch (const InputError& e) {
    if (warn_) warn_(std::string("token cache unreadable, rebuilding: ") + e.what());
    return std::nullopt;
  }
  const auto reject = [&](const std::string& why) -> std::optional<Entry> {
    if (warn_) warn_("token cache " + path + " " + why + ", rebuilding");
    return std::nullopt;
  };
  std::size_t pos = 0;
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return reject("is not a cache file");
  }
  pos = sizeof kMagic;
  std::uint32_t format = 0, header_bytes = 0;
  if (!take(bytes, pos, format) || format != kTokenCacheFormat) {
    return reject("has format " + std::to_string(format));
  }
  if (!take(bytes, pos, header_bytes) || bytes.size() - pos < header_bytes) {
    return reject("is truncated in its header");
  }
  Entry entry;
  try {
    const auto header = nlohmann::json::parse(bytes.substr(pos, header_bytes));
    pos += header_bytes;
    if (header.at("digest").get<std::string>() != key.digest()) {
      return reject("is stale (made from other inputs)");
    }
    for (const auto& [name, value] : header.at("stats").items()) {
      if (!value.is_number_integer()) return reject("has a damaged header");
      entry.stats[name] = value.get<std::int64_t>();
    }
  } catch (const nlohmann::json::exception&) {
    return reject("has a corrupt header");
  }
  std::uint64_t count = 0;
  std::uint32_t crc = 0;
  if (!take(bytes, pos, count) || !take(bytes, pos, crc)) return reject("is truncated");
  if (bytes.size() - pos != count * sizeof(std::int32_t)) {
    return reject("has " + std::to_string(bytes.size() - pos) + " bytes of ids where " +
                  std::to_string(count * sizeof(std::int32_t)) + " were expected");
  }
  entry.ids.resize(count);
  if (count) std::memcpy(entry.ids.data(), bytes.data() + pos, count * sizeof(std::int32_t));
  if (crcOf(entry.ids) != crc) return reject("fails its CRC-32 check");
  return entry;
}

void TokenCache::store(const Key& key, const Entry& entry) const {
  if (dir_.empty()) return;
  nlohmann::json header = {
      {"digest", key.digest()}, {"name", key.name}, {"inputs", key.inputs}, {"stats", entry.stats}};
  const std::string header_text = header.dump();
  std::string out;
  out.reserve(64 + header_text.size() + entry.ids.size() * sizeof(std::int32_t));
  out.append(kMagic, sizeof kMagic);
  put<std::uint32_t>(out, kTokenCacheFormat);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(header_text.size()));
  out += header_text;
  put<std::uint64_t>(out, entry.ids.size());
  put<std::uint32_t>(out, crcOf(entry.ids));
  out.append(reinterpret_cast<const char*>(entry.ids.data()),
             entry.ids.size() * sizeof(std::int32_t));
  try {
    writeFileAtomic(pathFor(key), out);
  } catch (const InputError& e) {
    if (warn_) warn_(std::string("token cache not written: ") + e.what());
  }
}

}  // namespace gwb
