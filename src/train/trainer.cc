#include "train/trainer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "common/civil_time.h"
#include "common/content_hash.h"
#include "metrics/auc.h"
#include "train/fit_plan.h"

namespace leadscore {
namespace {

std::string ShortestDouble(double value) {
  std::ostringstream out;
  out.imbue(std::locale::classic());
  out << value;
  return out.str();
}

std::string UtcNow() {
  const auto now = std::chrono::system_clock::now();
  const int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  std::string text = FormatTimestamp(seconds);
  text[10] = 'T';
  return text + "Z";
}

std::vector<int> LabelsOf(const FeatureTable& table, std::span<const size_t> rows) {
  std::vector<int> labels;
  labels.reserve(rows.size());
  for (size_t row : rows) labels.push_back(table.labels[row]);
  return labels;
}

// `rounds_seconds` receives the wall time of the boosting rounds alone (what bench/train
// compares with Python's xgboost.train).
Result<xgb::Booster> FitBooster(const FeatureEncoder& encoder, const FeatureTable& table,
                                const std::vector<size_t>& rows, const XgbParams& params,
                                double& rounds_seconds) {
  const std::vector<float> matrix = encoder.EncodeTableRows(table, rows);
  auto train = xgb::DMatrix::FromDense(matrix, rows.size(), encoder.width());
  if (!train.ok()) return train.status();
  std::vector<float> labels;
  labels.reserve(rows.size());
  for (size_t row : rows) labels.push_back(static_cast<float>(table.labels[row]));
  LEADSCORE_RETURN_IF_ERROR(train.value().SetLabels(labels));

  auto booster = xgb::Booster::ForTraining(train.value());
  if (!booster.ok()) return booster.status();
  // XGBoost's own names for the seed's parameters.
  std::map<std::string, std::string> settings = {
      {"max_depth", std::to_string(params.max_depth)},
      {"eta", ShortestDouble(params.learning_rate)},
      {"objective", params.objective},
      {"eval_metric", params.eval_metric},
      {"seed", std::to_string(params.random_state)},
      {"nthread", std::to_string(params.nthread)},
      {"tree_method", params.tree_method},
      {"verbosity", "1"},
  };
  for (const auto& [key, value] : params.extra) settings[key] = value;
  for (const auto& [key, value] : settings) {
    LEADSCORE_RETURN_IF_ERROR(booster.value().SetParam(key, value));
  }
  LEADSCORE_RETURN_IF_ERROR(booster.value().SetFeatureNames(encoder.column_names()));
  const auto started = std::chrono::steady_clock::now();
  for (int round = 0; round < params.n_estimators; ++round) {
    LEADSCORE_RETURN_IF_ERROR(booster.value().UpdateOneIter(round, train.value()));
  }
  rounds_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return booster;
}

}  // namespace

std::map<std::string, std::string> XgbParams::AsMap() const {
  std::map<std::string, std::string> out = {
      {"max_depth", std::to_string(max_depth)},
      {"learning_rate", ShortestDouble(learning_rate)},
      {"n_estimators", std::to_string(n_estimators)},
      {"objective", objective},
      {"eval_metric", eval_metric},
      {"random_state", std::to_string(random_state)},
      {"nthread", std::to_string(nthread)},
      {"tree_method", tree_method},
  };
  for (const auto& [key, value] : extra) out[key] = value;
  return out;
}

namespace {

// Raw booster probabilities for `rows` (before calibration).
Result<std::vector<double>> PredictRows(const xgb::Booster& booster, const FeatureEncoder& encoder,
                                        const FeatureTable& table, std::span<const size_t> rows) {
  const std::vector<float> matrix = encoder.EncodeTableRows(table, rows);
  auto data = xgb::DMatrix::FromDense(matrix, rows.size(), encoder.width());
  if (!data.ok()) return data.status();
  auto predictions = booster.Predict(data.value(), xgb::PredictKind::kProbability);
  if (!predictions.ok()) return predictions.status();
  return std::vector<double>(predictions.value().begin(), predictions.value().end());
}

// Every reported metric, from the raw probabilities and the calibration that maps them to the
// served score. Shared by training (before the model exists) and Evaluate (any model).
Evaluation MetricsOf(const std::vector<double>& raw, const Calibration& calibration,
                     double threshold, const FeatureTable& table, std::span<const size_t> rows,
                     const std::vector<double>* truth) {
  std::vector<double> scores = raw;
  for (double& p : scores) p = calibration.Apply(p);
  const std::vector<int> labels = LabelsOf(table, rows);

  Evaluation evaluation;
  auto& m = evaluation.metrics;
  m["auc"] = RocAuc(scores, labels);
  m["auc_uncalibrated"] = RocAuc(raw, labels);
  const ThresholdMetrics at_threshold = AtThreshold(scores, labels, threshold);
  m["accuracy"] = at_threshold.accuracy;
  m["precision"] = at_threshold.precision;
  m["recall"] = at_threshold.recall;
  m["f1"] = at_threshold.f1;
  m["high_rate"] = static_cast<double>(at_threshold.true_positives + at_threshold.false_positives) /
                   static_cast<double>(rows.size());
  const ThresholdMetrics at_half = AtThreshold(scores, labels, 0.5);
  m["accuracy_at_0_5"] = at_half.accuracy;
  m["precision_at_0_5"] = at_half.precision;
  m["recall_at_0_5"] = at_half.recall;
  m["f1_at_0_5"] = at_half.f1;
  m["logloss"] = LogLoss(scores, labels);
  m["brier"] = BrierScore(scores, labels);
  m["brier_uncalibrated"] = BrierScore(raw, labels);
  m["positive_rate"] = PositiveRate(labels);
  m["test_rows"] = static_cast<double>(rows.size());
  if (truth != nullptr) {
    std::vector<double> p_true;
    p_true.reserve(rows.size());
    for (size_t row : rows) p_true.push_back((*truth)[row]);
    m["auc_oracle"] = RocAuc(p_true, labels);
    m["auc_gap"] = m["auc_oracle"] - m["auc"];
  }
  evaluation.reliability = ReliabilityTable(scores, labels);
  return evaluation;
}

// The external trainer's booster, checked to be fitted on this run's split and parameters.
Result<xgb::Booster> ImportBooster(const TrainOptions& options, const FeatureEncoder& encoder,
                                   const FeatureTable& table, TrainOutcome& outcome) {
  auto booster = xgb::Booster::FromJson(options.imported_booster_json);
  if (!booster.ok()) return booster.status().WithContext("reading the imported booster");
  auto names = booster.value().FeatureNames();
  if (!names.ok()) return names.status();
  if (names.value() != encoder.column_names()) {
    return Status::Error(
        "the imported booster's columns (" + fmt::format("{}", fmt::join(names.value(), ", ")) +
        ") are not feature set " + options.feature_set + "'s (" +
        fmt::format("{}", fmt::join(encoder.column_names(), ", ")) +
        "); fit it from the plan `leadscore split --features " + options.feature_set + "` writes");
  }
  const std::string split_hash = ContentHash(SplitAssignmentCsv(table, outcome.split));
  LEADSCORE_RETURN_IF_ERROR(CheckImportedBooster(booster.value(), options.xgb, split_hash));
  auto trainer = booster.value().GetAttr(kTrainerAttr);
  if (!trainer.ok()) return trainer.status();
  outcome.trainer = trainer.value();
  auto seconds = booster.value().GetAttr(kFitSecondsAttr);
  if (!seconds.ok()) return seconds.status();
  outcome.fit_seconds = std::strtod(seconds.value().c_str(), nullptr);
  return booster;
}

}  // namespace

Result<DataSplit> SplitRows(const FeatureTable& table, const TrainOptions& options) {
  if (options.test_latest) {
    if (options.time_split_at.has_value()) {
      return Status::Error("--split latest and --time-split choose the test rows twice; pass one");
    }
    if (table.created_at.empty()) {
      return Status::Error("--split latest needs a created_at column in the feature table");
    }
    return LatestSplit(table.created_at, table.labels, options.test_fraction,
                       options.calibration_fraction, options.split_seed);
  }
  if (!options.time_split_at.has_value()) {
    return StratifiedSplit(table.labels, options.test_fraction, options.calibration_fraction,
                           options.split_seed);
  }
  if (table.created_at.empty()) {
    return Status::Error("a time split needs a created_at column in the feature table");
  }
  return TimeSplit(table.created_at, table.labels, *options.time_split_at,
                   options.calibration_fraction, options.split_seed);
}

Result<Evaluation> Evaluate(const LeadModel& model, const FeatureTable& table,
                            std::span<const size_t> rows, const std::vector<double>* truth) {
  const std::vector<float> matrix = model.encoder().EncodeTableRows(table, rows);
  auto raw = model.PredictRaw(matrix, rows.size());
  if (!raw.ok()) return raw.status();
  return MetricsOf(raw.value(), model.calibration(), model.metadata().threshold, table, rows,
                   truth);
}

Result<TrainOutcome> Train(const FeatureTable& table, const TrainOptions& options,
                           const std::vector<double>* truth) {
  const FeatureSpec& spec = FeatureSpec::Builtin();
  auto encoder = FeatureEncoder::ForSet(spec, options.feature_set);
  if (!encoder.ok()) return encoder.status();
  const double positives = PositiveRate(table.labels) * static_cast<double>(table.rows());
  if (positives < 1.0 || positives > static_cast<double>(table.rows()) - 1.0) {
    return Status::Error("the label " + spec.label_column +
                         " has a single class in the data; a model needs won and lost leads");
  }

  TrainOutcome outcome;
  auto split = SplitRows(table, options);
  if (!split.ok()) return split.status();
  outcome.split = std::move(split).value();

  auto booster = options.imported_booster_json.empty()
                     ? FitBooster(encoder.value(), table, outcome.split.train, options.xgb,
                                  outcome.fit_seconds)
                     : ImportBooster(options, encoder.value(), table, outcome);
  if (!booster.ok()) return booster.status();

  // Calibrate on the held-out slice, then measure the served (calibrated) score on test.
  auto calibration_raw =
      PredictRows(booster.value(), encoder.value(), table, outcome.split.calibration);
  if (!calibration_raw.ok()) return calibration_raw.status();
  Calibration calibration =
      Calibration::Fit(calibration_raw.value(), LabelsOf(table, outcome.split.calibration));
  auto test_raw = PredictRows(booster.value(), encoder.value(), table, outcome.split.test);
  if (!test_raw.ok()) return test_raw.status();
  outcome.test =
      MetricsOf(test_raw.value(), calibration, options.threshold, table, outcome.split.test, truth);
  outcome.reliability_uncalibrated =
      ReliabilityTable(test_raw.value(), LabelsOf(table, outcome.split.test));

  ModelMetadata metadata;
  metadata.model_version = "unregistered";  // replaced by the registry or local-<hash> version
  metadata.feature_set = options.feature_set;
  metadata.threshold = options.threshold;
  metadata.trained_at = UtcNow();
  metadata.data_hash = options.data_hash;
  metadata.params = options.xgb.AsMap();
  if (!options.imported_booster_json.empty()) {
    metadata.params = FitParams(options.xgb);  // the engine's threads did not fit it
    metadata.params["trainer"] = outcome.trainer;
  }
  metadata.metrics = outcome.test.metrics;
  metadata.reliability = outcome.test.reliability;
  // Drift reference: the features as the trees saw them (the training rows); the score as new
  // leads get it, i.e. on rows the trees never saw (calibration and test): on its own training
  // rows a booster scores more confidently than it ever will in service. Of a snapshot table
  // only the rows at creation count: the server's live drift watches /score, which scores
  // leads as they arrive (age 0); older snapshots are rescored in batch (scripts/rescore), so
  // a reference holding their mix of ages would report drift on every live lead.
  const FeatureColumn* age = table.Column("days_since_created");
  const bool only_new_leads = age != nullptr && age->in_file;
  auto at_creation = [&](size_t row) { return !only_new_leads || age->numbers[row] == 0.0; };
  std::vector<size_t> reference_rows;
  for (size_t row : outcome.split.train) {
    if (at_creation(row)) reference_rows.push_back(row);
  }
  std::vector<double> held_out_scores;  // every held-out row (the grades' population)
  std::vector<double> new_lead_scores;  // those at creation (the drift reference's)
  held_out_scores.reserve(calibration_raw.value().size() + test_raw.value().size());
  const std::pair<const std::vector<size_t>*, const std::vector<double>*> held_out[] = {
      {&outcome.split.calibration, &calibration_raw.value()},
      {&outcome.split.test, &test_raw.value()}};
  for (const auto& [rows, raw] : held_out) {
    for (size_t i = 0; i < rows->size(); ++i) {
      held_out_scores.push_back(calibration.Apply((*raw)[i]));
      if (at_creation((*rows)[i])) new_lead_scores.push_back(held_out_scores.back());
    }
  }
  metadata.drift_reference = BuildDriftReference(table, reference_rows, new_lead_scores);
  // Grade cuts from the held-out scores (every age: scripts/rescore grades open leads of all
  // ages), for the same reason: shares then hold for new scores, not for rows the trees learned.
  // Shares use no label, so measuring the grades on the test rows afterwards is fair.
  metadata.grades = ChooseGradeCuts(held_out_scores, options.grade_shares);
  std::vector<double> test_scores = test_raw.value();
  for (double& p : test_scores) p = calibration.Apply(p);
  outcome.grades = GradeTable(*metadata.grades, test_scores, LabelsOf(table, outcome.split.test));
  for (const GradeRow& row : outcome.grades) {
    const std::string prefix = std::string("grade_") + row.grade + "_";
    metadata.metrics[prefix + "share"] = row.share_of_leads;
    metadata.metrics[prefix + "precision"] = row.precision;
    metadata.metrics[prefix + "share_of_wins"] = row.share_of_wins;
    outcome.test.metrics[prefix + "share"] = row.share_of_leads;
    outcome.test.metrics[prefix + "precision"] = row.precision;
    outcome.test.metrics[prefix + "share_of_wins"] = row.share_of_wins;
  }
  metadata.metrics["train_rows"] = static_cast<double>(outcome.split.train.size());
  metadata.metrics["calibration_rows"] = static_cast<double>(outcome.split.calibration.size());
  auto model = LeadModel::Assemble(std::move(booster).value(), spec, metadata, calibration);
  if (!model.ok()) return model.status();
  outcome.model = std::move(model).value();
  return outcome;
}

}  // namespace leadscore
