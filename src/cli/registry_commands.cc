// `leadscore promote VERSION` and `leadscore rollback`: move the registry's champion alias by
// hand and install the champion's model file (tracking/champion.h).
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "tracking/champion.h"
#include "tracking/mlflow_client.h"

namespace leadscore::cli {
namespace {

struct RegistryFlags {
  std::string tracking_uri = "http://127.0.0.1:5001";
  std::string model_name = "lead-scoring";
  std::string model_out = "ml/lead_scoring_model.json";
  std::string version;  // promote only
};

void AddCommonFlags(CLI::App* cmd, RegistryFlags& flags) {
  cmd->add_option("--tracking-uri", flags.tracking_uri, "MLflow tracking server")
      ->envname("MLFLOW_TRACKING_URI")
      ->capture_default_str();
  cmd->add_option("--model-name", flags.model_name, "MLflow registered model name")
      ->capture_default_str();
  cmd->add_option("--model-out", flags.model_out, "Where the champion model file lives")
      ->envname("LEADSCORE_MODEL")
      ->capture_default_str();
}

Result<MlflowClient> ConnectRegistry(const RegistryFlags& flags) {
  MlflowOptions options;
  options.tracking_uri = flags.tracking_uri;
  options.unreachable_hint =
      "start it with scripts/run_mlflow_server.sh, or point --tracking-uri (MLFLOW_TRACKING_URI) "
      "at a running server";
  return MlflowClient::Connect(std::move(options));
}

void Report(const ChampionChange& change, const std::string& model_name, const char* verb) {
  std::string from = change.from ? "version " + *change.from : std::string("no champion");
  if (change.from == change.to) {
    std::cout << fmt::format("{}: version {} of '{}' is already the champion\n", verb, change.to,
                             model_name);
  } else {
    std::cout << fmt::format("{}: champion of '{}' moved from {} to version {}\n", verb, model_name,
                             from, change.to);
  }
  std::cout << fmt::format("installed {} (model_version {}) from {}\n", change.model_file.string(),
                           change.to, change.model_uri);
}

}  // namespace

void RegisterPromote(CLI::App& app, Status* result) {
  auto flags = std::make_shared<RegistryFlags>();
  CLI::App* cmd = app.add_subcommand(
      "promote",
      "Make a registered model version the champion (alias 'champion') and install its model\n"
      "file. The previous champion is remembered, so `leadscore rollback` can return to it.");
  cmd->add_option("VERSION", flags->version, "Registry version to promote (e.g. 3)")->required();
  AddCommonFlags(cmd, *flags);
  cmd->callback([flags, result] {
    auto client = ConnectRegistry(*flags);
    if (!client.ok()) {
      *result = client.status();
      return;
    }
    auto change =
        PromoteChampion(client.value(), flags->model_name, flags->version, flags->model_out);
    if (!change.ok()) {
      *result = change.status();
      return;
    }
    Report(change.value(), flags->model_name, "promote");
    *result = Status::Ok();
  });
}

void RegisterRollback(CLI::App& app, Status* result) {
  auto flags = std::make_shared<RegistryFlags>();
  CLI::App* cmd = app.add_subcommand(
      "rollback", "Move the champion back to the previous champion and install its model file.");
  AddCommonFlags(cmd, *flags);
  cmd->callback([flags, result] {
    auto client = ConnectRegistry(*flags);
    if (!client.ok()) {
      *result = client.status();
      return;
    }
    auto change = RollbackChampion(client.value(), flags->model_name, flags->model_out);
    if (!change.ok()) {
      *result = change.status();
      return;
    }
    Report(change.value(), flags->model_name, "rollback");
    *result = Status::Ok();
  });
}

}  // namespace leadscore::cli
