// A small synthetic lead table whose conversion depends on engagement, first visit and
// channel, for tests that train real models. Columns in the builtin spec's order (recency at
// its creation-time default); leads are created an hour apart from kFirstLeadCreatedAt;
// `truth` holds each lead's true probability.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "datagen/random.h"
#include "features/feature_spec.h"
#include "features/feature_table.h"

namespace leadscore {

inline constexpr int64_t kFirstLeadCreatedAt = 1'700'000'000;

struct LearnableLeads {
  FeatureTable table;
  std::vector<double> truth;
};

inline LearnableLeads MakeLearnableLeads(size_t rows, uint64_t seed) {
  const FeatureSpec& spec = FeatureSpec::Builtin();
  LearnableLeads leads;
  FeatureTable& table = leads.table;
  for (const Feature& feature : spec.features) table.columns.push_back({&feature, {}, {}, true});
  const std::vector<double> channel_weights = {3, 2, 3, 1, 1, 2, 1, 1};  // the first 8 channels
  Random rng(seed, 0);
  for (size_t row = 0; row < rows; ++row) {
    table.ids.push_back("L" + std::to_string(row));
    table.visitor_ids.push_back("V" + std::to_string(row));
    table.created_at.push_back(kFirstLeadCreatedAt + static_cast<int64_t>(row) * 3600);
    const auto sessions = 1 + rng.Poisson(1.5);
    const auto engaged = rng.UniformInt(0, sessions);
    const bool first_visit = rng.Bernoulli(0.4);
    const size_t channel = rng.Categorical(channel_weights);
    table.columns[0].numbers.push_back(static_cast<double>(sessions));
    table.columns[1].numbers.push_back(static_cast<double>(engaged));
    table.columns[2].numbers.push_back(static_cast<double>(sessions + rng.Poisson(2.0)));
    table.columns[3].numbers.push_back(first_visit ? 1.0 : 0.0);
    table.columns[4].categories.push_back(static_cast<uint16_t>(channel));
    // Features with a default (recency): the leads as at their creation.
    for (size_t f = 5; f < table.columns.size(); ++f) {
      table.columns[f].numbers.push_back(table.columns[f].feature->default_value.value_or(0.0));
    }
    const double logit = -2.0 + 1.2 * static_cast<double>(engaged) - 0.8 * first_visit +
                         (channel == 2   ? 1.5
                          : channel == 0 ? -1.0
                                         : 0.0);
    const double p = 1.0 / (1.0 + std::exp(-logit));
    leads.truth.push_back(p);
    table.labels.push_back(rng.Bernoulli(p) ? 1 : 0);
  }
  return leads;
}

}  // namespace leadscore
