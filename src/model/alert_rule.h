// The one rule that decides whether a score should alert sales: the lead is grade A, or its
// score is above the alert threshold. The threshold is set in one place, the
// LEADSCORE_ALERT_THRESHOLD setting (`leadscore serve|score --alert-threshold`); unset, it is
// the model's own threshold (the seed's 0.8, the one behind `label`). A model without grade cut
// points alerts on the threshold alone. The server reports the verdict as `alert` in explained
// responses, `leadscore score` as the `alert` column, and the n8n workflows read it from there
// instead of re-deriving it (docs/automation.md, "Who gets alerted").
//
// An AlertRule is an immutable value, safe to share between threads.
#pragma once

#include <optional>

#include "model/lead_model.h"

namespace leadscore {

class AlertRule {
 public:
  AlertRule() = default;  // the model's threshold
  // `threshold`: the configured alert threshold, or nullopt for the model's threshold.
  explicit AlertRule(std::optional<double> threshold) : threshold_(threshold) {}

  double Threshold(const LeadModel& model) const {
    return threshold_.value_or(model.metadata().threshold);
  }
  // Whether the threshold was configured (else it is the model's own).
  bool configured() const { return threshold_.has_value(); }
  bool Alerts(const LeadModel& model, double score) const {
    return model.Grade(score) == 'A' || score > Threshold(model);
  }

 private:
  std::optional<double> threshold_;
};

}  // namespace leadscore
