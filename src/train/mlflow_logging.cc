#include "train/mlflow_logging.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/civil_time.h"
#include "metrics/classification.h"
#include "tracking/champion.h"
#include "tracking/mlflow_client.h"
#include "tracking/mlflow_dataset.h"
#include "tracking/mlflow_model.h"
#include "tracking/mlflow_tags.h"

namespace leadscore {
namespace {

constexpr const char* kChallengerAlias = "challenger";
constexpr size_t kInputExampleRows = 5;

// The commit the binary runs from, for the run's mlflow.source.git.commit tag; "" outside git.
std::string GitCommit() {
  std::FILE* pipe = ::popen("git rev-parse HEAD 2>/dev/null", "r");
  if (pipe == nullptr) return "";
  std::array<char, 64> buffer{};
  std::string out;
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) out += buffer.data();
  ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// The login name as Python's getpass.getuser() finds it, which is what MLflow's own client
// tags runs with (mlflow.user): LOGNAME, USER, LNAME, USERNAME, then the password database.
std::string LoginName() {
  for (const char* variable : {"LOGNAME", "USER", "LNAME", "USERNAME"}) {
    const char* value = std::getenv(variable);
    if (value != nullptr && *value != '\0') return value;
  }
  passwd entry{};
  passwd* found = nullptr;
  std::array<char, 4096> buffer{};
  if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 &&
      found != nullptr && found->pw_name != nullptr) {
    return found->pw_name;
  }
  return "uid " + std::to_string(::geteuid());
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The data file as the run's training dataset: named after the file, its digest the data hash
// the run is tagged with, its schema the columns training reads (id, the optional visitor_id
// and created_at, every spec feature the file has, the label).
Dataset TrainingDataset(const std::filesystem::path& path, const FeatureTable& table,
                        const FeatureSpec& spec, const std::string& data_hash) {
  std::vector<ColumnSpec> columns = {{spec.id_column, ColumnType::kString}};
  if (!table.visitor_ids.empty()) columns.push_back({"visitor_id", ColumnType::kString});
  if (!table.created_at.empty()) columns.push_back({"created_at", ColumnType::kDatetime});
  for (const Feature& feature : spec.features) {
    const FeatureColumn* column = table.Column(feature.name);
    if (column != nullptr && !column->in_file) continue;  // recency absent: the default
    columns.push_back({feature.name, feature.type == FeatureType::kCategory ? ColumnType::kString
                                                                            : ColumnType::kLong});
  }
  columns.push_back({spec.label_column, ColumnType::kLong});
  return LocalFileDataset(path, path.stem().string(), data_hash, columns, table.rows());
}

// What the booster's columns encode, for MLmodel's metadata: the lead fields the API takes
// (docs/training.md, "The model in MLflow").
std::map<std::string, std::string> MlmodelMetadata(const LeadModel& model) {
  std::string fields;
  for (size_t index : model.encoder().features()) {
    fields += (fields.empty() ? "" : ", ") + model.spec().features[index].name;
  }
  return {{"leadscore.feature_set", model.metadata().feature_set},
          {"leadscore.lead_fields", fields},
          {"leadscore.output",
           std::string(kModelOutputColumn) +
               " is the booster's probability; leadscore serves it calibrated by the map in "
               "booster attribute 'calibration'"}};
}

std::string DefaultRunName(const std::string& feature_set) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  std::string stamp = FormatTimestamp(seconds);  // "YYYY-MM-DD HH:MM:SS"
  stamp[10] = '-';
  for (char& c : stamp) {
    if (c == ':') c = '-';
  }
  return "lead-scoring-" + feature_set + "-" + stamp;
}

std::string FeatureImportanceJson(const LeadModel& model) {
  nlohmann::json rows = nlohmann::json::array();
  auto importance = model.Importance();
  if (importance.ok()) {
    for (const auto& score : importance.value()) {
      rows.push_back({{"feature", score.feature}, {"total_gain", score.score}});
    }
  }
  return rows.dump(2);
}

struct GateDecision {
  bool promote = false;
  std::string reason;
  std::optional<double> champion_auc;
};

}  // namespace

