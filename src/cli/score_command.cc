#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "scoring/batch_scorer.h"

namespace leadscore::cli {

void RegisterScore(CLI::App& app, Status* result) {
  struct Flags {
    std::string model = "ml/lead_scoring_model.json";
    std::string in = "data/lead_scoring_features.csv";
    std::string out = "data/lead_scores.csv";
    double alert_threshold = 0.0;
    bool reasons = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "score",
      "Score every lead of a feature table with a model file (batch scoring; the table is "
      "read " +
          std::to_string(BatchScoreOptions{}.chunk_rows) +
          " rows at a time, so memory stays flat at any size)");
  cmd->add_option("--model", flags->model, "Model file written by leadscore train")
      ->envname("LEADSCORE_MODEL")
      ->capture_default_str();
  cmd->add_option("--in", flags->in, "Feature table to score")->capture_default_str();
  cmd->add_option("--out", flags->out,
                  "Scores CSV: lead_id,score,label,raw_probability,model_version,grade,alert"
                  "[,reasons]")
      ->capture_default_str();
  CLI::Option* alert_threshold =
      cmd->add_option("--alert-threshold", flags->alert_threshold,
                      "The alert column is true for grade A or a score above this (default: the "
                      "model's threshold; docs/automation.md)")
          ->envname("LEADSCORE_ALERT_THRESHOLD")
          ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--reasons", flags->reasons,
                "Add the reasons column: the 3 largest factors of each score, as JSON (the "
                "explain=true reasons of POST /score; slower)");
  cmd->callback([flags, alert_threshold, result] {
    auto model = LeadModel::LoadFile(flags->model);
    if (!model.ok()) {
      *result = model.status();
      return;
    }
    BatchScoreOptions options;
    if (alert_threshold->count() > 0) options.alert = AlertRule(flags->alert_threshold);
    options.reasons = flags->reasons;
    auto summary = ScoreCsvFile(*model.value(), flags->in, flags->out, options);
    if (!summary.ok()) {
      *result = summary.status();
      return;
    }
    std::cout << fmt::format(
        "scored {} leads with model version {}: {} high, {} alerts (grade A or score > {}); "
        "wrote {}\n",
        summary.value().rows, model.value()->metadata().model_version, summary.value().high,
        summary.value().alerts, options.alert.Threshold(*model.value()), flags->out);
    if (!model.value()->metadata().grades) {
      std::cerr << "warning: model " << model.value()->metadata().model_version
                << " has no grade cut points (trained before leadscore stored them): the grade "
                   "column is empty and alerts follow the threshold alone; retrain it to grade "
                   "leads\n";
    }
    *result = Status::Ok();
  });
}

}  // namespace leadscore::cli
