// Probability and threshold metrics computed by leadscore itself (not by XGBoost), so
// training reports, the calibration step and the tests share one definition.
//
// Preconditions for every function here (asserted in debug builds): `labels` are 0 or 1,
// and a `probabilities`/`scores` span has the same size as `labels`. Probabilities lie in
// [0, 1]. Every ratio over an empty input is NaN; no function modifies its inputs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace leadscore {

// The confusion matrix at one threshold and the ratios derived from it. A lead is predicted
// positive iff its score is strictly greater than the threshold (the "high" label is
// score > 0.8, so a score of exactly 0.8 is not high).
struct ThresholdMetrics {
  double threshold = 0.0;
  double accuracy = 0.0;   // (TP + TN) / n
  double precision = 0.0;  // TP / (TP + FP); 0 when nothing is predicted positive
  double recall = 0.0;     // TP / (TP + FN); 0 when there are no positives
  double f1 = 0.0;         // harmonic mean of precision and recall; 0 when both are 0
  int64_t true_positives = 0;
  int64_t false_positives = 0;
  int64_t true_negatives = 0;
  int64_t false_negatives = 0;
};

// The zero-division rules above follow scikit-learn's zero_division=0. On empty input the
// counts are 0 and the four ratios NaN.
ThresholdMetrics AtThreshold(std::span<const double> scores, std::span<const int> labels,
                             double threshold);

// Probabilities are clipped to [kLogLossEpsilon, 1 - kLogLossEpsilon] so a confident mistake
// costs -ln(1e-15) ≈ 34.5 instead of infinity.
inline constexpr double kLogLossEpsilon = 1e-15;

// Mean negative log-likelihood (natural log) of the labels: -mean(y ln p + (1 - y) ln(1 - p)).
double LogLoss(std::span<const double> probabilities, std::span<const int> labels);

// Mean squared error of the probabilities against the labels: mean((p - y)^2).
double BrierScore(std::span<const double> probabilities, std::span<const int> labels);

// Fraction of labels equal to 1.
double PositiveRate(std::span<const int> labels);

// One equal-width bin of a reliability diagram: the leads whose probability p satisfies
// lower <= p < upper (p == 1 falls in the last bin). An empty bin has count 0 and
// mean_predicted = observed_rate = 0; look at count before reading the rates.
struct ReliabilityBin {
  double lower = 0.0;
  double upper = 0.0;
  int64_t count = 0;
  double mean_predicted = 0.0;  // mean p of the bin's leads
  double observed_rate = 0.0;   // fraction of the bin's leads labelled 1
};

// `bins` (>= 1) equal-width bins covering [0, 1]; bin i is [i / bins, (i + 1) / bins), and
// every bin is listed, empty or not. Empty input gives `bins` empty bins.
std::vector<ReliabilityBin> ReliabilityTable(std::span<const double> probabilities,
                                             std::span<const int> labels, int bins = 10);

// The table as CSV with header bin_lower,bin_upper,count,mean_predicted,observed_rate and
// '\n' line ends. Numbers are written locale-free in their shortest round-trip form.
std::string ReliabilityTableCsv(const std::vector<ReliabilityBin>& table);

}  // namespace leadscore
