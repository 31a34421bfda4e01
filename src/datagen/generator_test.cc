#include "datagen/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/temp_dir_fixture.h"

namespace leadscore {
namespace {

namespace fs = std::filesystem;

const char* const kFiles[] = {"sessions.csv", "contacts.csv", "deals.csv", "truth.csv"};

class GeneratorTest : public TempDirTest {
 protected:
  GenerateOptions Options(const std::string& out, int64_t rows, uint64_t seed) const {
    GenerateOptions options;
    options.rows = rows;
    options.seed = seed;
    options.out_dir = dir_ / out;
    return options;
  }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Lines of a file (the raw tables use '\n' and never quote), header first.
  static std::vector<std::vector<std::string>> Table(const fs::path& path) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream text(Read(path));
    for (std::string line; std::getline(text, line);) {
      std::vector<std::string> fields;
      std::istringstream cells(line);
      for (std::string field; std::getline(cells, field, ',');) fields.push_back(field);
      if (!line.empty() && line.back() == ',') fields.emplace_back();  // trailing empty field
      rows.push_back(std::move(fields));
    }
    return rows;
  }

  static std::set<std::string> Entries(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename());
    return names;
  }
};

TEST_F(GeneratorTest, SameSeedGivesByteIdenticalFiles) {
  auto first = Generate(Options("a", 2000, 7));
  auto second = Generate(Options("b", 2000, 7));
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_TRUE(second.ok()) << second.status().message();
  for (const char* file : kFiles) {
    const std::string a = Read(dir_ / "a" / file);
    EXPECT_GT(a.size(), 0u) << file;
    EXPECT_TRUE(a == Read(dir_ / "b" / file)) << file << " differs between two runs of seed 7";
  }
  EXPECT_EQ(first.value().sessions, second.value().sessions);
  EXPECT_EQ(first.value().won, second.value().won);
}

TEST_F(GeneratorTest, DifferentSeedGivesDifferentFiles) {
  ASSERT_TRUE(Generate(Options("a", 2000, 7)).ok());
  ASSERT_TRUE(Generate(Options("b", 2000, 8)).ok());
  for (const char* file : {"sessions.csv", "contacts.csv", "truth.csv"}) {
    EXPECT_FALSE(Read(dir_ / "a" / file) == Read(dir_ / "b" / file)) << file;
  }
}