MlflowSession::MlflowSession(std::unique_ptr<MlflowClient> client) : client_(std::move(client)) {}
MlflowSession::~MlflowSession() = default;

Result<std::unique_ptr<MlflowSession>> MlflowSession::Connect(const TrainRunOptions& options) {
  MlflowOptions mlflow;
  mlflow.tracking_uri = options.tracking_uri;
  auto client = MlflowClient::Connect(std::move(mlflow));
  if (!client.ok()) return client.status();
  return std::unique_ptr<MlflowSession>(
      new MlflowSession(std::make_unique<MlflowClient>(std::move(client).value())));
}

namespace {

// Evaluates the current champion on this run's test rows, the "same evaluation data".
GateDecision DecideGate(MlflowClient& client, const TrainRunOptions& options,
                        const FeatureTable& table, const TrainOutcome& outcome,
                        const std::vector<double>& truth, double new_auc) {
  auto champion = client.GetVersionByAlias(options.model_name, std::string(kChampionAlias));
  if (!champion.ok())
    return {false, "cannot read the champion: " + champion.status().message(), std::nullopt};
  if (!champion.value().has_value()) return {true, "there was no champion yet", std::nullopt};
  const std::string champion_version = champion.value()->version;
  auto uri = client.GetModelVersionDownloadUri(options.model_name, champion_version);
  if (!uri.ok())
    return {false, "cannot locate the champion's model: " + uri.status().message(), std::nullopt};
  auto champion_json = client.DownloadArtifact(uri.value() + "/model.json");
  if (!champion_json.ok()) {
    return {false, "cannot download the champion's model: " + champion_json.status().message(),
            std::nullopt};
  }
  auto champion_model = LeadModel::FromJson(champion_json.value());
  if (!champion_model.ok()) {
    // A champion this binary cannot even load cannot serve either: replacing it is safer.
    return {true,
            "champion v" + champion_version + " cannot be loaded by this leadscore (" +
                champion_model.status().message() + ")",
            std::nullopt};
  }
  auto evaluation = Evaluate(*champion_model.value(), table, outcome.split.test,
                             truth.empty() ? nullptr : &truth);
  if (!evaluation.ok()) {
    return {false, "cannot evaluate the champion: " + evaluation.status().message(), std::nullopt};
  }
  const double champion_auc = evaluation.value().metrics.at("auc");
  const double bar = champion_auc - options.gate_tolerance;
  GateDecision decision;
  decision.champion_auc = champion_auc;
  decision.promote = new_auc >= bar;
  decision.reason =
      fmt::format("AUC {:.4f} {} champion v{}'s {:.4f} - {:.3f} on the same {} test rows", new_auc,
                  decision.promote ? ">=" : "<", champion_version, champion_auc,
                  options.gate_tolerance, outcome.split.test.size());
  return decision;
}

}  // namespace

