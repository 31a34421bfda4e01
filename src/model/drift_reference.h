// The training data's distributions, kept in the model so a server can tell when the leads it
// scores stop looking like the ones the model learned from (docs/monitoring.md, "Drift").
//
// One histogram per spec feature (every feature of the spec, not only the model's set) and one
// for the calibrated score, with bins fixed at training:
// - counts: cut points at the training deciles, de-duplicated (counts are discrete), so at most
//   kMaxCountBins bins; the first bin also takes values below the training minimum, the last is
//   open-ended;
// - flags: 0 and 1; categories: every spec value, the unknown one included;
// - the score: kScoreBins bins cut at the deciles of the reference scores (not equal width:
//   most scores are small), de-duplicated like counts when scores tie.
// Population stability index (PSI) compares live bin shares with these.
//
// Values are immutable once built; const methods are safe from any thread and do not allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "features/feature_spec.h"
#include "features/feature_table.h"

namespace leadscore {

inline constexpr size_t kMaxCountBins = 10;
inline constexpr size_t kScoreBins = 10;
// The most bins a stored count or score histogram may have (a bound for fixed-size counters).
inline constexpr size_t kMaxHistogramBins = 32;

// PSI floors every share at this before taking logs, so an empty bin on either side counts as
// a share of 0.01 % instead of making PSI infinite (the usual practice; no renormalisation).
inline constexpr double kPsiEpsilon = 1e-4;
// The field's usual cut-offs: PSI above kPsiWatch is worth watching, above kPsiAlert acting on.
inline constexpr double kPsiWatch = 0.1;
inline constexpr double kPsiAlert = 0.2;

enum class HistogramKind { kCount, kFlag, kCategory, kScore };

// "count", "flag", "category" or "score".
const char* HistogramKindName(HistogramKind kind);

struct ReferenceHistogram {
  std::string name;  // the feature's name, or "score"
  HistogramKind kind = HistogramKind::kCount;
  // kCount, kScore: increasing cut points; bin 0 holds values below cuts[0], bin i values in
  // [cuts[i-1], cuts[i]), the last bin values from cuts.back() up. Empty for other kinds.
  std::vector<double> cuts;
  std::vector<std::string> values;  // kCategory: the vocabulary, one bin each, in spec order
  std::vector<int64_t> counts;      // reference rows per bin

  size_t bins() const { return counts.size(); }
  // The bin of `value` as LeadValues holds it (a count, 0/1, a category index, a score).
  // Always < bins(); out-of-range flags and category indices go to the last bin.
  size_t Bin(double value) const;
  // A readable name: "0", "3-5", "20+" (counts), "false"/"true", the category value, or
  // "[0.031, 0.052)" (scores).
  std::string Label(size_t bin) const;
  // counts as fractions of their sum (all 0 when the sum is 0).
  std::vector<double> Shares() const;
};

struct DriftReference {
  std::vector<ReferenceHistogram> features;  // one per spec feature, in spec order
  ReferenceHistogram score;                  // the calibrated score's
};

// Histograms of reference values.
ReferenceHistogram CountHistogram(std::string name, std::span<const double> values,
                                  size_t max_bins = kMaxCountBins);
ReferenceHistogram FlagHistogram(std::string name, std::span<const double> values);
ReferenceHistogram CategoryHistogram(const Feature& feature, std::span<const uint16_t> indices);
ReferenceHistogram ScoreHistogram(std::span<const double> scores, size_t bins = kScoreBins);

// Cut points for at most `max_bins` bins of `values` (any order): the distinct values above the
// minimum among the max_bins - 1 quantiles (nearest rank); when there are none, the next value
// above the minimum (minimum + 1 when `discrete`), so values above the reference's show.
// Empty `values` give no cuts (one bin).
std::vector<double> QuantileCuts(std::span<const double> values, size_t max_bins, bool discrete);

// PSI = sum over bins of (a - e) * ln(a / e), a and e the live and reference shares, each
// floored at kPsiEpsilon. The counts must have the same length; NaN when either sums to 0.
double Psi(std::span<const int64_t> reference, std::span<const uint64_t> live);
// One bin's term of that sum (shares, floored inside).
double PsiTerm(double reference_share, double live_share);

// "ok" (PSI <= kPsiWatch), "watch" (<= kPsiAlert), "alert" (above), "no data" (NaN).
const char* PsiStatus(double psi);

// The reference of `rows` of `table` (every spec feature) and of `scores` (the calibrated
// scores of the rows chosen as the score's reference).
DriftReference BuildDriftReference(const FeatureTable& table, std::span<const size_t> rows,
                                   std::span<const double> scores);

// The model attribute's form:
// {"features":[{"name":"sessions","kind":"count","cuts":[2,3],"counts":[70,20,10]},
//              {"name":"is_first_visit","kind":"flag","counts":[40,60]},
//              {"name":"channel","kind":"category","values":["Direct",...],"counts":[...]}],
//  "score":{"name":"score","kind":"score","cuts":[...],"counts":[...]}}
// Numbers round-trip exactly.
std::string DriftReferenceToJson(const DriftReference& reference);
// Reads that form; the error names the histogram and the field that is wrong.
Result<DriftReference> DriftReferenceFromJson(std::string_view json);
// Whether `reference` has exactly `spec`'s features, in order, with their kinds and category
// vocabularies (what the server's counters are laid out by); the error names the first
// difference.
Status CheckMatchesSpec(const DriftReference& reference, const FeatureSpec& spec);

}  // namespace leadscore
