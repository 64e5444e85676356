// Who a number comes from, and how every chart, table and export shows it: one colour and one
// label per source (the paper, each reproduction, ours, the majority-class baseline), so that a
// source looks the same in the Monitor, Compare, the Study page and every exported figure.
// Torch-free, Qt-free: colours are 0xRRGGBB.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gwb {

struct SourceStyle {
  std::string source;  ///< the key in reported_numbers.json ("paper", ...), "ours", "majority"
  std::string label;   ///< for people: "paper", "reference reproduction", "Arledge", ...
  std::uint32_t rgb = 0x606060;
};

/// The style of a source; an unknown source gets a neutral grey and its own name.
SourceStyle sourceStyle(const std::string& source);
/// Every known source, in the order legends list them.
const std::vector<SourceStyle>& sourceStyles();

}  // namespace gwb
