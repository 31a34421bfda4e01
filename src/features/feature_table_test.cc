#include "features/feature_table.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/temp_dir_fixture.h"

namespace leadscore {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHeader =
    "lead_id,visitor_id,email,channel,sessions,engaged_sessions,page_views,is_first_visit,is_won\n";
constexpr const char* kGoodRow = "L1,V1,a@example.com,Direct,3,2,7,1,0\n";  // line 2 of a file

class FeatureTableTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    path_ = dir_ / "features.csv";
  }

  Result<FeatureTable> ReadText(const std::string& text) {
    std::ofstream(path_, std::ios::binary) << text;
    return ReadFeatureTable(path_, FeatureSpec::Builtin());
  }

  // The error for a file whose line 3 is `bad_row` (line 2 is valid).
  std::string ErrorForLine3(const std::string& bad_row) {
    auto table = ReadText(std::string(kHeader) + kGoodRow + bad_row + "\n");
    EXPECT_FALSE(table.ok()) << "accepted " << bad_row;
    return table.status().message();
  }

  static uint16_t ChannelIndex(const std::string& value) {
    const Feature* channel = FeatureSpec::Builtin().Find("channel");
    for (size_t i = 0; i < channel->values.size(); ++i) {
      if (channel->values[i] == value) return static_cast<uint16_t>(i);
    }
    ADD_FAILURE() << value << " is not a channel";
    return 0;
  }

  fs::path path_;
};

