#include "features/feature_table.h"

#include <charconv>
#include <limits>
#include <utility>

#include "common/civil_time.h"
#include "common/csv_reader.h"

namespace leadscore {
namespace {

constexpr const char* kFixHint = "; rebuild the table with scripts/load_duckdb or fix the row";

Result<int64_t> ParseCount(std::string_view text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return Status::Error("'" + std::string(text) + "' is not a whole number" + kFixHint);
  }
  if (value < 0) {
    return Status::Error(std::to_string(value) + " is negative; counts are >= 0" + kFixHint);
  }
  return value;
}

Result<int> ParseFlag(std::string_view text) {
  if (text == "0" || text == "false" || text == "False") return 0;
  if (text == "1" || text == "true" || text == "True") return 1;
  return Status::Error("'" + std::string(text) + "' is not 0 or 1" + kFixHint);
}

}  // namespace

const FeatureColumn* FeatureTable::Column(std::string_view name) const {
  for (const auto& column : columns) {
    if (column.feature->name == name) return &column;
  }
  return nullptr;
}

Result<FeatureTableReader> FeatureTableReader::Open(const std::filesystem::path& path,
                                                    const FeatureSpec& spec, Label label) {
  std::vector<std::string> required = {spec.id_column};
  if (label == Label::kRequired) required.push_back(spec.label_column);
  for (const auto& feature : spec.features) {
    if (!feature.default_value.has_value()) required.push_back(feature.name);
  }
  auto opened = CsvReader::Open(path, required);
  if (!opened.ok()) return opened.status();
  return FeatureTableReader(std::move(opened).value(), spec);
}

FeatureTableReader::FeatureTableReader(CsvReader reader, const FeatureSpec& spec)
    : reader_(std::move(reader)),
      spec_(&spec),
      id_col_(reader_.ColumnIndex(spec.id_column)),
      label_col_(reader_.ColumnIndex(spec.label_column)),
      visitor_col_(reader_.ColumnIndex("visitor_id")),
      created_col_(reader_.ColumnIndex("created_at")) {
  for (const auto& feature : spec.features) indices_.push_back(reader_.ColumnIndex(feature.name));
}

Result<FeatureTable> FeatureTableReader::ReadRows(size_t max_rows) {
  const FeatureSpec& spec = *spec_;
  FeatureTable table;
  for (size_t f = 0; f < spec.features.size(); ++f) {
    table.columns.push_back(FeatureColumn{&spec.features[f], {}, {}, indices_[f] >= 0});
  }
  while (table.rows() < max_rows && reader_.Next()) {
    table.ids.emplace_back(reader_.Field(id_col_));
    if (visitor_col_ >= 0) table.visitor_ids.emplace_back(reader_.Field(visitor_col_));
    if (created_col_ >= 0) {
      auto created = ParseTimestamp(reader_.Field(created_col_));
      if (!created.ok()) return reader_.FieldError(created_col_, created.status().message());
      table.created_at.push_back(created.value());
    }
    for (size_t f = 0; f < spec.features.size(); ++f) {
      const Feature& feature = spec.features[f];
      FeatureColumn& column = table.columns[f];
      if (indices_[f] < 0) {  // an optional feature the table lacks: its creation-time value
        column.numbers.push_back(*feature.default_value);
        continue;
      }
      const std::string_view text = reader_.Field(indices_[f]);
      if (feature.type == FeatureType::kCategory) {
        column.categories.push_back(CategoryIndex(feature, text));
      } else if (feature.type == FeatureType::kFlag) {
        auto flag = ParseFlag(text);
        if (!flag.ok()) return reader_.FieldError(indices_[f], flag.status().message());
        column.numbers.push_back(flag.value());
      } else {
        auto count = ParseCount(text);
        if (!count.ok()) return reader_.FieldError(indices_[f], count.status().message());
        column.numbers.push_back(static_cast<double>(count.value()));
      }
    }
    if (label_col_ >= 0) {
      auto flag = ParseFlag(reader_.Field(label_col_));
      if (!flag.ok()) return reader_.FieldError(label_col_, flag.status().message());
      table.labels.push_back(flag.value());
    }

    // Cross-column invariants (engaged_sessions <= sessions), from the spec's at_most.
    for (size_t f = 0; f < spec.features.size(); ++f) {
      const Feature& feature = spec.features[f];
      if (feature.at_most.empty()) continue;
      const double bound = table.Column(feature.at_most)->numbers.back();
      if (table.columns[f].numbers.back() > bound) {
        return reader_.FieldError(
            indices_[f], std::to_string(static_cast<int64_t>(table.columns[f].numbers.back())) +
                             " exceeds " + feature.at_most + " (" +
                             std::to_string(static_cast<int64_t>(bound)) + ")" + kFixHint);
      }
    }
  }
  LEADSCORE_RETURN_IF_ERROR(reader_.status());
  return table;
}

Status NoRowsError(const std::filesystem::path& path) {
  return Status::Error(path.string() +
                       " has a header but no rows; build the mart first "
                       "(scripts/load_duckdb)");
}

Result<FeatureTable> ReadFeatureTable(const std::filesystem::path& path, const FeatureSpec& spec,
                                      Label label) {
  auto reader = FeatureTableReader::Open(path, spec, label);
  if (!reader.ok()) return reader.status();
  auto table = reader.value().ReadRows(std::numeric_limits<size_t>::max());
  if (!table.ok()) return table.status();
  if (table.value().rows() == 0) return NoRowsError(path);
  return table;
}

}  // namespace leadscore
