#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "features/feature_table.h"
#include "metrics/oracle.h"

namespace leadscore::cli {

void RegisterOracle(CLI::App& app, Status* result) {
  struct Flags {
    std::string data = "data/lead_scoring_features.csv";
    std::string truth = "data/raw/truth.csv";
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "oracle",
      "Report the oracle AUC (true probability vs outcome) and the best AUC reachable from each\n"
      "feature set (Bayes AUC: mean true probability per feature vector, fitted on half the\n"
      "rows, ranked on the other half). A model far above these numbers leaks the outcome.");
  cmd->add_option("--data", flags->data, "Feature table (the mart export)")
      ->envname("LEADSCORE_FEATURES")
      ->capture_default_str();
  cmd->add_option("--truth", flags->truth, "truth.csv written by leadscore generate")
      ->capture_default_str();
  cmd->callback([flags, result] {
    const FeatureSpec& spec = FeatureSpec::Builtin();
    auto table = ReadFeatureTable(flags->data, spec);
    if (!table.ok()) {
      *result = table.status();
      return;
    }
    auto truth = ReadTruth(flags->truth);
    if (!truth.ok()) {
      *result = truth.status();
      return;
    }
    auto report = ComputeOracle(table.value(), spec, truth.value());
    if (!report.ok()) {
      *result = report.status();
      return;
    }
    const OracleReport& r = report.value();
    std::cout << fmt::format("leads {}  positive rate {:.4f}\n", r.rows, r.positive_rate);
    std::cout << fmt::format("oracle AUC (true probability)   {:.4f}\n", r.auc_truth);
    for (const auto& [set_name, auc] : r.auc_bayes) {
      std::cout << fmt::format("Bayes AUC {:<21} {:.4f}\n", set_name, auc);
    }
    *result = Status::Ok();
  });
}

}  // namespace leadscore::cli
