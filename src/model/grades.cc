#include "model/grades.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>

namespace leadscore {
namespace {

Status CheckShares(const GradeShares& shares) {
  double total = 0.0;
  for (size_t i = 0; i < shares.shares.size(); ++i) {
    const double share = shares.shares[i];
    if (!(share > 0.0 && share < 1.0)) {
      return Status::Error(
          fmt::format("the share of grade {} is {}; each share of A, B and C "
                      "must be between 0 and 1 (e.g. 0.05,0.15,0.30)",
                      kGradeLetters[i], share));
    }
    total += share;
  }
  if (total >= 1.0) {
    return Status::Error(
        fmt::format("the shares of A, B and C sum to {}; they must leave D a "
                    "share (sum below 1, e.g. 0.05,0.15,0.30)",
                    total));
  }
  return Status::Ok();
}

}  // namespace

Result<GradeShares> ParseGradeShares(std::string_view text) {
  GradeShares shares;
  size_t index = 0;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t comma = std::min(text.find(',', begin), text.size());
    const std::string part(text.substr(begin, comma - begin));
    if (index == shares.shares.size()) {
      return Status::Error("'" + std::string(text) +
                           "' has more than three shares; give those of A, B and C, e.g. "
                           "0.05,0.15,0.30 (D takes the rest)");
    }
    char* end = nullptr;
    const double value = std::strtod(part.c_str(), &end);
    if (part.empty() || end != part.c_str() + part.size()) {
      return Status::Error("'" + part + "' in '" + std::string(text) +
                           "' is not a number; give the shares of A, B and C as fractions, "
                           "e.g. 0.05,0.15,0.30");
    }
    shares.shares[index++] = value;
    begin = comma + 1;
  }
  if (index != shares.shares.size()) {
    return Status::Error("'" + std::string(text) +
                         "' has fewer than three shares; give those of A, B and C, e.g. "
                         "0.05,0.15,0.30 (D takes the rest)");
  }
  LEADSCORE_RETURN_IF_ERROR(CheckShares(shares));
  return shares;
}

GradeCuts ChooseGradeCuts(std::span<const double> scores, const GradeShares& shares) {
  GradeCuts cuts;
  cuts.target = shares;
  std::vector<double> sorted;
  sorted.reserve(scores.size());
  for (double score : scores) {
    if (!std::isnan(score)) sorted.push_back(score);
  }
  if (sorted.empty()) return cuts;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  const size_t n = sorted.size();
  // The boundaries a cut may sit at: after the top k scores, where the k-th and (k+1)-th
  // differ (k = 0 and k = n always qualify).
  std::vector<size_t> boundaries = {0};
  for (size_t k = 1; k < n; ++k) {
    if (sorted[k] != sorted[k - 1]) boundaries.push_back(k);
  }
  boundaries.push_back(n);

  double cumulative = 0.0;
  size_t from = 0;  // cuts never go back up: B's boundary is at or below A's
  for (size_t grade = 0; grade < cuts.cuts.size(); ++grade) {
    cumulative += shares.shares[grade];
    size_t best = from;
    for (size_t i = from; i < boundaries.size(); ++i) {
      const double share = static_cast<double>(boundaries[i]) / static_cast<double>(n);
      const double best_share = static_cast<double>(boundaries[best]) / static_cast<double>(n);
      if (std::fabs(share - cumulative) < std::fabs(best_share - cumulative)) best = i;
    }
    from = best;
    const size_t k = boundaries[best];
    // The top k scores are in this grade or above; with k = 0 none is: a cut just above the
    // highest score.
    cuts.cuts[grade] =
        k == 0 ? std::nextafter(sorted[0], std::numeric_limits<double>::infinity()) : sorted[k - 1];
  }
  return cuts;
}

char GradeOf(const GradeCuts& cuts, double score) {
  for (size_t grade = 0; grade < cuts.cuts.size(); ++grade) {
    if (score >= cuts.cuts[grade]) return kGradeLetters[grade];
  }
  return kGradeLetters.back();
}

std::array<GradeRow, kGradeCount> GradeTable(const GradeCuts& cuts, std::span<const double> scores,
                                             std::span<const int> labels) {
  std::array<GradeRow, kGradeCount> table;
  for (size_t grade = 0; grade < kGradeCount; ++grade) {
    table[grade].grade = kGradeLetters[grade];
    table[grade].lower = grade < cuts.cuts.size() ? cuts.cuts[grade] : 0.0;
  }
  int64_t wins = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    const char letter = GradeOf(cuts, scores[i]);
    GradeRow& row = table[static_cast<size_t>(letter - 'A')];
    ++row.leads;
    row.wins += labels[i];
    wins += labels[i];
  }
  for (GradeRow& row : table) {
    row.share_of_leads =
        scores.empty() ? 0.0 : static_cast<double>(row.leads) / static_cast<double>(scores.size());
    row.precision = row.leads == 0 ? std::numeric_limits<double>::quiet_NaN()
                                   : static_cast<double>(row.wins) / static_cast<double>(row.leads);
    row.share_of_wins = wins == 0 ? 0.0 : static_cast<double>(row.wins) / static_cast<double>(wins);
  }
  return table;
}

std::string GradeTableCsv(const std::array<GradeRow, kGradeCount>& table) {
  std::string csv = "grade,lower,leads,wins,share_of_leads,precision,share_of_wins\n";
  for (const GradeRow& row : table) {
    csv += fmt::format("{},{:.9g},{},{},{:.6f},{},{:.6f}\n", row.grade, row.lower, row.leads,
                       row.wins, row.share_of_leads,
                       std::isnan(row.precision) ? "" : fmt::format("{:.6f}", row.precision),
                       row.share_of_wins);
  }
  return csv;
}

std::string GradeCutsToJson(const GradeCuts& cuts) {
  const nlohmann::ordered_json json = {{"shares", cuts.target.shares}, {"cuts", cuts.cuts}};
  return json.dump();
}

Result<GradeCuts> GradeCutsFromJson(std::string_view text) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  const auto three_numbers = [&json](const char* key) {
    if (!json.is_object() || !json.contains(key)) return false;
    const nlohmann::json& list = json[key];
    return list.is_array() && list.size() == 3 &&
           std::all_of(list.begin(), list.end(),
                       [](const nlohmann::json& value) { return value.is_number(); });
  };
  if (!three_numbers("shares") || !three_numbers("cuts")) {
    return Status::Error(
        "the model's grades attribute is not {\"shares\":[a,b,c],\"cuts\":[a,b,c]}; retrain the "
        "model");
  }
  GradeCuts cuts;
  for (size_t i = 0; i < 3; ++i) {
    cuts.target.shares[i] = json["shares"][i].get<double>();
    cuts.cuts[i] = json["cuts"][i].get<double>();
  }
  if (!(cuts.cuts[0] >= cuts.cuts[1] && cuts.cuts[1] >= cuts.cuts[2])) {
    return Status::Error(
        "the model's grade cuts are not in order (A's at or above B's at or above C's); "
        "retrain the model");
  }
  return cuts;
}

}  // namespace leadscore
