#include "metrics/oracle.h"

#include <charconv>
#include <vector>

#include "common/csv_reader.h"
#include "metrics/auc.h"

namespace leadscore {
namespace {

// A feature vector as a string key; rows with equal keys are indistinguishable to a model.
std::string CellKey(const FeatureTable& table, const std::vector<const Feature*>& features,
                    size_t row) {
  std::string key;
  for (const Feature* feature : features) {
    const FeatureColumn* column = table.Column(feature->name);
    key += feature->type == FeatureType::kCategory
               ? std::to_string(column->categories[row])
               : std::to_string(static_cast<int64_t>(column->numbers[row]));
    key.push_back('|');
  }
  return key;
}

double BayesAuc(const FeatureTable& table, const std::vector<const Feature*>& features,
                const std::vector<double>& p_won) {
  struct Cell {
    double sum = 0.0;
    double count = 0.0;
  };
  std::unordered_map<std::string, Cell> cells;
  double fit_sum = 0.0, fit_count = 0.0;
  for (size_t row = 0; row < table.rows(); row += 2) {  // fit on even rows
    Cell& cell = cells[CellKey(table, features, row)];
    cell.sum += p_won[row];
    cell.count += 1.0;
    fit_sum += p_won[row];
    fit_count += 1.0;
  }
  const double fallback = fit_sum / fit_count;  // for feature vectors never seen in the fit half
  std::vector<double> scores;
  std::vector<int> labels;
  for (size_t row = 1; row < table.rows(); row += 2) {  // evaluate on odd rows
    auto it = cells.find(CellKey(table, features, row));
    scores.push_back(it == cells.end() ? fallback : it->second.sum / it->second.count);
    labels.push_back(table.labels[row]);
  }
  return RocAuc(scores, labels);
}

}  // namespace

Result<std::unordered_map<std::string, double>> ReadTruth(const std::filesystem::path& path) {
  auto opened = CsvReader::Open(path, {"lead_id", "p_won"});
  if (!opened.ok()) return opened.status();
  CsvReader& reader = opened.value();
  const int id_col = reader.ColumnIndex("lead_id");
  const int p_col = reader.ColumnIndex("p_won");
  std::unordered_map<std::string, double> truth;
  while (reader.Next()) {
    const std::string_view text = reader.Field(p_col);
    double p = 0.0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
    if (ec != std::errc() || ptr != text.data() + text.size() || p < 0.0 || p > 1.0) {
      return reader.FieldError(p_col, "'" + std::string(text) + "' is not a probability in [0, 1]");
    }
    if (!truth.emplace(reader.Field(id_col), p).second) {
      return reader.FieldError(id_col, "lead " + std::string(reader.Field(id_col)) +
                                           " appears twice; each lead needs exactly one p_won");
    }
  }
  LEADSCORE_RETURN_IF_ERROR(reader.status());
  return truth;
}

Result<std::vector<double>> AlignTruth(const FeatureTable& table,
                                       const std::unordered_map<std::string, double>& truth) {
  std::vector<double> p_won(table.rows());
  for (size_t row = 0; row < table.rows(); ++row) {
    auto it = truth.find(table.ids[row]);
    if (it == truth.end()) {
      return Status::Error("lead " + table.ids[row] +
                           " has no row in the truth file; were both made by the same "
                           "`leadscore generate` run?");
    }
    p_won[row] = it->second;
  }
  return p_won;
}

Result<OracleReport> ComputeOracle(const FeatureTable& table, const FeatureSpec& spec,
                                   const std::unordered_map<std::string, double>& truth) {
  auto aligned = AlignTruth(table, truth);
  if (!aligned.ok()) return aligned.status();
  const std::vector<double>& p_won = aligned.value();
  double positives = 0.0;
  for (int label : table.labels) positives += label;
  OracleReport report;
  report.rows = table.rows();
  report.positive_rate = positives / static_cast<double>(table.rows());
  report.auc_truth = RocAuc(p_won, table.labels);
  for (const auto& [set_name, unused] : spec.feature_sets) {
    auto features = spec.FeatureSet(set_name);
    if (!features.ok()) return features.status();
    report.auc_bayes[set_name] = BayesAuc(table, features.value(), p_won);
  }
  return report;
}

}  // namespace leadscore
