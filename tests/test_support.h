// Helpers shared by the Qt Test suites: where the golden files and built binaries are, writing
// scratch files (plain or gzip), and catching the InputError a bad input must raise.
#pragma once

#include <QString>
#include <functional>
#include <string>

namespace gwb::test {

/// tests/golden/<name> in the source tree.
std::string goldenPath(const std::string& name);
/// The folder holding the built gwb (and grassmann-workbench).
QString binDir();

/// Writes `content` to `path` (creating folders), gzip-compressed if `gzip`.
void writeFile(const std::string& path, const std::string& content, bool gzip = false);
/// The gzip encoding of `content` (one member).
std::string gzipBytes(const std::string& content);

/// Runs `f`; returns the message of the gwb::InputError it throws, or "" if it throws none
/// (any other exception propagates and fails the test).
QString inputErrorOf(const std::function<void()>& f);

}  // namespace gwb::test
