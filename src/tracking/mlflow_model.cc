#include "tracking/mlflow_model.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "common/civil_time.h"

namespace leadscore {
namespace {

using Json = nlohmann::json;                 // objects with sorted keys, as PyYAML writes them
using OrderedJson = nlohmann::ordered_json;  // where MLflow keeps insertion order

constexpr std::string_view kModelFile = "model.json";
constexpr std::string_view kInputExampleFile = "input_example.json";
constexpr std::string_view kServingInputFile = "serving_input_example.json";
constexpr std::string_view kRequirementsFile = "requirements.txt";
constexpr std::string_view kPythonEnvFile = "python_env.yaml";
constexpr std::string_view kCondaFile = "conda.yaml";

// --- a small YAML writer for the block style PyYAML's safe_dump produces -------------------
// Strings that YAML could read as something else (numbers, booleans, dates, anything with
// ':' or '#') are written double-quoted, which for JSON-escaped text is valid YAML.

bool IsPlainScalar(const std::string& text) {
  if (text.empty() || std::isalpha(static_cast<unsigned char>(text.front())) == 0) return false;
  if (text.back() == ' ') return false;
  for (char c : text) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0 ||
              std::string_view("_.-/<>=+~ ").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  static const std::set<std::string> kReserved = {"y",     "n",  "yes", "no",  "true",
                                                  "false", "on", "off", "null"};
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return !kReserved.contains(lower);
}

template <typename J>
std::string YamlScalar(const J& value) {
  if (value.is_object()) return "{}";  // only empty containers are written inline
  if (value.is_array()) return "[]";
  if (value.is_string()) {
    const auto& text = value.template get_ref<const std::string&>();
    if (IsPlainScalar(text)) return text;
  }
  return value.dump();  // null, true, 42, 0.5, "quoted string"
}

template <typename J>
bool IsBlock(const J& value) {
  return (value.is_object() || value.is_array()) && !value.empty();
}

template <typename J>
void AppendYaml(const J& node, size_t indent, std::string& out) {
  const std::string pad(indent, ' ');
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      out += pad + YamlScalar(J(key)) + ":";
      if (!IsBlock(value)) {
        out += " " + YamlScalar(value) + "\n";
      } else {
        out += "\n";
        // PyYAML indents a mapping's nested mapping, not its sequence ("key:\n- item").
        AppendYaml(value, value.is_object() ? indent + 2 : indent, out);
      }
    }
    return;
  }
  for (const auto& item : node) {
    if (!IsBlock(item)) {
      out += pad + "- " + YamlScalar(item) + "\n";
      continue;
    }
    // A block inside a sequence starts on the dash's line: write it two deeper, then put
    // "- " over the first line's indentation.
    std::string nested;
    AppendYaml(item, indent + 2, nested);
    out += pad + "- " + nested.substr(indent + 2);
  }
}

template <typename J>
std::string ToYaml(const J& document) {
  std::string out;
  AppendYaml(document, 0, out);
  return out;
}

// --- the MLmodel pieces -------------------------------------------------------------------

std::string RandomUuidHex() {
  std::random_device device;
  std::string hex;
  for (int i = 0; i < 4; ++i) {
    char chunk[9];
    std::snprintf(chunk, sizeof(chunk), "%08x", static_cast<unsigned>(device()));
    hex += chunk;
  }
  return hex;
}

// Python's str(datetime.utcnow()): "2026-11-24 06:46:19.839434".
std::string FormatCreated(std::chrono::system_clock::time_point created) {
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(created.time_since_epoch()).count();
  int64_t seconds = micros / 1000000;
  int64_t fraction = micros % 1000000;
  if (fraction < 0) {
    fraction += 1000000;
    seconds -= 1;
  }
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), ".%06lld", static_cast<long long>(fraction));
  return FormatTimestamp(seconds) + buffer;
}

// MLflow's ColSpec JSON of the booster's columns.
std::string SignatureInputs(const std::vector<std::string>& names,
                            const std::vector<ColumnType>& types) {
  std::vector<ColumnSpec> columns;
  for (size_t i = 0; i < names.size(); ++i) columns.push_back({names[i], types[i]});
  return ColSpecJson(columns);
}

// A Booster's predict returns float32 probabilities: one "float" column.
std::string SignatureOutputs() {
  return ColSpecJson({{std::string(kModelOutputColumn), ColumnType::kFloat}});
}

// pandas "split" orientation; long columns as integers, as pandas would write int64.
OrderedJson ExampleFrame(const std::vector<std::string>& names,
                         const std::vector<ColumnType>& types,
                         const std::vector<std::vector<double>>& rows) {
  OrderedJson data = OrderedJson::array();
  for (const auto& row : rows) {
    OrderedJson values = OrderedJson::array();
    for (size_t i = 0; i < row.size(); ++i) {
      if (types[i] == ColumnType::kLong) {
        values.push_back(static_cast<int64_t>(std::llround(row[i])));
      } else {
        values.push_back(row[i]);
      }
    }
    data.push_back(std::move(values));
  }
  return {{"columns", names}, {"data", std::move(data)}};
}

