// The tasks' names, in one place (CONTRACTS.md): "wikitext2" (alias "wikitext") and "snli", and
// SNLI's three classes in label order. Torch-free, Qt-free.
#pragma once

#include <string>

namespace gwb {

/// "wikitext2" for "wikitext2" / "wikitext", "snli" for "snli"; InputError (key `what`) otherwise.
std::string canonicalTask(const std::string& task, const std::string& what = "data.task");
/// canonicalTask without the error: "" for a name that is neither task.
std::string canonicalTaskOrEmpty(const std::string& task);

/// SNLI's classes (SPEC §7.1): 0 entailment, 1 neutral, 2 contradiction.
constexpr int kSnliClasses = 3;
/// "entailment", "neutral", "contradiction" for 0, 1, 2; "?" otherwise.
const char* snliClassName(int k);
/// "E", "N", "C" for 0, 1, 2; "?" otherwise.
const char* snliClassLetter(int k);

}  // namespace gwb
