#include "metrics/classification.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <limits>

namespace leadscore {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The shared preconditions; compiled out with NDEBUG.
void AssertLabels([[maybe_unused]] std::span<const int> labels) {
#ifndef NDEBUG
  for (int label : labels) assert((label == 0 || label == 1) && "labels must be 0 or 1");
#endif
}

void AssertPaired([[maybe_unused]] std::span<const double> values,
                  [[maybe_unused]] std::span<const int> labels) {
  assert(values.size() == labels.size() && "one label per score/probability");
  AssertLabels(labels);
}

double Ratio(int64_t numerator, int64_t denominator) {
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

// Ratio with scikit-learn's zero_division=0.
double RatioOrZero(int64_t numerator, int64_t denominator) {
  return denominator == 0 ? 0.0 : Ratio(numerator, denominator);
}

template <typename Number>  // double or int64_t
void AppendNumber(std::string& out, Number value) {
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  assert(error == std::errc());
  out.append(buffer, end);
}

}  // namespace

ThresholdMetrics AtThreshold(std::span<const double> scores, std::span<const int> labels,
                             double threshold) {
  AssertPaired(scores, labels);
  ThresholdMetrics m;
  m.threshold = threshold;
  for (size_t i = 0; i < scores.size(); ++i) {
    const bool predicted = scores[i] > threshold;
    const bool actual = labels[i] == 1;
    if (predicted) {
      ++(actual ? m.true_positives : m.false_positives);
    } else {
      ++(actual ? m.false_negatives : m.true_negatives);
    }
  }
  if (scores.empty()) {
    m.accuracy = m.precision = m.recall = m.f1 = kNaN;
    return m;
  }
  const int64_t tp = m.true_positives, fp = m.false_positives, fn = m.false_negatives;
  m.accuracy = Ratio(tp + m.true_negatives, static_cast<int64_t>(scores.size()));
  m.precision = RatioOrZero(tp, tp + fp);
  m.recall = RatioOrZero(tp, tp + fn);
  // 2PR / (P + R) written in counts, which is exact and 0 exactly when P + R is 0.
  m.f1 = RatioOrZero(2 * tp, 2 * tp + fp + fn);
  return m;
}

double LogLoss(std::span<const double> probabilities, std::span<const int> labels) {
  AssertPaired(probabilities, labels);
  if (probabilities.empty()) return kNaN;
  double sum = 0.0;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    const double p = std::clamp(probabilities[i], kLogLossEpsilon, 1.0 - kLogLossEpsilon);
    sum -= labels[i] == 1 ? std::log(p) : std::log1p(-p);
  }
  return sum / static_cast<double>(probabilities.size());
}

double BrierScore(std::span<const double> probabilities, std::span<const int> labels) {
  AssertPaired(probabilities, labels);
  if (probabilities.empty()) return kNaN;
  double sum = 0.0;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    const double error = probabilities[i] - (labels[i] == 1 ? 1.0 : 0.0);
    sum += error * error;
  }
  return sum / static_cast<double>(probabilities.size());
}

double PositiveRate(std::span<const int> labels) {
  AssertLabels(labels);
  if (labels.empty()) return kNaN;
  const auto positives = std::count(labels.begin(), labels.end(), 1);
  return Ratio(positives, static_cast<int64_t>(labels.size()));
}

std::vector<ReliabilityBin> ReliabilityTable(std::span<const double> probabilities,
                                             std::span<const int> labels, int bins) {
  AssertPaired(probabilities, labels);
  assert(bins >= 1 && "a reliability table needs at least one bin");
  if (bins < 1) return {};
  const auto edge = [bins](int i) { return static_cast<double>(i) / bins; };
  std::vector<ReliabilityBin> table(static_cast<size_t>(bins));
  for (int i = 0; i < bins; ++i) {
    table[i].lower = edge(i);
    table[i].upper = edge(i + 1);
  }
  std::vector<int64_t> positives(table.size(), 0);
  for (size_t row = 0; row < probabilities.size(); ++row) {
    const double p = probabilities[row];
    assert(p >= 0.0 && p <= 1.0 && "probabilities must lie in [0, 1]");
    // floor(p * bins) can land one bin off after rounding; the loops settle p against the very
    // edges the table reports. Values outside [0, 1] (and NaN) go to the nearest end bin.
    int i = p > 0.0 ? static_cast<int>(std::min(p, 1.0) * bins) : 0;
    i = std::min(i, bins - 1);
    while (i > 0 && p < edge(i)) --i;
    while (i + 1 < bins && p >= edge(i + 1)) ++i;
    ReliabilityBin& bin = table[i];
    ++bin.count;
    bin.mean_predicted += p;  // a sum until the end
    if (labels[row] == 1) ++positives[i];
  }
  for (size_t i = 0; i < table.size(); ++i) {
    if (table[i].count == 0) continue;
    table[i].mean_predicted /= static_cast<double>(table[i].count);
    table[i].observed_rate = Ratio(positives[i], table[i].count);
  }
  return table;
}

std::string ReliabilityTableCsv(const std::vector<ReliabilityBin>& table) {
  std::string out = "bin_lower,bin_upper,count,mean_predicted,observed_rate\n";
  for (const ReliabilityBin& bin : table) {
    AppendNumber(out, bin.lower);
    out.push_back(',');
    AppendNumber(out, bin.upper);
    out.push_back(',');
    AppendNumber(out, bin.count);
    out.push_back(',');
    AppendNumber(out, bin.mean_predicted);
    out.push_back(',');
    AppendNumber(out, bin.observed_rate);
    out.push_back('\n');
  }
  return out;
}

}  // namespace leadscore