Result<TrainRunReport> MlflowSession::LogAndGate(const FeatureTable& table,
                                                 const TrainOutcome& outcome,
                                                 const std::vector<double>& truth,
                                                 const TrainRunOptions& options) {
  MlflowClient& client = *client_;
  auto experiment = client.GetOrCreateExperiment(options.experiment);
  if (!experiment.ok()) return experiment.status();
  const std::string experiment_id = experiment.value().experiment_id;
  // MLflow's classification of the experiment: model training, not GenAI development. (MLflow
  // 3.17's UI picks its view from a sidebar switch or the link's workflowType, see UiRunUrl;
  // the experiment-kind chooser and other UI versions read the tag.) A kind chosen is kept.
  if (!experiment.value().tags.contains(std::string(kExperimentKindTag))) {
    LEADSCORE_RETURN_IF_ERROR(client.SetExperimentTag(
        experiment_id, std::string(kExperimentKindTag), std::string(kModelTrainingKind)));
  }
  const LeadModel& model = *outcome.model;
  // Who and what trained it, on the run and on the logged model, as MLflow's client tags them.
  std::map<std::string, std::string> source_tags = {
      {std::string(kUserTag), LoginName()},
      {std::string(kSourceNameTag), "leadscore train"},
      {std::string(kSourceTypeTag), std::string(kSourceTypeLocal)},
  };
  if (std::string commit = GitCommit(); !commit.empty()) {
    source_tags[std::string(kGitCommitTag)] = commit;
  }
  std::map<std::string, std::string> tags = source_tags;
  tags["leadscore.data_hash"] = model.metadata().data_hash;
  tags["leadscore.data_path"] = options.data.string();
  tags["leadscore.feature_set"] = model.metadata().feature_set;
  tags["leadscore.source"] = options.source_tag;
  tags["leadscore.trainer"] = outcome.trainer;  // the engine, or the imported booster's trainer
  auto run = client.CreateRun(
      experiment_id,
      options.run_name.empty() ? DefaultRunName(model.metadata().feature_set) : options.run_name,
      tags);
  if (!run.ok()) return run.status();
  const std::string& run_id = run.value().run_id;

  // Everything below runs inside the run; a failure marks it FAILED and changes nothing else.
  auto body = [&]() -> Result<TrainRunReport> {
    const Dataset dataset =
        TrainingDataset(options.data, table, model.spec(), model.metadata().data_hash);
    LEADSCORE_RETURN_IF_ERROR(client.LogInputs(
        run_id, {{dataset, {{std::string(kDatasetContextTag), std::string(kTrainingContext)}}}}));

    std::map<std::string, std::string> params = model.metadata().params;
    params["feature_set"] = model.metadata().feature_set;
    params["threshold"] = fmt::format("{}", model.metadata().threshold);
    params["calibration"] = CalibrationMethodName(model.calibration().method());
    params["split"] = options.train.time_split_at
                          ? "time<" + FormatTimestamp(*options.train.time_split_at).substr(0, 10)
                          : fmt::format("stratified test={}", options.train.test_fraction);
    params["calibration_fraction"] = fmt::format("{}", options.train.calibration_fraction);
    params["gate_tolerance"] = fmt::format("{}", options.gate_tolerance);
    const GradeShares& shares = options.train.grade_shares;
    params["grade_shares"] =
        fmt::format("{},{},{}", shares.shares[0], shares.shares[1], shares.shares[2]);
    LEADSCORE_RETURN_IF_ERROR(client.LogBatch(run_id, params, {}, {}));

    // The logged model carries the run id as its version; the installed file gets the
    // registry version when it becomes champion.
    auto versioned = model.WithVersion(run_id);
    if (!versioned.ok()) return versioned.status();
    auto model_json = versioned.value()->ToJson();
    if (!model_json.ok()) return model_json.status();
    std::vector<std::vector<double>> example;
    const size_t example_rows = std::min(kInputExampleRows, outcome.split.test.size());
    const std::vector<float> matrix = model.encoder().EncodeTableRows(
        table, std::span<const size_t>(outcome.split.test).first(example_rows));
    for (size_t row = 0; row < example_rows; ++row) {
      const float* begin = matrix.data() + row * model.encoder().width();
      example.emplace_back(begin, begin + model.encoder().width());
    }
    XgboostModelOptions model_options;
    model_options.metadata = MlmodelMetadata(model);
    model_options.params = params;  // the run's, as mlflow.xgboost.log_model copies them
    model_options.tags = source_tags;
    model_options.tags["leadscore.data_hash"] = model.metadata().data_hash;
    model_options.tags["leadscore.feature_set"] = model.metadata().feature_set;
    model_options.tags["leadscore.trainer"] = outcome.trainer;
    auto logged = LogXgboostModel(client, run.value(), model_json.value(),
                                  model.encoder().column_names(), example, model_options);
    if (!logged.ok()) return logged.status();
    const std::string& model_id = logged.value().model_id;

    // The test metrics belong to the run and to the logged model, measured on this dataset
    // (its held-out rows).
    const int64_t now = NowMs();
    std::vector<Metric> metrics;
    for (const auto& [key, value] : outcome.test.metrics) {
      if (std::isfinite(value)) {
        metrics.push_back({key, value, now, 0, model_id, dataset.name, dataset.digest});
      }
    }
    LEADSCORE_RETURN_IF_ERROR(client.LogBatch(run_id, {}, metrics, {}));

    const std::pair<const char*, std::string> artifacts[] = {
        {"reliability.csv", ReliabilityTableCsv(outcome.test.reliability)},
        {"reliability_uncalibrated.csv", ReliabilityTableCsv(outcome.reliability_uncalibrated)},
        {"feature_importance.json", FeatureImportanceJson(model)},
        {"calibration.json", model.calibration().ToJson()},
        {"grades.csv", GradeTableCsv(outcome.grades)},
    };
    for (const auto& [path, bytes] : artifacts) {
      LEADSCORE_RETURN_IF_ERROR(client.UploadArtifact(run.value(), path, bytes));
    }

    LEADSCORE_RETURN_IF_ERROR(client.EnsureRegisteredModel(options.model_name));
    auto version =
        client.CreateModelVersion(options.model_name, "models:/" + model_id, run_id, model_id);
    if (!version.ok()) return version.status();
    const std::string& new_version = version.value().version;
    LEADSCORE_RETURN_IF_ERROR(client.SetAlias(options.model_name, kChallengerAlias, new_version));

    const double new_auc = outcome.test.metrics.at("auc");
    const GateDecision gate = DecideGate(client, options, table, outcome, truth, new_auc);
    if (gate.champion_auc) {
      // The champion's AUC, not this model's: a metric of the run alone.
      LEADSCORE_RETURN_IF_ERROR(client.LogBatch(
          run_id, {}, {{"champion_auc", *gate.champion_auc, NowMs(), 0, "", "", ""}}, {}));
    }
    LEADSCORE_RETURN_IF_ERROR(client.SetModelVersionTag(
        options.model_name, new_version, "leadscore.gate", gate.promote ? "passed" : "failed"));
    LEADSCORE_RETURN_IF_ERROR(client.SetModelVersionTag(options.model_name, new_version,
                                                        "leadscore.gate_reason", gate.reason));

    TrainRunReport report;
    report.run_id = run_id;
    report.model_id = model_id;
    report.model_version = new_version;
    report.metrics = outcome.test.metrics;
    report.promoted = gate.promote;
    report.gate_reason = gate.reason;
    if (gate.promote) {
      auto change = PromoteChampion(client, options.model_name, new_version, options.model_out);
      if (!change.ok()) return change.status();
    }
    return report;
  };

  auto report = body();
  const Status finished = client.FinishRun(run_id, report.ok());
  if (!report.ok()) {
    return report.status().WithContext("MLflow run " + run_id + " marked FAILED");
  }
  LEADSCORE_RETURN_IF_ERROR(finished);

  const TrainRunReport& r = report.value();
  std::cout << fmt::format("MLflow run {} in experiment '{}': {}\n", r.run_id, options.experiment,
                           UiRunUrl(client.tracking_uri(), experiment_id, r.run_id));
  std::cout << fmt::format("logged model {}: {}\n", r.model_id,
                           UiLoggedModelUrl(client.tracking_uri(), experiment_id, r.model_id));
  std::cout << fmt::format("registered {} version {} (alias {})\n", options.model_name,
                           r.model_version, kChallengerAlias);
  if (r.promoted) {
    std::cout << fmt::format("promoted: version {} is champion ({}); wrote {}\n", r.model_version,
                             r.gate_reason, options.model_out.string());
  } else {
    std::cout << fmt::format("not promoted: the champion stays ({}); {} unchanged\n", r.gate_reason,
                             options.model_out.string());
  }
  return report;
}

}  // namespace leadscore
