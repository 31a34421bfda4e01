#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "scoring/batch_scorer.h"

namespace leadscore::cli {

void RegisterScore(CLI::App& app, Status* result) {
  struct Flags {
    std::string model = "ml/lead_scoring_model.json";
    std::string in = "data/lead_scoring_features.csv";
    std::string out = "data/lead_scores.csv";
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "score", "Score every lead of a feature table with a model file (batch scoring)");
  cmd->add_option("--model", flags->model, "Model file written by leadscore train")
      ->envname("LEADSCORE_MODEL")
      ->capture_default_str();
  cmd->add_option("--in", flags->in, "Feature table to score")->capture_default_str();
  cmd->add_option("--out", flags->out,
                  "Scores CSV: lead_id,score,label,raw_probability,model_version")
      ->capture_default_str();
  cmd->callback([flags, result] {
    auto model = LeadModel::LoadFile(flags->model);
    if (!model.ok()) {
      *result = model.status();
      return;
    }
    auto summary = ScoreCsvFile(*model.value(), flags->in, flags->out);
    if (!summary.ok()) {
      *result = summary.status();
      return;
    }
    std::cout << fmt::format("scored {} leads with model version {}: {} high; wrote {}\n",
                             summary.value().rows, model.value()->metadata().model_version,
                             summary.value().high, flags->out);
    *result = Status::Ok();
  });
}

}  // namespace leadscore::cli