TEST_F(FeatureTableTest, ReadsAValidTableWithExactValues) {
  auto read = ReadText(std::string(kHeader) +
                       "L1,V1,a@example.com,Organic Search,3,2,7,1,0\n"
                       "L2,V2,b@example.com,Direct,1,0,1,0,1\n"
                       "L3,V3,c@example.com,Email,12,12,40,true,False\n");
  ASSERT_TRUE(read.ok()) << read.status().message();
  const FeatureTable& table = read.value();
  ASSERT_EQ(table.rows(), 3u);
  EXPECT_EQ(table.ids, (std::vector<std::string>{"L1", "L2", "L3"}));
  EXPECT_EQ(table.visitor_ids, (std::vector<std::string>{"V1", "V2", "V3"}));
  EXPECT_EQ(table.labels, (std::vector<int>{0, 1, 0}));
  ASSERT_EQ(table.columns.size(), FeatureSpec::Builtin().features.size());
  for (size_t f = 0; f < table.columns.size(); ++f) {
    EXPECT_EQ(table.columns[f].feature, &FeatureSpec::Builtin().features[f]);  // spec order
  }
  ASSERT_NE(table.Column("sessions"), nullptr);
  EXPECT_EQ(table.Column("sessions")->numbers, (std::vector<double>{3, 1, 12}));
  EXPECT_EQ(table.Column("engaged_sessions")->numbers, (std::vector<double>{2, 0, 12}));
  EXPECT_EQ(table.Column("page_views")->numbers, (std::vector<double>{7, 1, 40}));
  EXPECT_EQ(table.Column("is_first_visit")->numbers, (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(table.Column("channel")->categories,
            (std::vector<uint16_t>{ChannelIndex("Organic Search"), ChannelIndex("Direct"),
                                   ChannelIndex("Email")}));
  EXPECT_TRUE(table.Column("channel")->numbers.empty());
  EXPECT_EQ(table.Column("nope"), nullptr);
}

TEST_F(FeatureTableTest, FindsColumnsByNameInAnyOrderWithoutVisitorId) {
  auto read = ReadText(
      "is_won,page_views,channel,extra,is_first_visit,engaged_sessions,sessions,lead_id\n"
      "1,9,Referral,whatever,0,1,4,L9\n");
  ASSERT_TRUE(read.ok()) << read.status().message();
  const FeatureTable& table = read.value();
  EXPECT_EQ(table.ids, (std::vector<std::string>{"L9"}));
  EXPECT_TRUE(table.visitor_ids.empty());
  EXPECT_EQ(table.labels, (std::vector<int>{1}));
  EXPECT_EQ(table.Column("sessions")->numbers, (std::vector<double>{4}));
  EXPECT_EQ(table.Column("engaged_sessions")->numbers, (std::vector<double>{1}));
  EXPECT_EQ(table.Column("page_views")->numbers, (std::vector<double>{9}));
  EXPECT_EQ(table.Column("channel")->categories, (std::vector<uint16_t>{ChannelIndex("Referral")}));
}

TEST_F(FeatureTableTest, UnknownChannelMapsToUnassigned) {
  auto read = ReadText(std::string(kHeader) + "L1,V1,a@example.com,TikTok,1,0,1,1,0\n" +
                       "L2,V2,b@example.com,,1,0,1,1,0\n");
  ASSERT_TRUE(read.ok()) << read.status().message();
  const uint16_t unassigned = ChannelIndex("Unassigned");
  EXPECT_EQ(read.value().Column("channel")->categories,
            (std::vector<uint16_t>{unassigned, unassigned}));
  EXPECT_EQ(CategoryIndex(*FeatureSpec::Builtin().Find("channel"), "direct"), unassigned);
  EXPECT_EQ(CategoryIndex(*FeatureSpec::Builtin().Find("channel"), "Paid Other"),
            ChannelIndex("Paid Other"));
}

TEST_F(FeatureTableTest, RejectsAMissingColumnNamingIt) {
  auto read =
      ReadText("lead_id,channel,sessions,page_views,is_first_visit,is_won\nL1,Direct,1,1,1,0\n");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(),
            path_.string() +
                ": missing column(s) engaged_sessions (found: lead_id, channel, "
                "sessions, page_views, is_first_visit, is_won)");
}

TEST_F(FeatureTableTest, RejectsANonNumberCount) {
  EXPECT_EQ(ErrorForLine3("L2,V2,b@example.com,Direct,abc,0,1,0,1"),
            path_.string() +
                " line 3, column sessions: 'abc' is not a whole number; rebuild the "
                "table with scripts/load_duckdb or fix the row");
}

TEST_F(FeatureTableTest, RejectsAFractionalCount) {
  const std::string message = ErrorForLine3("L2,V2,b@example.com,Direct,3,1,2.5,0,1");
  EXPECT_EQ(
      message.rfind(path_.string() + " line 3, column page_views: '2.5' is not a whole number", 0),
      0u)
      << message;
}

TEST_F(FeatureTableTest, RejectsAnEmptyCount) {
  const std::string message = ErrorForLine3("L2,V2,b@example.com,Direct,3,,2,0,1");
  EXPECT_EQ(message.rfind(
                path_.string() + " line 3, column engaged_sessions: '' is not a whole number", 0),
            0u)
      << message;
}

TEST_F(FeatureTableTest, RejectsANegativeCount) {
  const std::string message = ErrorForLine3("L2,V2,b@example.com,Direct,-1,0,1,0,1");
  EXPECT_EQ(message.rfind(
                path_.string() + " line 3, column sessions: -1 is negative; counts are >= 0", 0),
            0u)
      << message;
}

TEST_F(FeatureTableTest, RejectsEngagedAboveSessions) {
  const std::string message = ErrorForLine3("L2,V2,b@example.com,Direct,3,4,5,0,1");
  EXPECT_EQ(
      message.rfind(path_.string() + " line 3, column engaged_sessions: 4 exceeds sessions (3)", 0),
      0u)
      << message;
}

TEST_F(FeatureTableTest, AcceptsEngagedEqualToSessions) {
  auto read = ReadText(std::string(kHeader) + "L1,V1,a@example.com,Direct,3,3,3,0,1\n");
  ASSERT_TRUE(read.ok()) << read.status().message();
}

TEST_F(FeatureTableTest, RejectsAFlagOtherThanZeroOrOne) {
  const std::string message = ErrorForLine3("L2,V2,b@example.com,Direct,3,1,5,2,1");
  EXPECT_EQ(message.rfind(path_.string() + " line 3, column is_first_visit: '2' is not 0 or 1", 0),
            0u)
      << message;
}

TEST_F(FeatureTableTest, RejectsALabelOtherThanZeroOrOne) {
  const std::string message = ErrorForLine3("L2,V2,b@example.com,Direct,3,1,5,0,yes");
  EXPECT_EQ(message.rfind(path_.string() + " line 3, column is_won: 'yes' is not 0 or 1", 0), 0u)
      << message;
}

TEST_F(FeatureTableTest, RejectsARowWithTheWrongFieldCount) {
  EXPECT_EQ(ErrorForLine3("L2,V2,b@example.com,Direct,3,1,5,0"),
            path_.string() + " line 3: has 8 fields, the header has 9");
}

TEST_F(FeatureTableTest, RejectsAHeaderOnlyFile) {
  auto read = ReadText(kHeader);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(), path_.string() +
                                         " has a header but no rows; build the mart "
                                         "first (scripts/load_duckdb)");
}

TEST_F(FeatureTableTest, RejectsAnEmptyFile) {
  auto read = ReadText("");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(),
            path_.string() + " is empty: it needs a header line and data rows");
}

TEST_F(FeatureTableTest, RejectsAMissingFile) {
  auto read = ReadFeatureTable(dir_ / "absent.csv", FeatureSpec::Builtin());
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find((dir_ / "absent.csv").string()), std::string::npos);
}

