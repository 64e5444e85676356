// gwb: the headless twin of the workbench for GPU servers and scripts. Parses the command line
// (CLI11), runs the chosen subcommand, and maps errors to the exit codes of CONTRACTS.md:
// 0 ok, 2 bad usage/input, 1 a failed run, 130 stopped by a signal.
#include <csignal>
#include <iostream>

#include "app/cli/cli_common.h"
#include "engine/runtime/torch_runtime.h"
#include "engine/train/trainer.h"
#include "engine/util/error.h"

int main(int argc, char** argv) {
  gwb::tuneMalloc();  // before Qt or anything else starts a thread
  using namespace gwb::cli;
  CLI::App app{"gwb: train and compare Grassmann and Transformer language models headlessly",
               "gwb"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "Print versions as JSON");
  bool pretty = false;
  app.add_flag("--pretty", pretty, "Indent the JSON printed on stdout (anywhere on the line)");
  app.fallthrough();  // --pretty after the subcommand too
  Action action;
  addTrainCommand(app, action);
  addEvalCommand(app, action);
  addEmbedCommand(app, action);
  addSpeedrunCommand(app, action);
  addBenchCommand(app, action);
  addReportCommand(app, action);
  addSampleCommand(app, action);
  addSweepCommand(app, action);
  addStudyCommand(app, action);
  addTokenizeCommand(app, action);
  addDataCommand(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cerr << app.help();  // stdout carries only JSON
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    std::cerr << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::cerr << "gwb: error: " << e.what() << "\n";
    return kExitBadInput;
  }
  // A file-size limit (ulimit -f) makes writes fail with EFBIG, reported as errors, instead of
  // killing the process mid-write with SIGXFSZ.
  std::signal(SIGXFSZ, SIG_IGN);
  setPrettyJson(pretty);
  try {
    gwb::initTorchThreads();
    if (version) {
      printJson(versionJson());
      return kExitOk;
    }
    if (!action) {
      std::cerr
          << "gwb: error: expected a command (train, eval, embed, speedrun, sweep, study, bench, "
             "report, sample, tokenize, data), got none\n"
          << app.help();
      return kExitBadInput;
    }
    return action();
  } catch (const gwb::InputError& e) {
    std::cerr << "gwb: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "gwb: error: " << gwb::errorText(e) << "\n";
    return kExitFailed;
  }
}
