// The one error type for bad user input: files, data, vocabularies, configurations, arguments.
// Its message has the shape CONTRACTS.md fixes, `FILE[:LINE][: KEY]: expected ..., got ...`, so
// every front end (gwb, the GUI) can show it as is; gwb maps it to exit code 2.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace gwb {

/// Where in the input an error is: a file (or other source name), a 1-based line, a key.
/// Empty / zero members are left out of the message.
struct InputLocation {
  InputLocation(std::string file_ = {}, long line_ = 0, std::string key_ = {})  // NOLINT: implicit
      : file(std::move(file_)), line(line_), key(std::move(key_)) {}
  std::string file;
  long line = 0;
  std::string key;
};

/// Bad input. `what()` is the full message, `FILE[:LINE][: KEY]: DETAIL`.
class InputError : public std::runtime_error {
 public:
  /// DETAIL should read "expected ..., got ..." wherever that applies.
  InputError(InputLocation where, const std::string& detail);

  const InputLocation& where() const { return where_; }
  const std::string& detail() const { return detail_; }

 private:
  InputLocation where_;
  std::string detail_;
};

/// "expected E, got G": the detail text of most InputErrors.
std::string expectedGot(const std::string& expected, const std::string& got);

/// "1 value", "3 values": a count and its noun for messages (the plural `noun` + "s" unless
/// given).
std::string countOf(long long n, const std::string& noun, const std::string& plural = {});

/// Quotes a piece of user text for an error message, escaping control bytes and cutting it at
/// `max_chars` bytes so that a huge line never floods a terminal.
std::string quoteForMessage(const std::string& text, std::size_t max_chars = 60);

}  // namespace gwb