std::vector<std::string> PipRequirements(const PythonModelEnvironment& env) {
  return {"mlflow==" + env.mlflow_version, "numpy==" + env.numpy_version,
          "pandas==" + env.pandas_version, "scikit-learn==" + env.scikit_learn_version,
          "scipy==" + env.scipy_version,   "xgboost==" + env.xgboost_version};
}

Status CheckModelMatchesFeatures(std::string_view model_json,
                                 const std::vector<std::string>& feature_names) {
  Json model = Json::parse(model_json, nullptr, /*allow_exceptions=*/false);
  if (model.is_discarded() || !model.is_object() || !model.contains("learner")) {
    return Status::Error("the model is not XGBoost's JSON model format (no \"learner\" object)");
  }
  const Json& learner = model["learner"];
  if (learner.contains("feature_names") && learner["feature_names"].is_array() &&
      !learner["feature_names"].empty()) {
    std::vector<std::string> names;
    for (const Json& name : learner["feature_names"]) {
      names.push_back(name.is_string() ? name.get<std::string>() : name.dump());
    }
    if (names != feature_names) {
      return Status::Error("the model's feature names " + Json(names).dump() +
                           " differ from the signature's " + Json(feature_names).dump() +
                           ": MLflow's pyfunc would reject every input");
    }
  }
  const Json* num_feature = nullptr;
  if (learner.contains("learner_model_param") &&
      learner["learner_model_param"].contains("num_feature")) {
    num_feature = &learner["learner_model_param"]["num_feature"];
  }
  if (num_feature != nullptr && num_feature->is_string() &&
      num_feature->get<std::string>() != std::to_string(feature_names.size())) {
    return Status::Error("the model has " + num_feature->get<std::string>() + " features but " +
                         std::to_string(feature_names.size()) + " feature names were given");
  }
  return Status::Ok();
}

