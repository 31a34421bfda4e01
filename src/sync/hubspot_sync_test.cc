#include "sync/hubspot_sync.h"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "sync/fake_sync_clock.h"
#include "sync/iso_time.h"
#include "tests/file_text.h"
#include "tests/temp_dir_fixture.h"
#include "tracking/fake_http_transport.h"

namespace leadscore {
namespace {

using nlohmann::json;

std::string Contact(const std::string& id, const std::string& modified) {
  return R"({"id":")" + id + R"(","properties":{"email":"c)" + id +
         R"(@example.com","hs_object_id":")" + id + R"(","lastmodifieddate":")" + modified +
         R"("},"createdAt":"2017-06-01T00:00:00Z","updatedAt":")" + modified +
         R"(","archived":false})";
}

std::string Deal(const std::string& id, const std::string& modified, const std::string& contact) {
  return R"({"id":")" + id + R"(","properties":{"dealstage":"closedwon","hs_lastmodifieddate":")" +
         modified + R"(","hs_object_id":")" + id +
         R"("},"createdAt":"2017-06-01T00:00:00Z","updatedAt":")" + modified +
         R"(","archived":false,"associations":{"contacts":{"results":[{"id":")" + contact +
         R"(","type":"deal_to_contact"}]}}})";
}

std::string Page(const std::vector<std::string>& objects) {
  std::string out = R"({"results":[)";
  for (size_t i = 0; i < objects.size(); ++i) out += (i ? "," : "") + objects[i];
  return out + "]}";
}

class HubSpotSyncTest : public TempDirTest {
 protected:
  HubSpotSyncOptions Options(bool full = false) {
    HubSpotSyncOptions options;
    options.out_dir = dir_;
    options.full = full;
    options.client.token = "pat";
    options.client.transport = fake_;
    options.client.clock = clock_.Clock();
    options.client.max_attempts = 3;
    options.wall_clock_ms = [] { return int64_t{1700000000000}; };
    return options;
  }
  void FullSync() {
    fake_->On("GET /crm/v3/objects/contacts", 200,
              Page({Contact("2", "2017-06-02T00:00:00Z"), Contact("10", "2017-06-05T00:00:00Z")}));
    fake_->On("GET /crm/v3/objects/deals", 200, Page({Deal("5", "2017-06-07T00:00:00Z", "2")}));
    auto summary = SyncHubSpot(Options());
    ASSERT_TRUE(summary.ok()) << summary.status().message();
    EXPECT_FALSE(summary.value().incremental);
    *fake_ = FakeHttpTransport();
  }
  std::shared_ptr<FakeHttpTransport> fake_ = std::make_shared<FakeHttpTransport>();
  FakeSyncClock clock_;
};

TEST_F(HubSpotSyncTest, FirstSyncListsEverythingAndRecordsHighWaterMarks) {
  FullSync();
  EXPECT_EQ(
      FileText(dir_ / "hubspot/contacts.jsonl"),
      Contact("2", "2017-06-02T00:00:00Z") + "\n" + Contact("10", "2017-06-05T00:00:00Z") + "\n");
  EXPECT_EQ(FileText(dir_ / "hubspot/deals.jsonl"), Deal("5", "2017-06-07T00:00:00Z", "2") + "\n");
  json state = json::parse(FileText(dir_ / "hubspot/.sync-state.json"));
  EXPECT_EQ(state["ga4_property"], "ga_client_id");
  EXPECT_EQ(state["contacts"]["high_water_mark"], "2017-06-05T00:00:00.000Z");
  EXPECT_EQ(state["deals"]["high_water_mark"], "2017-06-07T00:00:00.000Z");
  EXPECT_EQ(state["contacts"]["count"], 2);
}

