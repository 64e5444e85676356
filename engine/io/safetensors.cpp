// The safetensors format, read strictly and written canonically.
#include "engine/io/safetensors.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace gwb {
namespace {

struct DtypeInfo {
  StDtype dtype;
  const char* name;
  std::size_t size;
};
constexpr DtypeInfo kDtypes[] = {{StDtype::F64, "F64", 8}, {StDtype::F32, "F32", 4},
                                 {StDtype::F16, "F16", 2}, {StDtype::BF16, "BF16", 2},
                                 {StDtype::I64, "I64", 8}, {StDtype::I32, "I32", 4},
                                 {StDtype::I16, "I16", 2}, {StDtype::I8, "I8", 1},
                                 {StDtype::U8, "U8", 1},   {StDtype::BOOL, "BOOL", 1}};
// A header larger than this is not a weights file (the official reader caps it at 100 MB too).
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;
// Tensor sizes beyond this are refused before any arithmetic on them.
constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 62;

const DtypeInfo& info(StDtype dtype) {
  for (const DtypeInfo& i : kDtypes) {
    if (i.dtype == dtype) return i;
  }
  return kDtypes[1];
}

}  // namespace

const char* stDtypeName(StDtype dtype) { return info(dtype).name; }
std::size_t stDtypeSize(StDtype dtype) { return info(dtype).size; }
bool parseStDtype(const std::string& name, StDtype& out) {
  for (const DtypeInfo& i : kDtypes) {
    if (name == i.name) {
      out = i.dtype;
      return true;
    }
  }
  return false;
}

std::int64_t StTensor::numel() const {
  std::int64_t n = 1;
  for (std::int64_t s : shape) n *= s;
  return n;
}

namespace {

// The 8-byte length of the header of a file of `file_size` bytes whose first bytes are `prefix`.
std::uint64_t headerLength(std::string_view prefix, std::uint64_t file_size,
                           const std::string& source) {
  if (file_size < 8 || prefix.size() < 8) {
    throw InputError({source}, expectedGot("a safetensors file (8-byte header length)",
                                           std::to_string(file_size) + " bytes"));
  }
  std::uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i)
    header_len = (header_len << 8) | static_cast<unsigned char>(prefix[i]);
  if (header_len > kMaxHeaderBytes || header_len > file_size - 8) {
    throw InputError({source},
                     expectedGot("a header of at most " + std::to_string(file_size - 8) + " bytes",
                                 "a header length of " + std::to_string(header_len) +
                                     " (file cut short or not safetensors)"));
  }
  return header_len;
}

// Validates the header text against `data_size` bytes of tensor data: every entry's dtype,
// shape and offsets, then no holes or overlaps. Fills `metadata` when given.
SafetensorsHeader parseHeader(std::string_view text, std::uint64_t data_size,
                              const std::string& source) {
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // also a number that overflows
    throw InputError({source, 0, "header"}, expectedGot("a JSON object", e.what()));
  }
  if (!header.is_object())
    throw InputError({source, 0, "header"}, expectedGot("a JSON object", header.type_name()));
  SafetensorsHeader out;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object())
        throw InputError({source, 0, name}, expectedGot("an object of strings", entry.type_name()));
      for (const auto& [k, v] : entry.items()) {
        if (!v.is_string())
          throw InputError({source, 0, "__metadata__." + k},
                           expectedGot("a string", v.type_name()));
        out.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    const std::string tensor_name = name;  // (a structured binding cannot be captured)
    const auto bad = [&](const std::string& expected, const std::string& got) {
      throw InputError({source, 0, tensor_name}, expectedGot(expected, got));
    };
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
        !entry.contains("data_offsets")) {
      bad("{dtype, shape, data_offsets}", entry.dump().substr(0, 80));
    }
    StTensorInfo tensor;
    if (!entry["dtype"].is_string() ||
        !parseStDtype(entry["dtype"].get<std::string>(), tensor.dtype)) {
      bad("a dtype (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)", entry["dtype"].dump());
    }
    if (!entry["shape"].is_array()) bad("a shape array", entry["shape"].dump());
    // Sizes are checked before any arithmetic on them: each dimension and their product at most
    // 2^62 elements, so numel() x dtype size cannot overflow.
    std::uint64_t elements = 1;
    for (const auto& s : entry["shape"]) {
      if (!s.is_number_unsigned()) bad("non-negative integer dimensions", entry["shape"].dump());
      const std::uint64_t dim = s.get<std::uint64_t>();
      if (dim > kMaxElements || (dim > 0 && elements > kMaxElements / dim))
        bad("a shape of at most 2^62 elements", entry["shape"].dump().substr(0, 80));
      elements *= dim;
      tensor.shape.push_back(static_cast<std::int64_t>(dim));
    }
    const auto& offsets = entry["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned()) {
      bad("data_offsets [begin, end]", offsets.dump());
    }
    tensor.begin = offsets[0].get<std::uint64_t>();
    tensor.end = offsets[1].get<std::uint64_t>();
    if (tensor.begin > tensor.end || tensor.end > data_size) {
      bad("offsets within the " + std::to_string(data_size) + " data bytes",
          "[" + std::to_string(tensor.begin) + ", " + std::to_string(tensor.end) +
              "] (file cut short?)");
    }
    const std::uint64_t expected = elements * stDtypeSize(tensor.dtype);
    if (tensor.end - tensor.begin != expected) {
      bad(std::to_string(expected) + " bytes for its shape and dtype",
          std::to_string(tensor.end - tensor.begin));
    }
    ranges.emplace_back(tensor.begin, tensor.end);
    out.tensors.emplace(name, std::move(tensor));
  }
  std::sort(ranges.begin(), ranges.end());
  std::uint64_t covered = 0;
  for (const auto& [begin, end] : ranges) {
    if (begin != covered) {
      throw InputError(
          {source},
          expectedGot("tensor data without holes or overlaps",
                      begin < covered ? "overlapping offsets at byte " + std::to_string(begin)
                                      : "a hole at byte " + std::to_string(covered)));
    }
    covered = end;
  }
  if (covered != data_size) {
    throw InputError({source}, expectedGot(std::to_string(covered) + " data bytes",
                                           std::to_string(data_size) + " (trailing bytes)"));
  }
  return out;
}

}  // namespace

