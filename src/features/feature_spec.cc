#include "features/feature_spec.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "features/feature_spec_json.h"

namespace leadscore {
namespace {

using nlohmann::json;

Result<FeatureType> ParseType(const std::string& name) {
  if (name == "count") return FeatureType::kCount;
  if (name == "flag") return FeatureType::kFlag;
  if (name == "category") return FeatureType::kCategory;
  return Status::Error("unknown feature type '" + name + "' (expected count, flag or category)");
}

// Checks the spec's own consistency, so a bad edit of spec/feature_spec.json fails the build's
// tests instead of a training run.
Status Validate(const FeatureSpec& spec) {
  for (const auto& feature : spec.features) {
    if (!feature.at_most.empty()) {
      const Feature* bound = spec.Find(feature.at_most);
      if (bound == nullptr || bound->type != FeatureType::kCount) {
        return Status::Error("feature " + feature.name + ": at_most names '" + feature.at_most +
                             "', which is not a count feature");
      }
    }
    if (feature.type == FeatureType::kCategory && feature.values.empty()) {
      return Status::Error("feature " + feature.name + ": a category needs values");
    }
    if (feature.default_value.has_value()) {
      const double value = *feature.default_value;
      const bool fits =
          feature.type == FeatureType::kCount
              ? value >= 0 && value == static_cast<double>(static_cast<int64_t>(value))
              : feature.type == FeatureType::kFlag && (value == 0 || value == 1);
      if (!fits) {
        return Status::Error("feature " + feature.name +
                             ": default must be a count (integer >= 0) or a flag (0 or 1) of the "
                             "feature's type; categories have no default");
      }
      if (!feature.at_most.empty()) {
        return Status::Error("feature " + feature.name +
                             ": a feature with a default cannot have at_most (a table or request "
                             "without it could break the bound)");
      }
    }
  }
  for (const auto& [set_name, names] : spec.feature_sets) {
    for (const auto& name : names) {
      if (spec.Find(name) == nullptr) {
        return Status::Error(std::string("feature set ")
                                 .append(set_name)
                                 .append(" names unknown feature ")
                                 .append(name));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

const char* FeatureTypeName(FeatureType type) {
  switch (type) {
    case FeatureType::kCount:
      return "count";
    case FeatureType::kFlag:
      return "flag";
    case FeatureType::kCategory:
      return "category";
  }
  return "?";
}

uint16_t CategoryIndex(const Feature& feature, std::string_view value) {
  for (size_t i = 0; i < feature.values.size(); ++i) {
    if (feature.values[i] == value) return static_cast<uint16_t>(i);
  }
  for (size_t i = 0; i < feature.values.size(); ++i) {
    if (feature.values[i] == feature.unknown) return static_cast<uint16_t>(i);
  }
  return 0;
}

Result<FeatureSpec> FeatureSpec::FromJson(std::string_view text) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::Error("feature spec is not a JSON object");
  }
  FeatureSpec spec;
  try {
    spec.version = doc.at("version").get<int>();
    spec.id_column = doc.at("id").get<std::string>();
    spec.label_column = doc.at("label").get<std::string>();
    spec.columns = doc.at("columns").get<std::vector<std::string>>();
    spec.feature_sets =
        doc.at("feature_sets").get<std::map<std::string, std::vector<std::string>>>();
    for (const auto& item : doc.at("features")) {
      Feature feature;
      feature.name = item.at("name").get<std::string>();
      auto type = ParseType(item.at("type").get<std::string>());
      if (!type.ok()) return type.status().WithContext("feature " + feature.name);
      feature.type = type.value();
      feature.at_most = item.value("at_most", "");
      feature.values = item.value("values", std::vector<std::string>{});
      feature.unknown = item.value("unknown", "");
      feature.description = item.value("description", "");
      if (item.contains("default")) {
        if (!item.at("default").is_number()) {
          return Status::Error("feature spec: feature " + feature.name +
                               ": default must be a number");
        }
        feature.default_value = item.at("default").get<double>();
      }
      spec.features.push_back(std::move(feature));
    }
  } catch (const json::exception& e) {  // a missing key or a wrong type in the spec
    return Status::Error(std::string("feature spec: ") + e.what());
  }
  LEADSCORE_RETURN_IF_ERROR(Validate(spec));
  return spec;
}

std::string FeatureSpec::ToJson() const {
  json features_json = json::array();
  for (const auto& feature : features) {
    json item = {{"name", feature.name}, {"type", FeatureTypeName(feature.type)}};
    if (!feature.at_most.empty()) item["at_most"] = feature.at_most;
    if (!feature.values.empty()) item["values"] = feature.values;
    if (!feature.unknown.empty()) item["unknown"] = feature.unknown;
    if (feature.default_value.has_value()) {
      item["default"] = static_cast<int64_t>(*feature.default_value);
    }
    item["description"] = feature.description;
    features_json.push_back(std::move(item));
  }
  const json doc = {{"version", version},           {"id", id_column},
                    {"label", label_column},        {"features", features_json},
                    {"feature_sets", feature_sets}, {"columns", columns}};
  return doc.dump(2);
}

const FeatureSpec& FeatureSpec::Builtin() {
  static const FeatureSpec kBuiltin = [] {
    auto parsed = FromJson(kFeatureSpecJson);
    // The JSON is compiled in and checked by the unit tests; failing here is a build defect.
    if (!parsed.ok()) std::abort();
    return std::move(parsed).value();
  }();
  return kBuiltin;
}

const Feature* FeatureSpec::Find(std::string_view name) const {
  for (const auto& feature : features) {
    if (feature.name == name) return &feature;
  }
  return nullptr;
}

Result<std::vector<const Feature*>> FeatureSpec::FeatureSet(std::string_view set_name) const {
  auto it = feature_sets.find(std::string(set_name));
  if (it == feature_sets.end()) {
    std::string known;
    for (const auto& [name, unused] : feature_sets) known += (known.empty() ? "" : ", ") + name;
    return Status::Error("unknown feature set '" + std::string(set_name) + "' (known: " + known +
                         ")");
  }
  std::vector<const Feature*> out;
  for (const auto& name : it->second) out.push_back(Find(name));
  return out;
}

}  // namespace leadscore
