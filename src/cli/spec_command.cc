#include <iostream>

#include "cli/commands.h"
#include "features/feature_spec.h"

namespace leadscore::cli {

void RegisterSpec(CLI::App& app, Status* result) {
  CLI::App* cmd = app.add_subcommand(
      "spec",
      "Print the feature spec compiled into this binary (JSON, from spec/feature_spec.json)");
  cmd->callback([result] {
    std::cout << FeatureSpec::Builtin().ToJson() << "\n";
    *result = Status::Ok();
  });
}

}  // namespace leadscore::cli
