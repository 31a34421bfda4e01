// Batch scoring of a feature table with the same model code the server uses: every lead
// gets the calibrated score, its label and the booster's raw probability.
#pragma once

#include <filesystem>

#include "common/status.h"
#include "model/lead_model.h"

namespace leadscore {

struct BatchScoreSummary {
  size_t rows = 0;
  size_t high = 0;
};

// Reads `in` (validated against the model's feature spec), writes `out` atomically with the
// columns lead_id,score,label,raw_probability,model_version (score and raw_probability with
// 9 significant digits: both are float32 underneath).
Result<BatchScoreSummary> ScoreCsvFile(const LeadModel& model, const std::filesystem::path& in,
                                       const std::filesystem::path& out);

}  // namespace leadscore