TEST_F(HubSpotSyncTest, NextSyncSearchesChangesSinceTheMarkMinusOverlapAndMerges) {
  FullSync();
  fake_->On("POST /crm/v3/objects/contacts/search", 200,
            Page({Contact("2", "2017-06-09T00:00:00Z"), Contact("3", "2017-06-10T00:00:00Z")}));
  fake_->On("GET /crm/v3/objects/contacts", 200, Page({}));  // archived
  fake_->On("POST /crm/v3/objects/deals/search", 200, Page({}));
  fake_->On(
      "GET /crm/v3/objects/deals", 200,
      Page({R"({"id":"5","properties":{},"archived":true,"updatedAt":"2017-06-11T00:00:00Z"})"}));
  auto summary = SyncHubSpot(Options());
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  const HubSpotSyncSummary& s = summary.value();
  EXPECT_TRUE(s.incremental);
  EXPECT_EQ(s.contacts.merge.added, 1u);
  EXPECT_EQ(s.contacts.merge.updated, 1u);
  EXPECT_EQ(s.deals.merge.removed, 1u);
  EXPECT_EQ(s.calls.requests, 4);
  auto search = fake_->RequestsTo("POST /crm/v3/objects/contacts/search");
  ASSERT_EQ(search.size(), 1u);
  EXPECT_EQ(json::parse(search[0].body)["filterGroups"][0]["filters"][0]["value"],
            std::to_string(ParseIsoMillis("2017-06-04T23:55:00Z").value()));
  EXPECT_EQ(FileText(dir_ / "hubspot/contacts.jsonl"),
            Contact("2", "2017-06-09T00:00:00Z") + "\n" + Contact("3", "2017-06-10T00:00:00Z") +
                "\n" + Contact("10", "2017-06-05T00:00:00Z") + "\n");
  EXPECT_EQ(FileText(dir_ / "hubspot/deals.jsonl"), "");
  json state = json::parse(FileText(dir_ / "hubspot/.sync-state.json"));
  EXPECT_EQ(state["contacts"]["high_water_mark"], "2017-06-10T00:00:00.000Z");
  EXPECT_EQ(state["deals"]["high_water_mark"], "2017-06-07T00:00:00.000Z");
}

TEST_F(HubSpotSyncTest, AFailureMidSyncLeavesPreviousFilesAndStateUntouched) {
  FullSync();
  const std::string contacts = FileText(dir_ / "hubspot/contacts.jsonl");
  const std::string deals = FileText(dir_ / "hubspot/deals.jsonl");
  const std::string state = FileText(dir_ / "hubspot/.sync-state.json");
  fake_->On("GET /crm/v3/objects/contacts", 200, Page({Contact("99", "2018-01-01T00:00:00Z")}));
  fake_->On("GET /crm/v3/objects/deals", 503, R"({"message":"unavailable"})");
  auto summary = SyncHubSpot(Options(/*full=*/true));
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.status().message().find("deals page 1: HubSpot GET /crm/v3/objects/deals?"),
            std::string::npos)
      << summary.status().message();
  EXPECT_NE(summary.status().message().find("HTTP 503: unavailable (gave up after 3 attempts)"),
            std::string::npos);
  EXPECT_EQ(FileText(dir_ / "hubspot/contacts.jsonl"), contacts);
  EXPECT_EQ(FileText(dir_ / "hubspot/deals.jsonl"), deals);
  EXPECT_EQ(FileText(dir_ / "hubspot/.sync-state.json"), state);
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "hubspot")) {
    EXPECT_NE(entry.path().filename().string().rfind(".tmp", 0), 0u) << entry.path();
  }
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_ / "hubspot"),
                          std::filesystem::directory_iterator()),
            3);
}

TEST_F(HubSpotSyncTest, ChangingTheGa4PropertyForcesAFullPull) {
  FullSync();
  fake_->On("GET /crm/v3/objects/contacts", 200, Page({}));
  fake_->On("GET /crm/v3/objects/deals", 200, Page({}));
  HubSpotSyncOptions options = Options();
  options.contact_ga4_property = "ga4_cid";
  auto summary = SyncHubSpot(options);
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_FALSE(summary.value().incremental);
  EXPECT_EQ(summary.value().contacts.merge.removed, 2u);
  EXPECT_NE(fake_->requests[0].url.find("ga4_cid"), std::string::npos);
}

TEST_F(HubSpotSyncTest, MissingTokenSaysHowToCreateAPrivateApp) {
  HubSpotSyncOptions options = Options();
  options.client.token.clear();
  auto summary = SyncHubSpot(options);
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.status().message().find("HUBSPOT_TOKEN is not set"), std::string::npos);
  EXPECT_NE(summary.status().message().find("Private Apps"), std::string::npos);
  EXPECT_NE(summary.status().message().find("crm.objects.contacts.read"), std::string::npos);
  EXPECT_TRUE(fake_->requests.empty());
}

TEST(IsoTime, ParsesHubSpotTimesToMillisAndBack) {
  EXPECT_EQ(ParseIsoMillis("2017-06-01T12:34:56.789Z").value(), 1496320496789);
  EXPECT_EQ(ParseIsoMillis("2017-06-15T09:00:01Z").value(), 1497517201000);
  EXPECT_EQ(ParseIsoMillis("2017-06-15T09:00:01.5+00:00").value(), 1497517201500);
  EXPECT_FALSE(ParseIsoMillis("2017-06-15 09:00:01").ok());
  EXPECT_FALSE(ParseIsoMillis("2017-06-15T09:00:01+02:00").ok());
  EXPECT_EQ(FormatIsoMillis(1496320496789), "2017-06-01T12:34:56.789Z");
}

}  // namespace
}  // namespace leadscore
