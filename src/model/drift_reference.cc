#include "model/drift_reference.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

namespace leadscore {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::pair<HistogramKind, const char*> kKindNames[] = {
    {HistogramKind::kCount, "count"},
    {HistogramKind::kFlag, "flag"},
    {HistogramKind::kCategory, "category"},
    {HistogramKind::kScore, "score"},
};

HistogramKind KindOf(FeatureType type) {
  switch (type) {
    case FeatureType::kCount:
      return HistogramKind::kCount;
    case FeatureType::kFlag:
      return HistogramKind::kFlag;
    case FeatureType::kCategory:
      return HistogramKind::kCategory;
  }
  return HistogramKind::kCount;
}

bool HasCuts(HistogramKind kind) {
  return kind == HistogramKind::kCount || kind == HistogramKind::kScore;
}

std::string Integer(double value) { return std::to_string(static_cast<int64_t>(value)); }

std::string Short(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

// Counts per bin of `values` under `histogram`'s bins.
void CountInto(ReferenceHistogram& histogram, std::span<const double> values) {
  for (double value : values) ++histogram.counts[histogram.Bin(value)];
}

Json HistogramJson(const ReferenceHistogram& histogram) {
  Json out;
  out["name"] = histogram.name;
  out["kind"] = HistogramKindName(histogram.kind);
  if (HasCuts(histogram.kind)) out["cuts"] = histogram.cuts;
  if (histogram.kind == HistogramKind::kCategory) out["values"] = histogram.values;
  out["counts"] = histogram.counts;
  return out;
}

Result<ReferenceHistogram> HistogramFromJson(const nlohmann::json& json, const std::string& where) {
  const auto invalid = [&](const std::string& what) {
    return Status::Error("the model's drift reference: " + where + " " + what +
                         "; retrain the model");
  };
  if (!json.is_object()) return invalid("is not an object");
  ReferenceHistogram histogram;
  if (!json.contains("name") || !json["name"].is_string()) return invalid("has no string name");
  histogram.name = json["name"].get<std::string>();
  const std::string named = where + " '" + histogram.name + "'";
  const auto bad = [&](const std::string& what) {
    return Status::Error("the model's drift reference: " + named + " " + what +
                         "; retrain the model");
  };
  if (!json.contains("kind") || !json["kind"].is_string()) return bad("has no kind");
  const std::string kind = json["kind"].get<std::string>();
  const auto* found = std::find_if(std::begin(kKindNames), std::end(kKindNames),
                                   [&](const auto& entry) { return kind == entry.second; });
  if (found == std::end(kKindNames)) return bad("has an unknown kind '" + kind + "'");
  histogram.kind = found->first;
  if (!json.contains("counts") || !json["counts"].is_array() || json["counts"].empty()) {
    return bad("has no counts");
  }
  for (const auto& count : json["counts"]) {
    if (!count.is_number_integer() || count.get<int64_t>() < 0) {
      return bad("has a count that is not a non-negative integer");
    }
    histogram.counts.push_back(count.get<int64_t>());
  }
  if (HasCuts(histogram.kind)) {
    if (histogram.bins() > kMaxHistogramBins) {
      return bad("has more than " + std::to_string(kMaxHistogramBins) + " bins");
    }
    if (!json.contains("cuts") || !json["cuts"].is_array() ||
        json["cuts"].size() + 1 != histogram.bins()) {
      return bad("needs one cut fewer than counts");
    }
    for (const auto& cut : json["cuts"]) {
      if (!cut.is_number() || !std::isfinite(cut.get<double>()) ||
          (!histogram.cuts.empty() && cut.get<double>() <= histogram.cuts.back())) {
        return bad("has cuts that are not finite and increasing");
      }
      histogram.cuts.push_back(cut.get<double>());
    }
  } else if (histogram.kind == HistogramKind::kFlag) {
    if (histogram.bins() != 2) return bad("needs two counts (false, true)");
  } else {
    if (!json.contains("values") || !json["values"].is_array() ||
        json["values"].size() != histogram.bins()) {
      return bad("needs one value per count");
    }
    for (const auto& value : json["values"]) {
      if (!value.is_string()) return bad("has a value that is not a string");
      histogram.values.push_back(value.get<std::string>());
    }
  }
  return histogram;
}

// The bin count each kind must have (what the server's fixed-size counters hold).
Status CheckBins(const ReferenceHistogram& histogram) {
  const size_t bins = histogram.bins();
  bool fits = bins >= 1;
  switch (histogram.kind) {
    case HistogramKind::kCount:
    case HistogramKind::kScore:
      fits = fits && bins <= kMaxHistogramBins && histogram.cuts.size() + 1 == bins;
      break;
    case HistogramKind::kFlag:
      fits = bins == 2;
      break;
    case HistogramKind::kCategory:
      fits = fits && histogram.values.size() == bins;
      break;
  }
  if (fits) return Status::Ok();
  return Status::Error("the model's drift reference for '" + histogram.name + "' has " +
                       std::to_string(bins) + " bins, which its kind does not allow");
}

}  // namespace

const char* HistogramKindName(HistogramKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "count";
}

size_t ReferenceHistogram::Bin(double value) const {
  switch (kind) {
    case HistogramKind::kCount:
    case HistogramKind::kScore:
      // NaN compares false everywhere: it lands in the last bin.
      return static_cast<size_t>(std::upper_bound(cuts.begin(), cuts.end(), value) - cuts.begin());
    case HistogramKind::kFlag:
      return value != 0.0 ? 1 : 0;
    case HistogramKind::kCategory:
      return value >= 0.0 && value < static_cast<double>(bins()) ? static_cast<size_t>(value)
                                                                 : bins() - 1;
  }
  return 0;
}

std::string ReferenceHistogram::Label(size_t bin) const {
  switch (kind) {
    case HistogramKind::kFlag:
      return bin == 0 ? "false" : "true";
    case HistogramKind::kCategory:
      return bin < values.size() ? values[bin] : "";
    case HistogramKind::kCount: {
      if (cuts.empty()) return "all";
      if (bin == cuts.size()) return Integer(cuts.back()) + "+";
      const double low = bin == 0 ? 0.0 : cuts[bin - 1];
      const double high = cuts[bin] - 1.0;
      return high <= low ? Integer(low) : Integer(low) + "-" + Integer(high);
    }
    case HistogramKind::kScore: {
      if (cuts.empty()) return "[0, 1]";
      if (bin == cuts.size()) return "[" + Short(cuts.back()) + ", 1]";
      return "[" + (bin == 0 ? std::string("0") : Short(cuts[bin - 1])) + ", " + Short(cuts[bin]) +
             ")";
    }
  }
  return "";
}

std::vector<double> ReferenceHistogram::Shares() const {
  int64_t total = 0;
  for (int64_t count : counts) total += count;
  std::vector<double> shares(counts.size(), 0.0);
  if (total == 0) return shares;
  for (size_t i = 0; i < counts.size(); ++i) {
    shares[i] = static_cast<double>(counts[i]) / static_cast<double>(total);
  }
  return shares;
}

std::vector<double> QuantileCuts(std::span<const double> values, size_t max_bins, bool discrete) {
  std::vector<double> sorted(values.begin(), values.end());
  std::erase_if(sorted, [](double v) { return std::isnan(v); });
  if (sorted.empty() || max_bins < 2) return {};
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  const double minimum = sorted.front();
  std::vector<double> cuts;
  for (size_t k = 1; k < max_bins; ++k) {
    const double q = sorted[std::min(n - 1, k * n / max_bins)];
    if (q > minimum && (cuts.empty() || q > cuts.back())) cuts.push_back(q);
  }
  if (cuts.empty()) {
    cuts.push_back(discrete ? minimum + 1.0
                            : std::nextafter(minimum, std::numeric_limits<double>::infinity()));
  }
  return cuts;
}

ReferenceHistogram CountHistogram(std::string name, std::span<const double> values,
                                  size_t max_bins) {
  ReferenceHistogram histogram;
  histogram.name = std::move(name);
  histogram.kind = HistogramKind::kCount;
  histogram.cuts = QuantileCuts(values, max_bins, /*discrete=*/true);
  histogram.counts.assign(histogram.cuts.size() + 1, 0);
  CountInto(histogram, values);
  return histogram;
}

ReferenceHistogram FlagHistogram(std::string name, std::span<const double> values) {
  ReferenceHistogram histogram;
  histogram.name = std::move(name);
  histogram.kind = HistogramKind::kFlag;
  histogram.counts.assign(2, 0);
  CountInto(histogram, values);
  return histogram;
}

ReferenceHistogram CategoryHistogram(const Feature& feature, std::span<const uint16_t> indices) {
  ReferenceHistogram histogram;
  histogram.name = feature.name;
  histogram.kind = HistogramKind::kCategory;
  histogram.values = feature.values;
  histogram.counts.assign(feature.values.size(), 0);
  for (uint16_t index : indices) ++histogram.counts[histogram.Bin(index)];
  return histogram;
}

ReferenceHistogram ScoreHistogram(std::span<const double> scores, size_t bins) {
  ReferenceHistogram histogram;
  histogram.name = "score";
  histogram.kind = HistogramKind::kScore;
  histogram.cuts = QuantileCuts(scores, bins, /*discrete=*/false);
  histogram.counts.assign(histogram.cuts.size() + 1, 0);
  CountInto(histogram, scores);
  return histogram;
}

DriftReference BuildDriftReference(const FeatureTable& table, std::span<const size_t> rows,
                                   std::span<const double> scores) {
  DriftReference reference;
  for (const FeatureColumn& column : table.columns) {
    const Feature& feature = *column.feature;
    if (feature.type == FeatureType::kCategory) {
      std::vector<uint16_t> indices;
      indices.reserve(rows.size());
      for (size_t row : rows) indices.push_back(column.categories[row]);
      reference.features.push_back(CategoryHistogram(feature, indices));
      continue;
    }
    std::vector<double> values;
    values.reserve(rows.size());
    for (size_t row : rows) values.push_back(column.numbers[row]);
    reference.features.push_back(feature.type == FeatureType::kFlag
                                     ? FlagHistogram(feature.name, values)
                                     : CountHistogram(feature.name, values));
  }
  reference.score = ScoreHistogram(scores);
  return reference;
}

double PsiTerm(double reference_share, double live_share) {
  const double e = std::max(reference_share, kPsiEpsilon);
  const double a = std::max(live_share, kPsiEpsilon);
  return (a - e) * std::log(a / e);
}

double Psi(std::span<const int64_t> reference, std::span<const uint64_t> live) {
  double reference_total = 0.0, live_total = 0.0;
  for (int64_t count : reference) reference_total += static_cast<double>(count);
  for (uint64_t count : live) live_total += static_cast<double>(count);
  if (reference_total == 0.0 || live_total == 0.0 || reference.size() != live.size()) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  double psi = 0.0;
  for (size_t i = 0; i < reference.size(); ++i) {
    psi += PsiTerm(static_cast<double>(reference[i]) / reference_total,
                   static_cast<double>(live[i]) / live_total);
  }
  return psi;
}

const char* PsiStatus(double psi) {
  if (std::isnan(psi)) return "no data";
  if (psi > kPsiAlert) return "alert";
  if (psi > kPsiWatch) return "watch";
  return "ok";
}

std::string DriftReferenceToJson(const DriftReference& reference) {
  Json out;
  out["features"] = Json::array();
  for (const ReferenceHistogram& histogram : reference.features) {
    out["features"].push_back(HistogramJson(histogram));
  }
  out["score"] = HistogramJson(reference.score);
  return out.dump();
}

Result<DriftReference> DriftReferenceFromJson(std::string_view text) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object() || !json.contains("features") || !json["features"].is_array() ||
      !json.contains("score")) {
    return Status::Error(
        "the model's drift reference is not an object with features and score; retrain the "
        "model");
  }
  DriftReference reference;
  for (const auto& feature : json["features"]) {
    auto histogram = HistogramFromJson(feature, "feature");
    if (!histogram.ok()) return histogram.status();
    if (histogram.value().kind == HistogramKind::kScore) {
      return Status::Error("the model's drift reference: feature '" + histogram.value().name +
                           "' has kind score; retrain the model");
    }
    reference.features.push_back(std::move(histogram).value());
  }
  auto score = HistogramFromJson(json["score"], "histogram");
  if (!score.ok()) return score.status();
  if (score.value().kind != HistogramKind::kScore) {
    return Status::Error("the model's drift reference: the score histogram has kind '" +
                         std::string(HistogramKindName(score.value().kind)) +
                         "'; retrain the model");
  }
  reference.score = std::move(score).value();
  return reference;
}

Status CheckMatchesSpec(const DriftReference& reference, const FeatureSpec& spec) {
  if (reference.features.size() != spec.features.size()) {
    return Status::Error("the model's drift reference has " +
                         std::to_string(reference.features.size()) + " features, this binary's " +
                         "feature spec " + std::to_string(spec.features.size()));
  }
  for (size_t i = 0; i < spec.features.size(); ++i) {
    const Feature& feature = spec.features[i];
    const ReferenceHistogram& histogram = reference.features[i];
    if (histogram.name != feature.name || histogram.kind != KindOf(feature.type) ||
        (feature.type == FeatureType::kCategory && histogram.values != feature.values)) {
      return Status::Error("the model's drift reference for '" + histogram.name +
                           "' does not match this binary's feature '" + feature.name + "'");
    }
    LEADSCORE_RETURN_IF_ERROR(CheckBins(histogram));
  }
  return CheckBins(reference.score);
}

}  // namespace leadscore
