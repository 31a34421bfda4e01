#include "model/grades.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace leadscore {
namespace {

// 100 distinct scores 0.01..1.00: the default shares cut exactly at 5, 20 and 50 leads.
std::vector<double> Hundred() {
  std::vector<double> scores;
  for (int i = 1; i <= 100; ++i) scores.push_back(i / 100.0);
  return scores;
}

TEST(Grades, DefaultSharesCutTopFiveFifteenThirty) {
  const GradeCuts cuts = ChooseGradeCuts(Hundred(), GradeShares{});
  EXPECT_DOUBLE_EQ(cuts.cuts[0], 0.96);
  EXPECT_DOUBLE_EQ(cuts.cuts[1], 0.81);
  EXPECT_DOUBLE_EQ(cuts.cuts[2], 0.51);
  EXPECT_EQ(GradeOf(cuts, 0.96), 'A');
  EXPECT_EQ(GradeOf(cuts, 0.955), 'B');
  EXPECT_EQ(GradeOf(cuts, 0.81), 'B');
  EXPECT_EQ(GradeOf(cuts, 0.8), 'C');
  EXPECT_EQ(GradeOf(cuts, 0.51), 'C');
  EXPECT_EQ(GradeOf(cuts, 0.5), 'D');
  EXPECT_EQ(GradeOf(cuts, std::nan("")), 'D');
}

TEST(Grades, NeverSplitsAPlateauOfTiedScores) {
  // 10 leads at 0.9 then 90 distinct lower ones: A's closest boundary is after 0 or 10 leads
  // (0 % or 10 % against 5 %); a tie goes to the first found, the empty A.
  std::vector<double> scores(10, 0.9);
  for (int i = 1; i <= 90; ++i) scores.push_back(i / 100.0);
  const GradeCuts cuts = ChooseGradeCuts(scores, GradeShares{});
  for (double score : scores) {
    if (score == 0.9) EXPECT_EQ(GradeOf(cuts, score), GradeOf(cuts, 0.9));
  }
  const auto table = GradeTable(cuts, scores, std::vector<int>(scores.size(), 0));
  EXPECT_EQ(table[0].leads + table[1].leads, 20);
  EXPECT_TRUE(table[0].leads == 0 || table[0].leads == 10);
}

TEST(Grades, CutsNeverRise) {
  const std::vector<double> same(50, 0.3);
  const GradeCuts cuts = ChooseGradeCuts(same, GradeShares{});
  EXPECT_GE(cuts.cuts[0], cuts.cuts[1]);
  EXPECT_GE(cuts.cuts[1], cuts.cuts[2]);
}

TEST(Grades, TableCountsPrecisionAndShareOfWins) {
  const std::vector<double> scores = Hundred();
  std::vector<int> labels(100, 0);
  for (int i = 95; i < 100; ++i) labels[i] = 1;  // A: 5 leads, all won
  labels[0] = 1;                                 // one win in D
  const GradeCuts cuts = ChooseGradeCuts(scores, GradeShares{});
  const auto table = GradeTable(cuts, scores, labels);
  EXPECT_EQ(table[0].leads, 5);
  EXPECT_DOUBLE_EQ(table[0].precision, 1.0);
  EXPECT_DOUBLE_EQ(table[0].share_of_wins, 5.0 / 6.0);
  EXPECT_EQ(table[3].leads, 50);
  EXPECT_DOUBLE_EQ(table[3].share_of_wins, 1.0 / 6.0);
  EXPECT_DOUBLE_EQ(table[1].share_of_leads, 0.15);
  EXPECT_NE(GradeTableCsv(table).find("A,0.96,5,5,0.050000,1.000000,0.833333\n"),
            std::string::npos);
}

TEST(Grades, JsonRoundTripsExactly) {
  GradeCuts cuts = ChooseGradeCuts(std::vector<double>{0.1234567890123, 0.2, 0.3, 0.7},
                                   GradeShares{{0.1, 0.2, 0.3}});
  auto back = GradeCutsFromJson(GradeCutsToJson(cuts));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back.value(), cuts);
}

TEST(Grades, RejectsMalformedOrUnorderedJson) {
  EXPECT_FALSE(GradeCutsFromJson("{\"cuts\":[0.5,0.2,0.1]}").ok());
  EXPECT_FALSE(GradeCutsFromJson("{\"shares\":[0.05,0.15,0.3],\"cuts\":[0.1,0.2,0.05]}").ok());
  EXPECT_FALSE(GradeCutsFromJson("not json").ok());
}

TEST(Grades, ParsesSharesAndNamesWhatIsWrong) {
  auto shares = ParseGradeShares("0.1,0.2,0.3");
  ASSERT_TRUE(shares.ok());
  EXPECT_DOUBLE_EQ(shares.value().shares[2], 0.3);
  EXPECT_NE(ParseGradeShares("0.1,x,0.3").status().message().find("'x'"), std::string::npos);
  EXPECT_NE(ParseGradeShares("0.1,0.2").status().message().find("fewer than three"),
            std::string::npos);
  EXPECT_NE(ParseGradeShares("0.5,0.3,0.3").status().message().find("sum to"), std::string::npos);
  EXPECT_FALSE(ParseGradeShares("0,0.2,0.3").ok());
}

}  // namespace
}  // namespace leadscore
