#include "metrics/oracle.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "metrics/auc.h"
#include "tests/temp_dir_fixture.h"

namespace leadscore {
namespace {

namespace fs = std::filesystem;

class OracleTest : public TempDirTest {
 protected:
  fs::path Write(const std::string& name, const std::string& text) {
    fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // A feature table read through the real reader from `rows` (without the header).
  FeatureTable Table(const std::string& rows) {
    auto table = ReadFeatureTable(
        Write("features.csv",
              "lead_id,visitor_id,channel,sessions,engaged_sessions,page_views,is_first_visit,"
              "is_won\n" +
                  rows),
        FeatureSpec::Builtin());
    EXPECT_TRUE(table.ok()) << table.status().message();
    return table.ok() ? std::move(table).value() : FeatureTable{};
  }
};

TEST_F(OracleTest, ReadTruthReadsProbabilitiesByLead) {
  auto truth = ReadTruth(Write("truth.csv", "lead_id,p_won\n1001,0.250000\n1002,1\n1003,0\n"));
  ASSERT_TRUE(truth.ok()) << truth.status().message();
  EXPECT_EQ(truth.value().size(), 3u);
  EXPECT_EQ(truth.value().at("1001"), 0.25);
  EXPECT_EQ(truth.value().at("1002"), 1.0);
  EXPECT_EQ(truth.value().at("1003"), 0.0);
}

TEST_F(OracleTest, ReadTruthRejectsALeadTwice) {
  const fs::path path = Write("truth.csv", "lead_id,p_won\n1001,0.5\n1001,0.6\n");
  auto truth = ReadTruth(path);
  ASSERT_FALSE(truth.ok());
  EXPECT_EQ(truth.status().message(),
            path.string() +
                " line 3, column lead_id: lead 1001 appears twice; each lead needs exactly one "
                "p_won");
}

TEST_F(OracleTest, ReadTruthRejectsTheRetiredVisitorKeyedFile) {
  const fs::path path = Write("truth.csv", "visitor_id,p_won\nV1,0.5\n");
  auto truth = ReadTruth(path);
  ASSERT_FALSE(truth.ok());
  EXPECT_EQ(truth.status().message(),
            path.string() + ": missing column(s) lead_id (found: visitor_id, p_won)");
}

TEST_F(OracleTest, ReadTruthRejectsAProbabilityAboveOneWithItsLine) {
  const fs::path path = Write("truth.csv", "lead_id,p_won\nL1,0.5\nL2,1.5\n");
  auto truth = ReadTruth(path);
  ASSERT_FALSE(truth.ok());
  EXPECT_EQ(truth.status().message(),
            path.string() + " line 3, column p_won: '1.5' is not a probability in [0, 1]");
}

TEST_F(OracleTest, ReadTruthRejectsNegativeAndNonNumericProbabilities) {
  for (const char* bad : {"-0.1", "abc", "", "0.5x"}) {
    const fs::path path = Write("truth.csv", std::string("lead_id,p_won\nL1,") + bad + "\n");
    auto truth = ReadTruth(path);
    ASSERT_FALSE(truth.ok()) << "accepted '" << bad << "'";
    EXPECT_EQ(truth.status().message(), path.string() + " line 2, column p_won: '" + bad +
                                            "' is not a probability in [0, 1]");
  }
}

TEST_F(OracleTest, ReadTruthRejectsAMissingColumn) {
  const fs::path path = Write("truth.csv", "lead_id,p\nL1,0.5\n");
  auto truth = ReadTruth(path);
  ASSERT_FALSE(truth.ok());
  EXPECT_EQ(truth.status().message(),
            path.string() + ": missing column(s) p_won (found: lead_id, p)");
}

TEST_F(OracleTest, ComputeOracleFailsWhenALeadHasNoTruthRow) {
  const FeatureTable table = Table(
      "L1,V1,Direct,1,0,1,1,0\n"
      "L2,V2,Direct,1,0,1,1,1\n");
  ASSERT_EQ(table.rows(), 2u);
  auto report = ComputeOracle(table, FeatureSpec::Builtin(), {{"L1", 0.2}, {"V2", 0.4}});
  ASSERT_FALSE(report.ok());  // V2 is L2's visitor: truth is keyed by lead
  EXPECT_NE(report.status().message().find("lead L2 has no row in the truth file"),
            std::string::npos)
      << report.status().message();
}

TEST_F(OracleTest, ComputeOracleJoinsOnLeadIdWithoutAVisitorIdColumn) {
  auto read = ReadFeatureTable(
      Write("no_visitor.csv",
            "lead_id,channel,sessions,engaged_sessions,page_views,is_first_visit,is_won\n"
            "L1,Direct,1,0,1,1,0\n"
            "L2,Email,2,1,3,0,1\n"),
      FeatureSpec::Builtin());
  ASSERT_TRUE(read.ok()) << read.status().message();
  auto report = ComputeOracle(read.value(), FeatureSpec::Builtin(), {{"L1", 0.2}, {"L2", 0.7}});
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_DOUBLE_EQ(report.value().auc_truth, 1.0);
}

TEST_F(OracleTest, TruthAucIsRocAucOfTheTrueProbabilitiesAndBayesAucUsesFeatureCells) {
  // Rows 0-3 share the base features (1 session) and rows 4-7 another (2 sessions); channel
  // splits each group in two. The Bayes AUC fits cell means on even rows, ranks odd rows.
  const FeatureTable table = Table(
      "L0,V0,Direct,1,0,1,1,0\n"
      "L1,V1,Direct,1,0,1,1,0\n"
      "L2,V2,Email,1,0,1,1,1\n"
      "L3,V3,Email,1,0,1,1,1\n"
      "L4,V4,Direct,2,1,3,0,0\n"
      "L5,V5,Direct,2,1,3,0,0\n"
      "L6,V6,Email,2,1,3,0,1\n"
      "L7,V7,Email,2,1,3,0,1\n");
  ASSERT_EQ(table.rows(), 8u);
  const std::unordered_map<std::string, double> truth = {{"L0", 0.1}, {"L1", 0.2}, {"L2", 0.5},
                                                         {"L3", 0.6}, {"L4", 0.3}, {"L5", 0.55},
                                                         {"L6", 0.9}, {"L7", 0.8}};
  auto report = ComputeOracle(table, FeatureSpec::Builtin(), truth);
  ASSERT_TRUE(report.ok()) << report.status().message();
  const OracleReport& r = report.value();
  EXPECT_EQ(r.rows, 8u);
  EXPECT_DOUBLE_EQ(r.positive_rate, 0.5);

  // Positives 0.5, 0.6, 0.9, 0.8 against negatives 0.1, 0.2, 0.3, 0.55: only 0.5 < 0.55 is
  // misordered, so 15 of 16 pairs.
  const std::vector<double> p = {0.1, 0.2, 0.5, 0.6, 0.3, 0.55, 0.9, 0.8};
  EXPECT_DOUBLE_EQ(r.auc_truth, RocAuc(p, table.labels));
  EXPECT_DOUBLE_EQ(r.auc_truth, 15.0 / 16.0);

  ASSERT_EQ(r.auc_bayes.size(), 3u);
  // base: cells {1 session} = mean(0.1, 0.5) = 0.3 and {2 sessions} = mean(0.3, 0.9) = 0.6.
  // Odd rows score 0.3 (L1, lost), 0.3 (L3, won), 0.6 (L5, lost), 0.6 (L7, won):
  // L3 ties L1 and loses to L5 (1/2), L7 beats L1 and ties L5 (3/2): 2 of 4 pairs.
  EXPECT_DOUBLE_EQ(r.auc_bayes.at("base"), 0.5);
  // base+channel: four cells, 0.1 / 0.5 / 0.3 / 0.9; odd rows 0.1 (lost), 0.5 (won), 0.3 (lost),
  // 0.9 (won): perfectly ranked.
  EXPECT_DOUBLE_EQ(r.auc_bayes.at("base+channel"), 1.0);
  // base+channel+recency: a creation-time table has recency 0 everywhere, so its cells are
  // base+channel's.
  EXPECT_DOUBLE_EQ(r.auc_bayes.at("base+channel+recency"), 1.0);
}

TEST_F(OracleTest, BayesAucScoresUnseenFeatureVectorsWithTheFitMean) {
  // Even rows fit: L0 (Direct) p = 0.2 and L2 (Email) p = 0.6, fit mean 0.4. Odd rows: L1 is in
  // a cell never fitted (Referral), so it scores 0.4 and is won; L3 is in L0's cell (0.2) and
  // lost. A fallback of 0 (or of the cell default) would rank them the other way.
  const FeatureTable table = Table(
      "L0,V0,Direct,1,0,1,1,0\n"
      "L1,V1,Referral,1,0,1,1,1\n"
      "L2,V2,Email,1,0,1,1,1\n"
      "L3,V3,Direct,1,0,1,1,0\n");
  auto report = ComputeOracle(table, FeatureSpec::Builtin(),
                              {{"L0", 0.2}, {"L1", 0.5}, {"L2", 0.6}, {"L3", 0.1}});
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_DOUBLE_EQ(report.value().auc_bayes.at("base+channel"), 1.0);
  // Without the channel all four rows share one cell: both odd rows score 0.4, a tie.
  EXPECT_DOUBLE_EQ(report.value().auc_bayes.at("base"), 0.5);
}

}  // namespace
}  // namespace leadscore