Status CheckInputs(const std::vector<std::string>& feature_names,
                   const std::vector<std::vector<double>>& rows,
                   const std::vector<ColumnType>& types) {
  if (feature_names.empty()) return Status::Error("an MLflow model needs feature names");
  if (std::set<std::string>(feature_names.begin(), feature_names.end()).size() !=
      feature_names.size()) {
    return Status::Error("feature names repeat: " + Json(feature_names).dump());
  }
  if (types.size() != feature_names.size()) {
    return Status::Error(std::to_string(types.size()) + " column types for " +
                         std::to_string(feature_names.size()) + " features");
  }
  for (size_t c = 0; c < types.size(); ++c) {
    if (types[c] != ColumnType::kDouble && types[c] != ColumnType::kFloat &&
        types[c] != ColumnType::kLong) {
      return Status::Error("feature " + feature_names[c] + " is typed " +
                           std::string(ColumnTypeName(types[c])) +
                           ": an XGBoost model's inputs are numbers (double, float or long)");
    }
  }
  if (rows.empty()) return Status::Error("the input example needs at least one row");
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].size() != feature_names.size()) {
      return Status::Error("input example row " + std::to_string(r) + " has " +
                           std::to_string(rows[r].size()) + " values for " +
                           std::to_string(feature_names.size()) + " features");
    }
    for (size_t c = 0; c < rows[r].size(); ++c) {
      if (!std::isfinite(rows[r][c])) {
        return Status::Error("input example row " + std::to_string(r) + " has a non-finite " +
                             feature_names[c]);
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<ArtifactFile>> BuildXgboostModelArtifacts(
    std::string_view model_json, const std::vector<std::string>& feature_names,
    const std::vector<std::vector<double>>& input_example_rows,
    const XgboostModelOptions& options) {
  std::vector<ColumnType> types = options.column_types;
  if (types.empty()) types.assign(feature_names.size(), ColumnType::kDouble);
  LEADSCORE_RETURN_IF_ERROR(CheckInputs(feature_names, input_example_rows, types));
  LEADSCORE_RETURN_IF_ERROR(CheckModelMatchesFeatures(model_json, feature_names));
  const PythonModelEnvironment& env = options.environment;

  OrderedJson frame = ExampleFrame(feature_names, types, input_example_rows);
  std::string input_example = frame.dump();
  std::string serving_input = OrderedJson{{"dataframe_split", frame}}.dump(2);

  std::vector<std::string> pip = PipRequirements(env);
  std::string requirements;
  for (const std::string& line : pip) {
    requirements += (requirements.empty() ? "" : "\n") + line;  // MLflow writes no final \n
  }
  OrderedJson python_env = {
      {"python", env.python_version},
      {"build_dependencies", OrderedJson::array({"pip", "setuptools", "wheel"})},
      {"dependencies", OrderedJson::array({"-r requirements.txt"})}};
  Json conda = {
      {"channels", Json::array({"conda-forge"})},
      {"dependencies", Json::array({"python=" + env.python_version, "pip", Json{{"pip", pip}}})},
      {"name", "mlflow-env"}};

  // MLflow records the size of what is in the directory before MLmodel and the env files.
  size_t model_size = model_json.size() + input_example.size() + serving_input.size();
  Json mlmodel = {
      {"artifact_path", options.artifact_path},
      {"flavors",
       {{"python_function",
         {{"data", kModelFile},
          {"env", {{"conda", kCondaFile}, {"virtualenv", kPythonEnvFile}}},
          {"loader_module", "mlflow.xgboost"},
          {"python_version", env.python_version}}},
        {"xgboost",
         {{"code", nullptr},
          {"data", kModelFile},
          {"model_class", "xgboost.core.Booster"},
          {"model_format", "json"},
          {"xgb_version", env.xgboost_version}}}}},
      {"is_signature_from_type_hint", false},
      {"mlflow_version", env.mlflow_version},
      {"model_id", options.model_id.empty() ? Json(nullptr) : Json(options.model_id)},
      {"model_size_bytes", model_size},
      {"model_uuid", options.model_uuid.empty() ? RandomUuidHex() : options.model_uuid},
      {"prompts", nullptr},
      {"saved_input_example_info",
       {{"artifact_path", kInputExampleFile},
        {"pandas_orient", "split"},
        {"serving_input_path", kServingInputFile},
        {"type", "dataframe"}}},
      {"signature",
       {{"inputs", SignatureInputs(feature_names, types)},
        {"outputs", SignatureOutputs()},
        {"params", nullptr}}},
      {"type_hint_from_example", false},
      {"utc_time_created",
       FormatCreated(options.created.value_or(std::chrono::system_clock::now()))},
  };
  if (!options.run_id.empty()) mlmodel["run_id"] = options.run_id;
  if (!options.metadata.empty()) mlmodel["metadata"] = options.metadata;

  return std::vector<ArtifactFile>{
      {std::string(kModelFile), std::string(model_json)},
      {std::string(kInputExampleFile), std::move(input_example)},
      {std::string(kServingInputFile), std::move(serving_input)},
      {std::string(kRequirementsFile), std::move(requirements)},
      {std::string(kPythonEnvFile), ToYaml(python_env)},
      {std::string(kCondaFile), ToYaml(conda)},
      {"MLmodel", ToYaml(mlmodel)},
  };
}

Result<LoggedModel> LogXgboostModel(MlflowClient& client, const RunInfo& run,
                                    std::string_view model_json,
                                    const std::vector<std::string>& feature_names,
                                    const std::vector<std::vector<double>>& input_example_rows,
                                    const XgboostModelOptions& options) {
  // Build first: a model that cannot be described is not worth a logged model.
  LEADSCORE_RETURN_IF_ERROR(
      BuildXgboostModelArtifacts(model_json, feature_names, input_example_rows, options)
          .status()
          .WithContext("building the MLflow model"));
  auto model = client.CreateLoggedModel(run.experiment_id, options.name, run.run_id, options.params,
                                        options.tags);
  if (!model.ok()) return model.status().WithContext("logging the model of run " + run.run_id);
  const LoggedModel& logged = model.value();

  auto upload = [&]() -> Status {
    LEADSCORE_RETURN_IF_ERROR(client.LogOutputs(run.run_id, logged.model_id));
    XgboostModelOptions with_ids = options;
    with_ids.run_id = run.run_id;
    with_ids.artifact_path = logged.artifact_uri;
    with_ids.model_id = logged.model_id;
    with_ids.model_uuid = logged.model_id;  // as mlflow.xgboost.log_model writes it
    auto files =
        BuildXgboostModelArtifacts(model_json, feature_names, input_example_rows, with_ids);
    if (!files.ok()) return files.status().WithContext("building the MLflow model");
    // MLmodel is the last file built, so uploading in order puts it last.
    for (const ArtifactFile& file : files.value()) {
      LEADSCORE_RETURN_IF_ERROR(client.UploadArtifact(logged.artifact_uri, file.path, file.bytes));
    }
    return Status::Ok();
  };
  const Status uploaded = upload();
  const Status finalized = client.FinalizeLoggedModel(logged.model_id, uploaded.ok());
  const std::string context = "logging model " + logged.model_id + " of run " + run.run_id;
  if (!uploaded.ok()) {
    if (!finalized.ok()) {
      return Status::Error(
          context + ": " + uploaded.message() +
          "; marking it LOGGED_MODEL_UPLOAD_FAILED also failed: " + finalized.message());
    }
    return uploaded.WithContext(context + " (marked LOGGED_MODEL_UPLOAD_FAILED)");
  }
  if (!finalized.ok()) return finalized.WithContext(context);
  LoggedModel ready = logged;
  ready.status = "LOGGED_MODEL_READY";
  return ready;
}

}  // namespace leadscore
