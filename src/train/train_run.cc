#include "train/train_run.h"

#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/atomic_files.h"
#include "common/content_hash.h"
#include "common/whole_file.h"
#include "datagen/story.h"
#include "features/feature_table.h"
#include "metrics/oracle.h"
#include "train/mlflow_logging.h"

namespace leadscore {
namespace {

// truth.csv values aligned to table rows, as the probability of each row's label: a row is
// its lead at age days_since_created (0 in the DESIGN table, the snapshot's age in
// data/lead_snapshots.csv), still open then, labelled "won within the horizon after it".
// At age 0 this is p_won times a constant, so the DESIGN table's oracle AUC is p_won's.
Result<std::vector<double>> ReadAlignedTruth(const FeatureTable& table,
                                             const std::filesystem::path& path,
                                             double horizon_days) {
  auto truth = ReadTruth(path);
  if (!truth.ok()) return truth.status();
  auto aligned = AlignTruth(table, truth.value());
  if (!aligned.ok()) return aligned.status().WithContext("--truth " + path.string());
  const FeatureColumn* age = table.Column("days_since_created");
  if (age != nullptr) {
    const StoryParams story;
    std::vector<double>& p = aligned.value();
    for (size_t row = 0; row < p.size(); ++row) {
      p[row] = WonWithinHorizonIfOpen(story, p[row], age->numbers[row], horizon_days);
    }
  }
  return aligned;
}

void PrintSummary(const TrainOutcome& outcome, const TrainRunOptions& options) {
  const auto& m = outcome.test.metrics;
  std::cout << fmt::format(
      "trained {} with {} on {} rows ({} calibration, {} test) in {:.2f} s, calibration {}\n",
      options.train.feature_set, outcome.trainer, outcome.split.train.size(),
      outcome.split.calibration.size(), outcome.split.test.size(), outcome.fit_seconds,
      CalibrationMethodName(outcome.model->calibration().method()));
  std::cout << fmt::format("  AUC {:.4f}  (chance 0.5000", m.at("auc"));
  if (m.contains("auc_oracle")) {
    std::cout << fmt::format(", oracle {:.4f}, gap {:.4f}", m.at("auc_oracle"), m.at("auc_gap"));
  }
  std::cout << ")\n";
  std::cout << fmt::format(
      "  logloss {:.4f}  brier {:.4f} (uncalibrated {:.4f})  positive rate {:.4f}\n",
      m.at("logloss"), m.at("brier"), m.at("brier_uncalibrated"), m.at("positive_rate"));
  std::cout << fmt::format(
      "  at {:.2f}: precision {:.4f} recall {:.4f} f1 {:.4f} ({:.2f}% of leads high)\n",
      options.train.threshold, m.at("precision"), m.at("recall"), m.at("f1"),
      100.0 * m.at("high_rate"));
  std::cout << fmt::format("  at 0.50: precision {:.4f} recall {:.4f} f1 {:.4f}\n",
                           m.at("precision_at_0_5"), m.at("recall_at_0_5"), m.at("f1_at_0_5"));
  std::cout << "  grades on the test rows (cuts from held-out scores):\n";
  for (const GradeRow& row : outcome.grades) {
    std::cout << fmt::format(
        "    {}  score >= {:.4f}  {:6.2f}% of leads  precision {:.4f}  {:6.2f}% of wins\n",
        row.grade, row.lower, 100.0 * row.share_of_leads, row.precision, 100.0 * row.share_of_wins);
  }
}

Status WriteReportJson(const TrainRunReport& report, const std::filesystem::path& path) {
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& [key, value] : report.metrics) {
    if (std::isfinite(value)) metrics[key] = value;
  }
  const nlohmann::json doc = {
      {"model_version", report.model_version}, {"run_id", report.run_id},
      {"model_id", report.model_id},           {"promoted", report.promoted},
      {"gate_reason", report.gate_reason},     {"metrics", metrics}};
  AtomicFileSet files;
  auto file = files.Open(path);
  if (!file.ok()) return file.status();
  file.value()->Append(doc.dump(2) + "\n");
  return files.Commit();
}

Result<TrainRunReport> TrainAndPublish(const TrainRunOptions& options) {
  const bool tracked = options.tracking_uri != "none";
  // Connect first: an unreachable server must stop the run before any work or output.
  std::unique_ptr<MlflowSession> session;
  if (tracked) {
    auto connected = MlflowSession::Connect(options);
    if (!connected.ok()) return connected.status();
    session = std::move(connected).value();
  }

  auto table = ReadFeatureTable(options.data, FeatureSpec::Builtin());
  if (!table.ok()) return table.status();
  std::vector<double> truth;
  if (!options.truth.empty()) {
    auto aligned = ReadAlignedTruth(table.value(), options.truth, options.horizon_days);
    if (!aligned.ok()) return aligned.status();
    truth = std::move(aligned).value();
  }
  TrainOptions train_options = options.train;
  auto data_hash = FileContentHash(options.data);
  if (!data_hash.ok()) return data_hash.status();
  train_options.data_hash = data_hash.value();
  if (!options.booster.empty()) {
    auto booster_json = ReadWholeFile(options.booster);
    if (!booster_json.ok()) return booster_json.status().WithContext("--booster");
    train_options.imported_booster_json = std::move(booster_json).value();
  }

  auto outcome = Train(table.value(), train_options, truth.empty() ? nullptr : &truth);
  if (!outcome.ok()) return outcome.status();
  PrintSummary(outcome.value(), options);

  TrainRunReport report;
  report.metrics = outcome.value().test.metrics;
  if (!tracked) {
    auto model_json = outcome.value().model->ToJson();
    if (!model_json.ok()) return model_json.status();
    report.model_version = "local-" + ContentHash(model_json.value()).substr(0, 12);
    auto versioned = outcome.value().model->WithVersion(report.model_version);
    if (!versioned.ok()) return versioned.status();
    LEADSCORE_RETURN_IF_ERROR(versioned.value()->SaveFile(options.model_out));
    report.promoted = true;
    report.gate_reason = "no tracking server: the model was written without registry or gate";
    std::cerr << "warning: --tracking-uri none: nothing was logged to MLflow; wrote "
              << options.model_out.string() << " as version " << report.model_version << "\n";
    return report;
  }
  return session->LogAndGate(table.value(), outcome.value(), truth, options);
}

}  // namespace

Result<TrainRunReport> RunTraining(const TrainRunOptions& options) {
  auto report = TrainAndPublish(options);
  if (report.ok() && !options.report_json.empty()) {
    LEADSCORE_RETURN_IF_ERROR(WriteReportJson(report.value(), options.report_json));
  }
  return report;
}

}  // namespace leadscore
