// The feature spec: the one declaration of the lead features, their types and invariants.
// It lives in spec/feature_spec.json, is compiled into the binary, drives generation,
// validation, training and serving, is saved inside every model and checked when a model
// loads. The dbt mart's tests read the same file.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace leadscore {

enum class FeatureType {
  kCount,     // integer >= 0
  kFlag,      // 0 or 1 (false/true in JSON requests)
  kCategory,  // one of `values`; anything else maps to `unknown`
};

struct Feature {
  std::string name;
  FeatureType type = FeatureType::kCount;
  std::string at_most;              // kCount: another count this one may not exceed, or ""
  std::vector<std::string> values;  // kCategory: the vocabulary
  std::string unknown;              // kCategory: the value unknown categories map to
  // Counts and flags: the value a request or a feature table without this field means — the
  // value at the lead's creation (recency: 0). A feature without a default is required.
  std::optional<double> default_value;
  std::string description;
};

struct FeatureSpec {
  int version = 0;
  std::string id_column;
  std::string label_column;
  std::vector<Feature> features;
  std::map<std::string, std::vector<std::string>> feature_sets;
  std::vector<std::string> columns;  // the exported feature table's columns, in order

  // The spec compiled into this binary. Immutable; safe to use from any thread.
  static const FeatureSpec& Builtin();
  static Result<FeatureSpec> FromJson(std::string_view json);
  std::string ToJson() const;

  const Feature* Find(std::string_view name) const;  // nullptr when absent
  // The features of a named set ("base", "base+channel"); an error names the known sets.
  Result<std::vector<const Feature*>> FeatureSet(std::string_view set_name) const;
};

const char* FeatureTypeName(FeatureType type);

// Index of `value` in a category feature's vocabulary (exact, case-sensitive match), or of
// its `unknown` value when the vocabulary lacks it.
uint16_t CategoryIndex(const Feature& feature, std::string_view value);

}  // namespace leadscore
