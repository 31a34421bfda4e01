// Batch scoring of a feature table with the same model code the server uses: every lead
// gets the calibrated score, its label, grade and alert verdict, the booster's raw
// probability and, on request, the reasons (the explain=true factors of POST /score).
#pragma once

#include <filesystem>

#include "common/status.h"
#include "model/alert_rule.h"
#include "model/lead_model.h"

namespace leadscore {

// How many reasons a scored row keeps (the largest |contribution| first): what a person reads.
inline constexpr size_t kBatchReasons = 3;

struct BatchScoreOptions {
  AlertRule alert;       // the alert column's rule (model/alert_rule.h)
  bool reasons = false;  // also write the reasons column (SHAP through XGBoost: slower)
  // Rows read, encoded and scored at a time: memory is one chunk's (~150 bytes a row with
  // the encoded matrix), not the table's, so a 10M-lead table scores in the same memory as a
  // 100k one. The output does not depend on it.
  size_t chunk_rows = 65536;
};

struct BatchScoreSummary {
  size_t rows = 0;
  size_t high = 0;
  size_t alerts = 0;
};

// Reads `in` (validated against the model's feature spec) chunk by chunk, writes `out`
// atomically (nothing on any error, whichever row it is on) with the
// columns lead_id,score,label,raw_probability,model_version,grade,alert and, with
// options.reasons, reasons. score and raw_probability have 9 significant digits (both are
// float32 underneath); grade is A-D, empty for a model without grade cut points; alert is
// true/false; reasons is a JSON list of the kBatchReasons largest
// {"feature","value","direction","contribution"} objects, CSV-quoted.
Result<BatchScoreSummary> ScoreCsvFile(const LeadModel& model, const std::filesystem::path& in,
                                       const std::filesystem::path& out,
                                       const BatchScoreOptions& options = {});

}  // namespace leadscore
