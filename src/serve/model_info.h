// The body of GET /model: what a client needs to read the served scores — the model's
// version, features, threshold, metrics, reliability table and drift reference, plus the grade
// cut points (what "A" means) and the alert rule the server applies (docs/serving.md).
// Pure; safe to call from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include "model/alert_rule.h"
#include "model/lead_model.h"

namespace leadscore::serve {

// `grades`: per grade A-D its lowest score (a score >= A's min_score is A, and so on down;
// D's is 0) and the share of training leads it was cut to hold; null for a model saved before
// grades. `alert`: the threshold `rule` applies, whether it was configured or is the model's
// own, and the rule in words.
nlohmann::ordered_json ModelInfoJson(const LeadModel& model, const AlertRule& rule);

}  // namespace leadscore::serve
