#include "datagen/hubspot_writer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/temp_dir_fixture.h"

namespace leadscore {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class HubSpotWriterTest : public TempDirTest {
 protected:
  std::vector<std::string> Lines(const fs::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
};

TEST_F(HubSpotWriterTest, WritesCrmV3ObjectsAsTheApiReturnsThem) {
  {
    AtomicFileSet files;
    auto writer = HubSpotWriter::Open(files, dir_);
    ASSERT_TRUE(writer.ok()) << writer.status().message();
    writer.value().WriteContact({1001, "lead\"1001@example.com", "1289374650.1496275200",
                                 1496320496789, 1496320502118, ""});
    writer.value().WriteContact({1002, "x@example.com", "1.2", 1496320496000, 1496320496000,
                                 "dac32acd4db4c29c230538b72f8dd87d"});
    writer.value().WriteDeal({5000000001, 1001, HubSpotDealStage::kClosedWon, 295000, 1496397600000,
                              1497517200000, 1497517201000});
    writer.value().WriteDeal(
        {5000000002, 1002, HubSpotDealStage::kContractSent, -1, 1496397600000, -1, 1496397601000});
    writer.value().WriteTruth(1001, 0.25);
    ASSERT_TRUE(files.Commit().ok());
  }
  const auto contacts = Lines(dir_ / "hubspot" / "contacts.jsonl");
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(contacts[0],
            R"({"id":"1001","properties":{"createdate":"2017-06-01T12:34:56.789Z",)"
            R"("email":"lead\"1001@example.com","ga_client_id":"1289374650.1496275200",)"
            R"("hs_object_id":"1001","lastmodifieddate":"2017-06-01T12:35:02.118Z"},)"
            R"("createdAt":"2017-06-01T12:34:56.789Z","updatedAt":"2017-06-01T12:35:02.118Z",)"
            R"("archived":false})");
  const json second = json::parse(contacts[1]);
  EXPECT_EQ(second["properties"]["olist_mql_id"], "dac32acd4db4c29c230538b72f8dd87d");

  const auto deals = Lines(dir_ / "hubspot" / "deals.jsonl");
  ASSERT_EQ(deals.size(), 2u);
  const json won = json::parse(deals[0]);
  EXPECT_EQ(won["id"], "5000000001");
  EXPECT_EQ(won["properties"]["amount"], "2950.00");
  EXPECT_EQ(won["properties"]["dealstage"], "closedwon");
  EXPECT_EQ(won["properties"]["closedate"], "2017-06-15T09:00:00.000Z");
  EXPECT_EQ(won["properties"]["dealname"], "Lead 1001");
  EXPECT_EQ(won["properties"]["pipeline"], "default");
  EXPECT_EQ(won["properties"]["hs_object_id"], "5000000001");
  EXPECT_EQ(won["createdAt"], won["properties"]["createdate"]);
  EXPECT_EQ(won["updatedAt"], won["properties"]["hs_lastmodifieddate"]);
  EXPECT_EQ(won["associations"]["contacts"]["results"],
            json::parse(R"([{"id":"1001","type":"deal_to_contact"}])"));
  const json open = json::parse(deals[1]);
  EXPECT_EQ(open["properties"]["dealstage"], "contractsent");
  EXPECT_TRUE(open["properties"]["closedate"].is_null());
  EXPECT_TRUE(open["properties"]["amount"].is_null());

  EXPECT_EQ(Lines(dir_ / "truth.csv"),
            (std::vector<std::string>{"lead_id,p_won", "1001,0.250000"}));
}

}  // namespace
}  // namespace leadscore
