// Our own small safetensors reader and writer (huggingface/safetensors format): 8 bytes little-
// endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]},
// "__metadata__": {string: string}}, then the data. Reading validates everything before anything
// is used: header bounds, JSON, dtype names, shapes, offsets inside the data, sizes equal to
// numel x dtype size, no overlaps and no holes. Torch-free; engine/io/tensor_io.h converts.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gwb {

enum class StDtype { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

/// "F32" etc. and back; parseStDtype returns false for an unknown name.
const char* stDtypeName(StDtype dtype);
bool parseStDtype(const std::string& name, StDtype& out);
std::size_t stDtypeSize(StDtype dtype);

/// One tensor of a file: its type, shape and bytes (little-endian, row-major).
struct StTensor {
  StDtype dtype = StDtype::F32;
  std::vector<std::int64_t> shape;
  std::string bytes;

  std::int64_t numel() const;
};

struct SafetensorsData {
  std::map<std::string, StTensor> tensors;
  std::map<std::string, std::string> metadata;
};

/// A tensor's entry in the header: type, shape and byte range within the data.
struct StTensorInfo {
  StDtype dtype = StDtype::F32;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0, end = 0;  ///< data_offsets, relative to the data's first byte
};

/// The header of a file: what readSafetensors validates, without reading the tensors' data.
struct SafetensorsHeader {
  std::map<std::string, StTensorInfo> tensors;
  std::map<std::string, std::string> metadata;
  std::uint64_t data_begin = 0;  ///< file offset of the data (8 + header length)
};

/// Reads and validates the header of `path` only (names, dtypes, shapes, offsets against the
/// file's size, no holes or overlaps): cheap on a file of hundreds of MB.
SafetensorsHeader readSafetensorsHeader(const std::string& path);

/// Reads and validates `path`. Any defect is an InputError naming the file and the tensor.
SafetensorsData readSafetensors(const std::string& path);
/// Parses bytes already in memory (`source` names them in errors).
SafetensorsData parseSafetensors(const std::string& bytes, const std::string& source);

/// Serialises tensors in name order, header padded with spaces to a multiple of 8 bytes.
std::string serializeSafetensors(const SafetensorsData& data);
/// Writes atomically (temporary file + rename).
void writeSafetensors(const std::string& path, const SafetensorsData& data);

}  // namespace gwb
