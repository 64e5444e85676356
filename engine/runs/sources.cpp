// The one table of sources.
#include "engine/runs/sources.h"

namespace gwb {

const std::vector<SourceStyle>& sourceStyles() {
  static const std::vector<SourceStyle> styles = {
      {"ours", "ours", 0x4e79a7},
      {"paper", "paper", 0xb03030},
      {"reproduction", "reference reproduction", 0x3050a0},
      {"arledge", "Arledge", 0x8c6d31},
      {"kanenorman", "kanenorman", 0x2e8b57},
      {"youdie006", "youdie006", 0x9c27b0},
      {"grasslm", "GrassLM", 0xd2691e},
      {"majority", "majority class", 0x808080},
  };
  return styles;
}

SourceStyle sourceStyle(const std::string& source) {
  for (const SourceStyle& s : sourceStyles()) {
    if (s.source == source) return s;
  }
  return {source, source, 0x606060};
}

}  // namespace gwb
