// Reads the feature table (data/lead_scoring_features.csv, the DESIGN.md contract) and checks
// every row against the feature spec. Errors name file, line and column and say what to do.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/csv_reader.h"
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

// The same checks, a chunk of rows at a time: a caller that handles rows chunk by chunk
// (batch scoring) holds one chunk in memory, not the table, so its memory stays flat
// whatever the table's size. Errors name the row's line in the file, as ReadFeatureTable's.
class FeatureTableReader {
 public:
  // Opens `path` and checks its header (the columns ReadFeatureTable requires).
  static Result<FeatureTableReader> Open(const std::filesystem::path& path, const FeatureSpec& spec,
                                         Label label = Label::kRequired);

  // The next rows of the file, at most `max_rows`: a table of 0 rows once the file is read.
  // `spec` (of Open) must outlive the reader and its tables.
  Result<FeatureTable> ReadRows(size_t max_rows);

 private:
  FeatureTableReader(CsvReader reader, const FeatureSpec& spec);

  CsvReader reader_;
  const FeatureSpec* spec_;
  int id_col_;
  int label_col_;
  int visitor_col_;
  int created_col_;
  std::vector<int> indices_;  // each spec feature's column in the file, -1 when absent
};

// The error for a table with a header and no rows: there is nothing to train or score.
Status NoRowsError(const std::filesystem::path& path);

}  // namespace leadscore
