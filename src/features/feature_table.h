// Reads the feature table (data/lead_scoring_features.csv, the DESIGN.md contract) and checks
// every row against the feature spec. Errors name file, line and column and say what to do.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "features/feature_spec.h"

namespace leadscore {

// One column per spec feature, in spec order. Counts and flags are numbers; categories are
// indices into Feature::values (unknown values mapped to Feature::unknown).
struct FeatureColumn {
  const Feature* feature = nullptr;
  std::vector<double> numbers;
  std::vector<uint16_t> categories;
  bool in_file = true;  // false: an optional feature the file lacks, every row its default
};

struct FeatureTable {
  std::vector<std::string> ids;
  std::vector<std::string> visitor_ids;  // empty when the file has no visitor_id column
  std::vector<int64_t> created_at;       // epoch seconds; empty without a created_at column
  std::vector<FeatureColumn> columns;
  std::vector<int> labels;  // empty when read with Label::kOptional from a file without one

  size_t rows() const { return ids.size(); }
  const FeatureColumn* Column(std::string_view name) const;  // nullptr when absent
};

// Whether the label column must be there: training and the oracle need it; scoring reads the
// open leads too (data/open_leads.csv), whose outcome is not known yet.
enum class Label { kRequired, kOptional };

// A feature with a default (recency) may be absent: every row then has the default, the
// creation-time value (the DESIGN table holds rows as of creation).
// Fails on a missing file or column, an empty table, a non-integer count, a negative count,
// a count above its `at_most` bound, or a flag/label outside {0, 1}.
Result<FeatureTable> ReadFeatureTable(const std::filesystem::path& path, const FeatureSpec& spec,
                                      Label label = Label::kRequired);

}  // namespace leadscore