TEST_F(GeneratorTest, WritesTheDocumentedTablesConsistently) {
  auto summary = Generate(Options("out", 2000, 42));
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  const fs::path out = dir_ / "out";
  EXPECT_EQ(Entries(out), (std::set<std::string>{"sessions.csv", "contacts.csv", "deals.csv",
                                                 "truth.csv"}));  // no temporaries or probes

  const auto sessions = Table(out / "sessions.csv");
  const auto contacts = Table(out / "contacts.csv");
  const auto deals = Table(out / "deals.csv");
  const auto truth = Table(out / "truth.csv");
  ASSERT_FALSE(sessions.empty() || contacts.empty() || deals.empty() || truth.empty());
  // Headers exactly as docs/raw-data.md.
  EXPECT_EQ(sessions[0],
            (std::vector<std::string>{"visitor_id", "session_id", "session_start",
                                      "ga_session_number", "session_default_channel_group",
                                      "engagement_time_msec", "page_views"}));
  EXPECT_EQ(contacts[0],
            (std::vector<std::string>{"contact_id", "visitor_id", "email", "created_at"}));
  EXPECT_EQ(deals[0],
            (std::vector<std::string>{"deal_id", "contact_id", "stage", "amount", "close_date"}));
  EXPECT_EQ(truth[0], (std::vector<std::string>{"visitor_id", "p_won"}));

  const GenerateSummary& s = summary.value();
  EXPECT_EQ(s.leads, 2000);
  ASSERT_EQ(contacts.size(), 2001u);  // exactly `rows` data lines
  EXPECT_EQ(truth.size(), 2001u);
  EXPECT_EQ(static_cast<int64_t>(sessions.size()) - 1, s.sessions);
  EXPECT_EQ(static_cast<int64_t>(deals.size()) - 1, s.deals);
  EXPECT_GT(s.visitors, s.leads);  // anonymous traffic too

  std::map<std::string, std::string> visitor_of_contact;
  std::set<std::string> lead_visitors;
  for (size_t i = 1; i < contacts.size(); ++i) {
    const auto& row = contacts[i];
    ASSERT_EQ(row.size(), 4u) << "contacts line " << i + 1;
    EXPECT_EQ(row[0].size(), 11u);
    EXPECT_EQ(row[0][0], 'C');
    EXPECT_EQ(row[1][0], 'V');
    EXPECT_TRUE(row[2].ends_with("@example.com")) << row[2];
    EXPECT_EQ(row[3].size(), 19u) << row[3];
    EXPECT_TRUE(visitor_of_contact.emplace(row[0], row[1]).second) << "duplicate " << row[0];
    lead_visitors.insert(row[1]);
  }
  std::set<std::string> truth_visitors;
  for (size_t i = 1; i < truth.size(); ++i) {
    ASSERT_EQ(truth[i].size(), 2u);
    const double p = std::stod(truth[i][1]);
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
    truth_visitors.insert(truth[i][0]);
  }
  EXPECT_EQ(truth_visitors, lead_visitors);

  int64_t won = 0;
  std::set<std::string> deal_ids, dealt_contacts;
  for (size_t i = 1; i < deals.size(); ++i) {
    const auto& row = deals[i];
    ASSERT_EQ(row.size(), 5u) << "deals line " << i + 1;
    EXPECT_TRUE(deal_ids.insert(row[0]).second) << "duplicate " << row[0];
    EXPECT_TRUE(visitor_of_contact.contains(row[1])) << "deal " << row[0] << " names " << row[1];
    EXPECT_TRUE(dealt_contacts.insert(row[1]).second) << "two deals for " << row[1];
    EXPECT_TRUE(row[2] == "closedwon" || row[2] == "closedlost" || row[2] == "open") << row[2];
    EXPECT_EQ(row[4].empty(), row[2] == "open") << "close_date of a " << row[2] << " deal";
    won += row[2] == "closedwon";
  }
  EXPECT_EQ(won, s.won);
  EXPECT_GT(won, 0);

  std::set<std::string> session_ids;
  for (size_t i = 1; i < sessions.size(); ++i) {
    const auto& row = sessions[i];
    ASSERT_EQ(row.size(), 7u) << "sessions line " << i + 1;
    EXPECT_EQ(row[1], row[0] + "-" + row[3]);
    EXPECT_TRUE(session_ids.insert(row[1]).second) << "duplicate " << row[1];
    EXPECT_GE(std::stoll(row[3]), 1);
    EXPECT_GE(std::stoll(row[5]), 0);
    EXPECT_GE(std::stoll(row[6]), 0);
  }
}

TEST_F(GeneratorTest, NonPositiveRowsFailNamingTheFlagAndWriteNothing) {
  for (int64_t rows : {int64_t{0}, int64_t{-5}}) {
    auto result = Generate(Options("out", rows, 42));
    ASSERT_FALSE(result.ok()) << "rows = " << rows;
    EXPECT_NE(result.status().message().find("--rows"), std::string::npos)
        << result.status().message();
    EXPECT_NE(result.status().message().find(std::to_string(rows)), std::string::npos);
    EXPECT_FALSE(fs::exists(dir_ / "out"));
  }
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(GeneratorTest, UnwritableOutputDirectoryFailsAndWritesNothing) {
  std::ofstream(dir_ / "file") << "keep\n";
  GenerateOptions options = Options("unused", 50, 42);
  options.out_dir = dir_ / "file" / "raw";  // below a regular file: unwritable even for root
  auto result = Generate(options);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find(options.out_dir.string()), std::string::npos)
      << result.status().message();
  EXPECT_EQ(Entries(dir_), (std::set<std::string>{"file"}));
  EXPECT_EQ(Read(dir_ / "file"), "keep\n");
}

