#include "datagen/olist.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/civil_time.h"
#include "tests/temp_dir_fixture.h"

namespace leadscore {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLeadsFile = "olist_marketing_qualified_leads_dataset.csv";
constexpr const char* kDealsFile = "olist_closed_deals_dataset.csv";
constexpr const char* kLeadsHeader = "mql_id,first_contact_date,landing_page_id,origin\n";
constexpr const char* kDealsHeader = "mql_id,seller_id,won_date,declared_monthly_revenue\n";

class OlistTest : public TempDirTest {
 protected:
  void Write(const char* name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
};

TEST_F(OlistTest, ReadsLeadsAndMarksTheClosedOnes) {
  Write(kLeadsFile, std::string(kLeadsHeader) + "m1,2018-02-01,p1,social\nm2,2017-10-20,p2,\n");
  Write(kDealsFile, std::string(kDealsHeader) + "m2,s1,2018-02-26 19:58:54,1234.5\n");
  auto leads = ReadOlistLeads(dir_);
  ASSERT_TRUE(leads.ok()) << leads.status().message();
  ASSERT_EQ(leads.value().size(), 2u);
  const OlistLead& first = leads.value()[0];
  EXPECT_EQ(first.mql_id, "m1");
  EXPECT_EQ(first.first_contact, DaysFromCivil(2018, 2, 1) * 86400);
  EXPECT_EQ(first.origin, "social");
  EXPECT_FALSE(first.won);
  EXPECT_EQ(first.won_at, -1);
  EXPECT_EQ(first.revenue_cents, -1);
  const OlistLead& second = leads.value()[1];
  EXPECT_EQ(second.origin, "");
  EXPECT_TRUE(second.won);
  EXPECT_EQ(second.won_at, 1519675134);
  EXPECT_EQ(second.revenue_cents, 123450);
}

TEST_F(OlistTest, ZeroOrMissingRevenueIsUnknown) {
  Write(kLeadsFile,
        std::string(kLeadsHeader) + "m1,2018-02-01,p1,social\nm2,2018-02-01,p1,email\n");
  Write(kDealsFile,
        std::string(kDealsHeader) + "m1,s1,2018-03-01 00:00:00,0.0\nm2,s2,2018-03-01 00:00:00,\n");
  auto leads = ReadOlistLeads(dir_);
  ASSERT_TRUE(leads.ok()) << leads.status().message();
  EXPECT_EQ(leads.value()[0].revenue_cents, -1);
  EXPECT_EQ(leads.value()[1].revenue_cents, -1);
  EXPECT_TRUE(leads.value()[1].won);
}

TEST_F(OlistTest, MissingFileNamesItAndTheFlag) {
  Write(kLeadsFile, std::string(kLeadsHeader) + "m1,2018-02-01,p1,social\n");
  auto leads = ReadOlistLeads(dir_);
  ASSERT_FALSE(leads.ok());
  const std::string& message = leads.status().message();
  EXPECT_NE(message.find((dir_ / kDealsFile).string()), std::string::npos) << message;
  EXPECT_NE(message.find("--olist-dir"), std::string::npos) << message;
}

TEST_F(OlistTest, BadDateNamesFileLineAndColumn) {
  Write(kLeadsFile,
        std::string(kLeadsHeader) + "m1,2018-02-01,p1,social\nm2,01/02/2018,p2,email\n");
  Write(kDealsFile, kDealsHeader);
  auto leads = ReadOlistLeads(dir_);
  ASSERT_FALSE(leads.ok());
  EXPECT_EQ(
      leads.status().message().rfind(
          (dir_ / kLeadsFile).string() + " line 3, column first_contact_date: '01/02/2018'", 0),
      0u)
      << leads.status().message();
}

TEST_F(OlistTest, RejectsDuplicateLeadsAndDealsForUnknownLeads) {
  Write(kLeadsFile,
        std::string(kLeadsHeader) + "m1,2018-02-01,p1,social\nm1,2018-02-02,p1,social\n");
  Write(kDealsFile, kDealsHeader);
  auto duplicate = ReadOlistLeads(dir_);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.status().message(),
            (dir_ / kLeadsFile).string() + " line 3, column mql_id: duplicate mql_id m1");

  Write(kLeadsFile, std::string(kLeadsHeader) + "m1,2018-02-01,p1,social\n");
  Write(kDealsFile, std::string(kDealsHeader) + "m9,s1,2018-03-01 00:00:00,10\n");
  auto orphan = ReadOlistLeads(dir_);
  ASSERT_FALSE(orphan.ok());
  EXPECT_EQ(
      orphan.status().message(),
      (dir_ / kDealsFile).string() + " line 2, column mql_id: closed deal for unknown lead m9");
}

}  // namespace
}  // namespace leadscore
