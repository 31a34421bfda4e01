// Reason codes: why a lead got its score. Each feature's SHAP contribution (XGBoost's exact
// TreeSHAP through the C API) in log-odds, with one-hot columns of a category summed back
// into their feature, so "channel" gets one contribution whatever its vocabulary size.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/lead_model.h"

namespace leadscore {

struct Reason {
  std::string feature;
  double contribution = 0.0;  // log-odds; > 0 raises the score
};

struct Explanation {
  double bias = 0.0;            // the model's base margin
  double margin = 0.0;          // bias + sum of contributions = logit of the raw probability
  std::vector<Reason> reasons;  // every feature of the model's set, largest |contribution| first
};

// One Explanation per row of `matrix` (rows x model.encoder().width()).
Result<std::vector<Explanation>> Explain(const LeadModel& model, std::span<const float> matrix,
                                         size_t rows);

}  // namespace leadscore