TEST_F(GeneratorTest, OlistSourceKeepsEveryRealLeadAndOutcome) {
  GenerateOptions options = Options("olist", 100000, 42);
  options.source = DataSource::kOlist;
  options.olist_dir = LEADSCORE_OLIST_DIR;
  auto summary = Generate(options);
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary.value().leads, 8000);
  EXPECT_EQ(summary.value().won, 842);
  EXPECT_EQ(summary.value().deals, 842);

  const auto contacts = Table(dir_ / "olist" / "contacts.csv");
  ASSERT_EQ(contacts.size(), 8001u);
  const auto deals = Table(dir_ / "olist" / "deals.csv");
  ASSERT_EQ(deals.size(), 843u);
  std::set<std::string> contact_ids;
  for (size_t i = 1; i < contacts.size(); ++i) contact_ids.insert(contacts[i][0]);
  EXPECT_EQ(contact_ids.size(), 8000u);
  EXPECT_EQ(contact_ids.count("dac32acd4db4c29c230538b72f8dd87d"), 1u);  // mql_id as contact_id
  int closed_won = 0;
  for (size_t i = 1; i < deals.size(); ++i) {
    ASSERT_EQ(deals[i].size(), 5u) << "deals line " << i + 1;
    closed_won += deals[i][2] == "closedwon";
    EXPECT_TRUE(contact_ids.contains(deals[i][1])) << deals[i][1];
  }
  EXPECT_EQ(closed_won, 842);
  EXPECT_EQ(Table(dir_ / "olist" / "truth.csv").size(), 8001u);
}

TEST_F(GeneratorTest, OlistRowsCapTheLeadCount) {
  GenerateOptions options = Options("olist", 100, 42);
  options.source = DataSource::kOlist;
  options.olist_dir = LEADSCORE_OLIST_DIR;
  auto summary = Generate(options);
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary.value().leads, 100);
  EXPECT_EQ(Table(dir_ / "olist" / "contacts.csv").size(), 101u);
}

TEST_F(GeneratorTest, OlistWithMissingDirectoryFailsNamingTheFileAndFlagAndWritesNothing) {
  GenerateOptions options = Options("out", 100, 42);
  options.source = DataSource::kOlist;
  options.olist_dir = dir_ / "no-such-olist";
  auto result = Generate(options);
  ASSERT_FALSE(result.ok());
  const std::string& message = result.status().message();
  EXPECT_NE(
      message.find((options.olist_dir / "olist_marketing_qualified_leads_dataset.csv").string()),
      std::string::npos)
      << message;
  EXPECT_NE(message.find("--olist-dir"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST(DataSource, ParsesKnownNamesAndRejectsOthersListingTheChoices) {
  auto synthetic = ParseDataSource("synthetic");
  ASSERT_TRUE(synthetic.ok());
  EXPECT_EQ(synthetic.value(), DataSource::kSynthetic);
  auto olist = ParseDataSource("olist");
  ASSERT_TRUE(olist.ok());
  EXPECT_EQ(olist.value(), DataSource::kOlist);

  auto bogus = ParseDataSource("bogus");
  ASSERT_FALSE(bogus.ok());
  const std::string& message = bogus.status().message();
  EXPECT_NE(message.find("'bogus'"), std::string::npos) << message;
  EXPECT_NE(message.find("synthetic"), std::string::npos) << message;
  EXPECT_NE(message.find("olist"), std::string::npos) << message;
  EXPECT_FALSE(ParseDataSource("Olist").ok());  // names are exact
}

}  // namespace
}  // namespace leadscore