SafetensorsData parseSafetensors(const std::string& bytes, const std::string& source) {
  const std::uint64_t header_len = headerLength(bytes, bytes.size(), source);
  const std::size_t data_begin = 8 + header_len;
  const SafetensorsHeader header =
      parseHeader(std::string_view(bytes).substr(8, header_len), bytes.size() - data_begin, source);
  SafetensorsData out;
  out.metadata = header.metadata;
  for (const auto& [name, info] : header.tensors) {
    StTensor tensor;
    tensor.dtype = info.dtype;
    tensor.shape = info.shape;
    tensor.bytes = bytes.substr(data_begin + info.begin, info.end - info.begin);
    out.tensors.emplace(name, std::move(tensor));
  }
  return out;
}

SafetensorsHeader readSafetensorsHeader(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError({path}, expectedGot("a file", "a directory"));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({path}, expectedGot("a readable file", std::strerror(errno)));
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(std::max<std::streamoff>(0, in.tellg()));
  in.seekg(0, std::ios::beg);
  std::string prefix(8, '\0');
  in.read(prefix.data(), 8);
  prefix.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  const std::uint64_t header_len = headerLength(prefix, size, path);
  std::string text(header_len, '\0');
  in.read(text.data(), static_cast<std::streamsize>(header_len));
  if (static_cast<std::uint64_t>(in.gcount()) != header_len)
    throw InputError({path}, expectedGot("a readable header", "a read error"));
  SafetensorsHeader header = parseHeader(text, size - 8 - header_len, path);
  header.data_begin = 8 + header_len;
  return header;
}

SafetensorsData readSafetensors(const std::string& path) {
  return parseSafetensors(readFileBytes(path), path);
}

std::string serializeSafetensors(const SafetensorsData& data) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!data.metadata.empty()) header["__metadata__"] = data.metadata;
  std::size_t offset = 0;
  for (const auto& [name, tensor] : data.tensors) {  // std::map: name order
    const std::size_t size = tensor.bytes.size();
    header[name] = {{"dtype", stDtypeName(tensor.dtype)},
                    {"shape", tensor.shape},
                    {"data_offsets", {offset, offset + size}}};
    offset += size;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out;
  out.reserve(8 + text.size() + offset);
  for (int i = 0; i < 8; ++i)
    out += static_cast<char>((static_cast<std::uint64_t>(text.size()) >> (8 * i)) & 0xff);
  out += text;
  for (const auto& [name, tensor] : data.tensors) out += tensor.bytes;
  return out;
}

void writeSafetensors(const std::string& path, const SafetensorsData& data) {
  writeFileAtomic(path, serializeSafetensors(data));
}

}  // namespace gwb
