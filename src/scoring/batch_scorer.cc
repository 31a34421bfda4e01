#include "scoring/batch_scorer.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>

#include "common/atomic_files.h"
#include "features/feature_table.h"
#include "model/explain.h"

namespace leadscore {
namespace {

// The lead's value of `feature` in row `row`, as the table holds it (what explain shows).
nlohmann::ordered_json FeatureValue(const FeatureTable& table, const FeatureSpec& spec,
                                    const std::string& name, size_t row) {
  const Feature* feature = spec.Find(name);
  const FeatureColumn& column = table.columns[static_cast<size_t>(feature - spec.features.data())];
  switch (feature->type) {
    case FeatureType::kCount:
      return static_cast<int64_t>(column.numbers[row]);
    case FeatureType::kFlag:
      return column.numbers[row] != 0.0;
    case FeatureType::kCategory:
      return feature->values[column.categories[row]];
  }
  return nullptr;
}

// The reasons column: compact JSON, quoted for CSV (inner quotes doubled).
std::string ReasonsCell(const Explanation& explanation, const FeatureTable& table,
                        const FeatureSpec& spec, size_t row) {
  nlohmann::ordered_json reasons = nlohmann::ordered_json::array();
  const size_t count = std::min(kBatchReasons, explanation.reasons.size());
  for (size_t i = 0; i < count; ++i) {
    const Reason& reason = explanation.reasons[i];
    reasons.push_back({{"feature", reason.feature},
                       {"value", FeatureValue(table, spec, reason.feature, row)},
                       {"direction", reason.contribution > 0 ? "raises" : "lowers"},
                       {"contribution", reason.contribution}});
  }
  std::string cell = "\"";
  for (char c : reasons.dump()) {
    cell += c;
    if (c == '"') cell += '"';
  }
  return cell + "\"";
}

}  // namespace

Result<BatchScoreSummary> ScoreCsvFile(const LeadModel& model, const std::filesystem::path& in,
                                       const std::filesystem::path& out,
                                       const BatchScoreOptions& options) {
  auto reader = FeatureTableReader::Open(in, model.spec(), Label::kOptional);
  if (!reader.ok()) return reader.status();
  if (out.has_parent_path()) LEADSCORE_RETURN_IF_ERROR(EnsureWritableDirectory(out.parent_path()));
  AtomicFileSet files;  // nothing reaches `out` unless every row scored
  auto file = files.Open(out);
  if (!file.ok()) return file.status();
  OutputFile& output = *file.value();
  output.Append("lead_id,score,label,raw_probability,model_version,grade,alert");
  output.Append(options.reasons ? ",reasons\n" : "\n");

  BatchScoreSummary summary;
  const double threshold = model.metadata().threshold;
  const size_t chunk_rows = std::max<size_t>(1, options.chunk_rows);
  std::vector<size_t> rows;
  while (true) {
    auto chunk = reader.value().ReadRows(chunk_rows);
    if (!chunk.ok()) return chunk.status();
    const FeatureTable& table = chunk.value();
    if (table.rows() == 0) break;
    rows.resize(table.rows());
    std::iota(rows.begin(), rows.end(), size_t{0});
    const std::vector<float> matrix = model.encoder().EncodeTableRows(table, rows);
    auto raw = model.PredictRaw(matrix, rows.size());
    if (!raw.ok()) return raw.status();
    std::vector<Explanation> explanations;
    if (options.reasons) {
      auto explained = Explain(model, matrix, rows.size());
      if (!explained.ok()) return explained.status().WithContext("explaining the scores");
      explanations = std::move(explained).value();
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      const double score = model.calibration().Apply(raw.value()[i]);
      const bool high = score > threshold;
      const bool alert = options.alert.Alerts(model, score);
      const std::optional<char> grade = model.Grade(score);
      summary.high += high ? 1 : 0;
      summary.alerts += alert ? 1 : 0;
      output.Append(
          fmt::format("{},{:.9g},{},{:.9g},{},{},{}", table.ids[i], score, high ? "high" : "low",
                      raw.value()[i], model.metadata().model_version,
                      grade ? std::string(1, *grade) : std::string(), alert ? "true" : "false"));
      if (options.reasons) {
        output.Append("," + ReasonsCell(explanations[i], table, model.spec(), i));
      }
      output.Append("\n");
    }
    summary.rows += table.rows();
  }
  if (summary.rows == 0) return NoRowsError(in);
  LEADSCORE_RETURN_IF_ERROR(files.Commit());
  return summary;
}

}  // namespace leadscore
