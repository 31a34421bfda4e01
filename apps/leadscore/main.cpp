// leadscore: the command-line entry point. Parses arguments, runs one subcommand from the
// library, prints its error and returns 0 on success or 1 on failure.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli/commands.h"

namespace {

int Run(int argc, char** argv) {
  CLI::App app{"leadscore: open lead scoring (data, warehouse, model, scoring API)."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "leadscore " LEADSCORE_VERSION);
  spdlog::set_pattern("%^%l%$: %v");

  leadscore::Status result = leadscore::Status::Error("no subcommand ran");
  leadscore::cli::RegisterGenerate(app, &result);
  leadscore::cli::RegisterSpec(app, &result);
  leadscore::cli::RegisterOracle(app, &result);
  leadscore::cli::RegisterTrain(app, &result);
  leadscore::cli::RegisterSplit(app, &result);
  leadscore::cli::RegisterScore(app, &result);
  leadscore::cli::RegisterPromote(app, &result);
  leadscore::cli::RegisterRollback(app, &result);
  leadscore::cli::RegisterServe(app, &result);
  leadscore::cli::RegisterSync(app, &result);
  leadscore::cli::RegisterPush(app, &result);

  CLI11_PARSE(app, argc, argv);
  if (!result.ok()) {
    std::cerr << "error: " << result.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {  // the library returns Status; this is a last resort
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
