// Ranking metrics computed by leadscore itself (not by XGBoost), so training, the oracle
// report and the tests share one definition.
#pragma once

#include <span>

namespace leadscore {

// Area under the ROC curve of `scores` for binary `labels` (0 or 1): the probability that a
// random positive outranks a random negative, ties counting one half (Mann–Whitney U).
// Returns NaN when either class is absent. O(n log n); does not modify its inputs.
double RocAuc(std::span<const double> scores, std::span<const int> labels);

}  // namespace leadscore
