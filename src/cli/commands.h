// The `leadscore` subcommands. Each Register* adds one subcommand with its flags (each flag
// also read from a LEADSCORE_* environment variable where noted in --help) and stores, when
// the subcommand runs, its Status in *result. Output for people goes to stdout; errors are
// returned, and main() prints them.
#pragma once

#include <CLI/CLI.hpp>

#include "common/status.h"

namespace leadscore::cli {

void RegisterGenerate(CLI::App& app, Status* result);
void RegisterSpec(CLI::App& app, Status* result);
void RegisterOracle(CLI::App& app, Status* result);
void RegisterTrain(CLI::App& app, Status* result);
void RegisterSplit(CLI::App& app, Status* result);  // the fit plan of an external trainer
void RegisterScore(CLI::App& app, Status* result);
void RegisterPromote(CLI::App& app, Status* result);
void RegisterRollback(CLI::App& app, Status* result);
void RegisterServe(CLI::App& app, Status* result);
void RegisterSync(CLI::App& app, Status* result);  // sync hubspot
void RegisterPush(CLI::App& app, Status* result);  // push hubspot

}  // namespace leadscore::cli
