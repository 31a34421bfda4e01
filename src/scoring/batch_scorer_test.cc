#include "scoring/batch_scorer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/file_text.h"
#include "tests/learnable_leads.h"
#include "tests/small_model.h"
#include "tests/temp_dir_fixture.h"

namespace leadscore {
namespace {

namespace fs = std::filesystem;

constexpr size_t kLeads = 20;

class BatchScorerTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    in_ = dir_ / "leads.csv";
    leads_ = MakeLearnableLeads(kLeads, 3).table;
    std::ofstream csv(in_, std::ios::binary);
    csv << "lead_id,channel,sessions,engaged_sessions,page_views,is_first_visit\n";
    const Feature* channel = FeatureSpec::Builtin().Find("channel");
    for (size_t row = 0; row < kLeads; ++row) {
      csv << leads_.ids[row] << "," << channel->values[leads_.Column("channel")->categories[row]]
          << "," << leads_.Column("sessions")->numbers[row] << ","
          << leads_.Column("engaged_sessions")->numbers[row] << ","
          << leads_.Column("page_views")->numbers[row] << ","
          << leads_.Column("is_first_visit")->numbers[row] << "\n";
    }
  }

  fs::path in_;
  FeatureTable leads_;
  std::shared_ptr<const LeadModel> model_ = MakeSmallModel("base+channel", "v7");
};

TEST_F(BatchScorerTest, ScoresChunkByChunkWithTheOutputOfOneChunk) {
  BatchScoreOptions whole;
  whole.reasons = true;
  auto one = ScoreCsvFile(*model_, in_, dir_ / "one.csv", whole);
  ASSERT_TRUE(one.ok()) << one.status().message();
  BatchScoreOptions chunked = whole;
  chunked.chunk_rows = 7;  // 7 + 7 + 6 rows
  auto three = ScoreCsvFile(*model_, in_, dir_ / "three.csv", chunked);
  ASSERT_TRUE(three.ok()) << three.status().message();
  EXPECT_EQ(one.value().rows, kLeads);
  EXPECT_EQ(three.value().rows, kLeads);
  EXPECT_EQ(three.value().high, one.value().high);
  EXPECT_EQ(FileText(dir_ / "three.csv"), FileText(dir_ / "one.csv"));

  // Every row is the model's own score of that lead, in the file's order.
  std::vector<size_t> rows(kLeads);
  for (size_t i = 0; i < kLeads; ++i) rows[i] = i;
  auto scores = model_->Score(model_->encoder().EncodeTableRows(leads_, rows), kLeads);
  ASSERT_TRUE(scores.ok()) << scores.status().message();
  std::istringstream lines(FileText(dir_ / "three.csv"));
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "lead_id,score,label,raw_probability,model_version,grade,alert,reasons");
  for (size_t row = 0; row < kLeads; ++row) {
    ASSERT_TRUE(std::getline(lines, line)) << "row " << row << " is missing";
    EXPECT_EQ(line.rfind(fmt::format("{},{:.9g},", leads_.ids[row], scores.value()[row]), 0), 0u)
        << line;
    EXPECT_NE(line.find(",v7,"), std::string::npos) << line;
  }
  EXPECT_FALSE(std::getline(lines, line)) << "extra row: " << line;
}

TEST_F(BatchScorerTest, ABadRowInALaterChunkLeavesNoOutputAndNamesItsLine) {
  std::ofstream(in_, std::ios::app | std::ios::binary) << "L-bad,Direct,2,1,x,0\n";  // line 22
  BatchScoreOptions options;
  options.chunk_rows = 8;
  auto scored = ScoreCsvFile(*model_, in_, dir_ / "out.csv", options);
  ASSERT_FALSE(scored.ok());
  EXPECT_EQ(scored.status().message().rfind(
                in_.string() + " line 22, column page_views: 'x' is not a whole number", 0),
            0u)
      << scored.status().message();
  EXPECT_FALSE(fs::exists(dir_ / "out.csv"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1)
      << "a temporary was left beside the input";
}

TEST_F(BatchScorerTest, AHeaderWithoutRowsIsAnErrorAndWritesNothing) {
  std::ofstream(in_, std::ios::binary | std::ios::trunc)
      << "lead_id,channel,sessions,engaged_sessions,page_views,is_first_visit\n";
  auto scored = ScoreCsvFile(*model_, in_, dir_ / "out.csv");
  ASSERT_FALSE(scored.ok());
  EXPECT_EQ(scored.status().message(), in_.string() +
                                           " has a header but no rows; build the mart first "
                                           "(scripts/load_duckdb)");
  EXPECT_FALSE(fs::exists(dir_ / "out.csv"));
}

}  // namespace
}  // namespace leadscore
