// Grades A-D: the calibrated score cut into four bands that sales can act on. The cut points
// are chosen at training time so that given shares of leads fall in each grade (default: A the
// top 5 %, B the next 15 %, C the next 30 %, D the rest), stored in the model (booster
// attribute "grades") and applied to every score. A model saved before leadscore stored grades
// has none: its scores carry no grade (docs/training.md, "Grades").
//
// All types here are plain values; every function is pure and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace leadscore {

inline constexpr size_t kGradeCount = 4;
inline constexpr std::array<char, kGradeCount> kGradeLetters = {'A', 'B', 'C', 'D'};

// The target shares of A, B and C (D takes the rest): each in (0, 1), summing to < 1.
struct GradeShares {
  std::array<double, 3> shares = {0.05, 0.15, 0.30};

  bool operator==(const GradeShares&) const = default;
};

// "0.05,0.15,0.30" (the --grade-shares form) into shares; the error names the bad part.
Result<GradeShares> ParseGradeShares(std::string_view text);

struct GradeCuts {
  GradeShares target;
  // A score >= cuts[0] is A, else >= cuts[1] B, else >= cuts[2] C, else D; non-increasing.
  std::array<double, 3> cuts = {1.0, 1.0, 1.0};

  bool operator==(const GradeCuts&) const = default;
};

// Cut points for `scores` (calibrated, any order). Calibrated scores tie in plateaus, and a
// plateau is never split between grades: each cut is placed at the boundary between distinct
// scores whose cumulative share from the top is closest to the target's cumulative share
// (A: 5 %, A+B: 20 %, A+B+C: 50 % by default), so actual shares are near, not exactly, the
// targets. Empty `scores` gives cuts at 1.0 (a score of exactly 1.0 is A; else D).
GradeCuts ChooseGradeCuts(std::span<const double> scores, const GradeShares& shares);

// 'A'..'D'. NaN is 'D'.
char GradeOf(const GradeCuts& cuts, double score);

// How each grade did on labelled rows (the test rows): the counts, each grade's share of the
// rows, its precision (the share of its leads that were won) and its share of all wins.
struct GradeRow {
  char grade = 'A';
  double lower = 0.0;  // the grade's lowest score (its cut; 0 for D)
  int64_t leads = 0;
  int64_t wins = 0;
  double share_of_leads = 0.0;
  double precision = 0.0;  // NaN when the grade is empty
  double share_of_wins = 0.0;
};
std::array<GradeRow, kGradeCount> GradeTable(const GradeCuts& cuts, std::span<const double> scores,
                                             std::span<const int> labels);

// The table as CSV (grade,lower,leads,wins,share_of_leads,precision,share_of_wins), the form
// logged to MLflow as grades.csv.
std::string GradeTableCsv(const std::array<GradeRow, kGradeCount>& table);

// {"shares":[a,b,c],"cuts":[a,b,c]}: the model attribute. Numbers round-trip exactly.
std::string GradeCutsToJson(const GradeCuts& cuts);
// Reads GradeCutsToJson's format; the error says what is wrong and to retrain.
Result<GradeCuts> GradeCutsFromJson(std::string_view json);

}  // namespace leadscore
