#include "scoring/batch_scorer.h"

#include <fmt/format.h>

#include <numeric>

#include "common/atomic_files.h"
#include "features/feature_table.h"

namespace leadscore {
namespace {

constexpr size_t kChunkRows = 65536;  // bounds the encoded matrix's memory

}  // namespace

Result<BatchScoreSummary> ScoreCsvFile(const LeadModel& model, const std::filesystem::path& in,
                                       const std::filesystem::path& out) {
  auto table = ReadFeatureTable(in, model.spec(), Label::kOptional);
  if (!table.ok()) return table.status();
  if (out.has_parent_path()) LEADSCORE_RETURN_IF_ERROR(EnsureWritableDirectory(out.parent_path()));
  AtomicFileSet files;
  auto file = files.Open(out);
  if (!file.ok()) return file.status();
  OutputFile& output = *file.value();
  output.Append("lead_id,score,label,raw_probability,model_version\n");

  BatchScoreSummary summary;
  const double threshold = model.metadata().threshold;
  std::vector<size_t> rows;
  for (size_t begin = 0; begin < table.value().rows(); begin += kChunkRows) {
    const size_t end = std::min(begin + kChunkRows, table.value().rows());
    rows.resize(end - begin);
    std::iota(rows.begin(), rows.end(), begin);
    const std::vector<float> matrix = model.encoder().EncodeTableRows(table.value(), rows);
    auto raw = model.PredictRaw(matrix, rows.size());
    if (!raw.ok()) return raw.status();
    for (size_t i = 0; i < rows.size(); ++i) {
      const double score = model.calibration().Apply(raw.value()[i]);
      const bool high = score > threshold;
      summary.high += high ? 1 : 0;
      output.Append(fmt::format("{},{:.9g},{},{:.9g},{}\n", table.value().ids[rows[i]], score,
                                high ? "high" : "low", raw.value()[i],
                                model.metadata().model_version));
    }
  }
  summary.rows = table.value().rows();
  LEADSCORE_RETURN_IF_ERROR(files.Commit());
  return summary;
}

}  // namespace leadscore
