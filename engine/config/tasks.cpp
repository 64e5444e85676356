// Task and class names.
#include "engine/config/tasks.h"

#include "engine/util/error.h"

namespace gwb {

std::string canonicalTaskOrEmpty(const std::string& task) {
  if (task == "wikitext2" || task == "wikitext") return "wikitext2";
  if (task == "snli") return "snli";
  return "";
}

std::string canonicalTask(const std::string& task, const std::string& what) {
  const std::string canonical = canonicalTaskOrEmpty(task);
  if (canonical.empty())
    throw InputError({"", 0, what}, expectedGot("wikitext2 or snli", "\"" + task + "\""));
  return canonical;
}

const char* snliClassName(int k) {
  static constexpr const char* kNames[kSnliClasses] = {"entailment", "neutral", "contradiction"};
  return k >= 0 && k < kSnliClasses ? kNames[k] : "?";
}

const char* snliClassLetter(int k) {
  static constexpr const char* kLetters[kSnliClasses] = {"E", "N", "C"};
  return k >= 0 && k < kSnliClasses ? kLetters[k] : "?";
}

}  // namespace gwb
