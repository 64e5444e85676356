// Shared pieces of the gwb subcommands: the action a parsed command runs, JSON on stdout, progress
// on stderr. Every command follows CONTRACTS.md: stdout carries only JSON, errors are InputErrors
// (exit 2) or failures (exit 1).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gwb::cli {

/// What a subcommand does once its arguments are parsed; returns the process exit code.
using Action = std::function<int()>;

/// Exit codes of CONTRACTS.md.
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitStopped = 130;

/// "a,b, c" -> {"a", "b", "c"} (spaces dropped, empty items skipped): list options.
std::vector<std::string> splitList(const std::string& text);
/// `gwb --pretty`: JSON documents indented over several lines (for people); one line otherwise.
void setPrettyJson(bool on);
/// Writes one JSON document and a newline to stdout, flushed.
void printJson(const nlohmann::ordered_json& document);
/// Writes "gwb: MESSAGE" and a newline to stderr (progress for people).
void progress(const std::string& message);

/// Subcommand registration: each adds its subcommand to `app` and sets `action` when chosen.
void addTokenizeCommand(CLI::App& app, Action& action);
void addDataCommand(CLI::App& app, Action& action);
void addTrainCommand(CLI::App& app, Action& action);
void addEvalCommand(CLI::App& app, Action& action);
void addEmbedCommand(CLI::App& app, Action& action);
void addSpeedrunCommand(CLI::App& app, Action& action);
void addBenchCommand(CLI::App& app, Action& action);
void addReportCommand(CLI::App& app, Action& action);
void addSampleCommand(CLI::App& app, Action& action);
void addSweepCommand(CLI::App& app, Action& action);
void addStudyCommand(CLI::App& app, Action& action);

/// The JSON of `gwb --version`.
nlohmann::ordered_json versionJson();

}  // namespace gwb::cli