TEST_F(FeatureTableTest, FillsAbsentRecencyColumnsWithTheirCreationTimeDefault) {
  auto read = ReadText(std::string(kHeader) + kGoodRow);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read.value().Column("days_since_last_session")->numbers, (std::vector<double>{0}));
  EXPECT_EQ(read.value().Column("days_since_created")->numbers, (std::vector<double>{0}));
  EXPECT_FALSE(read.value().Column("days_since_created")->in_file);
  EXPECT_TRUE(read.value().Column("sessions")->in_file);
}

TEST_F(FeatureTableTest, ReadsAndChecksRecencyColumnsWhenPresent) {
  const std::string header =
      "lead_id,email,channel,sessions,engaged_sessions,page_views,is_first_visit,is_won,"
      "days_since_last_session,days_since_created\n";
  auto read = ReadText(header + "L1,a@example.com,Direct,3,2,7,1,0,4,14\n");
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read.value().Column("days_since_last_session")->numbers, (std::vector<double>{4}));
  EXPECT_EQ(read.value().Column("days_since_created")->numbers, (std::vector<double>{14}));
  auto bad = ReadText(header + "L1,a@example.com,Direct,3,2,7,1,0,4,-1\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("days_since_created"), std::string::npos)
      << bad.status().message();
}

TEST_F(FeatureTableTest, ReadsOpenLeadsWithoutALabelWhenTheLabelIsOptional) {
  std::ofstream(path_, std::ios::binary)
      << "lead_id,visitor_id,email,channel,sessions,engaged_sessions,page_views,is_first_visit\n"
      << "L1,V1,a@example.com,Direct,3,2,7,1\n";
  auto required = ReadFeatureTable(path_, FeatureSpec::Builtin());
  ASSERT_FALSE(required.ok());
  EXPECT_NE(required.status().message().find("is_won"), std::string::npos);
  auto optional = ReadFeatureTable(path_, FeatureSpec::Builtin(), Label::kOptional);
  ASSERT_TRUE(optional.ok()) << optional.status().message();
  EXPECT_EQ(optional.value().rows(), 1u);
  EXPECT_TRUE(optional.value().labels.empty());
}

TEST_F(FeatureTableTest, StillChecksALabelThatIsThereWhenItIsOptional) {
  std::ofstream(path_, std::ios::binary) << kHeader << "L1,V1,a@example.com,Direct,3,2,7,1,2\n";
  auto table = ReadFeatureTable(path_, FeatureSpec::Builtin(), Label::kOptional);
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("is_won"), std::string::npos);
}

TEST_F(FeatureTableTest, ReaderGivesTheTableInChunksWithTheSameValues) {
  std::ofstream(path_, std::ios::binary) << kHeader << "L1,V1,a@example.com,Direct,3,2,7,1,0\n"
                                         << "L2,V2,b@example.com,Email,1,0,1,0,1\n"
                                         << "L3,V3,c@example.com,Referral,5,5,9,1,0\n";
  auto reader = FeatureTableReader::Open(path_, FeatureSpec::Builtin());
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  auto first = reader.value().ReadRows(2);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first.value().ids, (std::vector<std::string>{"L1", "L2"}));
  EXPECT_EQ(first.value().labels, (std::vector<int>{0, 1}));
  EXPECT_EQ(first.value().Column("sessions")->numbers, (std::vector<double>{3, 1}));
  auto second = reader.value().ReadRows(2);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second.value().ids, (std::vector<std::string>{"L3"}));
  EXPECT_EQ(second.value().Column("channel")->categories,
            (std::vector<uint16_t>{ChannelIndex("Referral")}));
  EXPECT_EQ(second.value().columns.size(), FeatureSpec::Builtin().features.size());
  auto end = reader.value().ReadRows(2);
  ASSERT_TRUE(end.ok()) << end.status().message();
  EXPECT_EQ(end.value().rows(), 0u);
}

TEST_F(FeatureTableTest, ReaderNamesTheFileLineOfABadRowInALaterChunk) {
  std::ofstream(path_, std::ios::binary)
      << kHeader << kGoodRow << kGoodRow << kGoodRow << "L4,V4,d@example.com,Direct,2,3,7,1,0\n";
  auto reader = FeatureTableReader::Open(path_, FeatureSpec::Builtin());
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  ASSERT_TRUE(reader.value().ReadRows(2).ok());
  auto bad = reader.value().ReadRows(2);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind(
                path_.string() + " line 5, column engaged_sessions: 3 exceeds sessions (2)", 0),
            0u)
      << bad.status().message();
}

}  // namespace
}  // namespace leadscore
