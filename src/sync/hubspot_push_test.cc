#include "sync/hubspot_push.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "sync/fake_sync_clock.h"
#include "sync/push_outbox.h"
#include "tests/temp_dir_fixture.h"
#include "tracking/fake_http_transport.h"

namespace leadscore {
namespace {

constexpr char kUpdate[] = "POST /crm/v3/objects/contacts/batch/update";
constexpr char kOk[] = R"({"status":"COMPLETE","results":[]})";

class HubSpotPushTest : public TempDirTest {
 protected:
  // An outbox of `count` contacts with ids 1..count.
  void WriteOutbox(int count) {
    std::ofstream out(dir_ / "outbox.jsonl");
    for (int i = 1; i <= count; ++i) {
      out << nlohmann::json{{"id", std::to_string(i)},
                            {"properties", {{"leadscore_score", "0.5000"}}}}
                 .dump()
          << "\n";
    }
  }
  HubSpotPushOptions Options() {
    HubSpotPushOptions options;
    options.outbox = dir_ / "outbox.jsonl";
    options.batch_size = 10;
    options.client.base_url = "https://hubspot.test";
    options.client.token = "pat";
    options.client.transport = fake_;
    options.client.clock = clock_.Clock();
    options.client.max_attempts = 2;
    options.client.retry_backoff = std::chrono::milliseconds(10);
    return options;
  }
  // The contact ids sent in request `index`.
  std::vector<std::string> IdsOf(size_t index) {
    std::vector<std::string> ids;
    const nlohmann::json body = nlohmann::json::parse(fake_->requests.at(index).body);
    for (const auto& input : body["inputs"]) {
      ids.push_back(input["id"].get<std::string>());
    }
    return ids;
  }
  std::shared_ptr<FakeHttpTransport> fake_ = std::make_shared<FakeHttpTransport>();
  FakeSyncClock clock_;
};

TEST_F(HubSpotPushTest, SendsDeterministicBatchesByRecordIdAndJournalsEach) {
  WriteOutbox(25);
  fake_->On(kUpdate, 200, kOk);
  auto summary = PushToHubSpot(Options());
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary.value().batches, 3u);
  EXPECT_EQ(summary.value().sent, 3u);
  ASSERT_EQ(fake_->requests.size(), 3u);
  EXPECT_EQ(IdsOf(0).front(), "1");
  EXPECT_EQ(IdsOf(2), (std::vector<std::string>{"21", "22", "23", "24", "25"}));
  auto first = nlohmann::json::parse(fake_->requests[0].body)["inputs"][0];
  EXPECT_FALSE(first.contains("idProperty"));  // the record id, not a unique property
  EXPECT_EQ(first["properties"]["leadscore_score"], "0.5000");
  auto outbox = ReadOutbox(dir_ / "outbox.jsonl");
  auto acked = ReadJournal(dir_ / "outbox.jsonl.acked", outbox.value().content_hash);
  ASSERT_TRUE(acked.ok());
  EXPECT_EQ(acked.value().size(), 3u);
}

TEST_F(HubSpotPushTest, EmptyOutboxMakesNoCall) {
  WriteOutbox(0);
  auto summary = PushToHubSpot(Options());
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary.value().batches, 0u);
  EXPECT_TRUE(fake_->requests.empty());
}

TEST_F(HubSpotPushTest, AFailedBatchStopsThePushAndARerunContinuesWithIt) {
  WriteOutbox(30);
  fake_->On(kUpdate, 200, kOk);
  fake_->On(kUpdate, 503, R"({"status":"error","message":"unavailable"})");
  auto failed = PushToHubSpot(Options());
  ASSERT_FALSE(failed.ok());
  const std::string& message = failed.status().message();
  EXPECT_NE(message.find("batch 2 of 3 (contacts 11 to 20"), std::string::npos) << message;
  EXPECT_NE(message.find("POST /crm/v3/objects/contacts/batch/update"), std::string::npos);
  EXPECT_NE(message.find("rerun to continue"), std::string::npos);
  EXPECT_EQ(fake_->requests.size(), 3u);  // batch 1, then batch 2 twice (max_attempts)

  fake_ = std::make_shared<FakeHttpTransport>();
  fake_->On(kUpdate, 200, kOk);
  auto resumed = PushToHubSpot(Options());
  ASSERT_TRUE(resumed.ok()) << resumed.status().message();
  EXPECT_EQ(resumed.value().already_acked, 1u);
  EXPECT_EQ(resumed.value().sent, 2u);
  ASSERT_EQ(fake_->requests.size(), 2u);
  EXPECT_EQ(IdsOf(0).front(), "11");
  EXPECT_EQ(IdsOf(1).front(), "21");

  // Everything acknowledged: a third run sends nothing.
  fake_ = std::make_shared<FakeHttpTransport>();
  auto again = PushToHubSpot(Options());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().already_acked, 3u);
  EXPECT_TRUE(fake_->requests.empty());
}

TEST_F(HubSpotPushTest, WaitsOutA429AndJournalsTheBatchOnce) {
  WriteOutbox(5);
  fake_->On(kUpdate, 429, R"({"status":"error","message":"ten_secondly_rolling"})",
            {{"retry-after", "2"}});
  fake_->On(kUpdate, 200, kOk);
  auto summary = PushToHubSpot(Options());
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary.value().calls.rate_limited, 1);
  EXPECT_EQ(clock_.sleeps, std::vector<std::chrono::milliseconds>{std::chrono::seconds(2)});
  EXPECT_EQ(summary.value().sent, 1u);
}

TEST_F(HubSpotPushTest, RecordsContactsRejectedInAMultiStatusAnswer) {
  WriteOutbox(3);
  fake_->On(
      kUpdate, 207,
      R"({"status":"COMPLETE","results":[],"numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","message":"not found","context":{"ids":["2"]}}]})");
  auto summary = PushToHubSpot(Options());
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary.value().rejected, 1u);
  auto outbox = ReadOutbox(dir_ / "outbox.jsonl");
  auto acked = ReadJournal(dir_ / "outbox.jsonl.acked", outbox.value().content_hash);
  EXPECT_EQ(acked.value().at(0).failed, std::vector<std::string>{"2"});
}

TEST_F(HubSpotPushTest, RefusesToResumeWithAnotherBatchSize) {
  WriteOutbox(30);
  fake_->On(kUpdate, 200, kOk);
  fake_->On(kUpdate, 503, R"({"status":"error","message":"unavailable"})");
  ASSERT_FALSE(PushToHubSpot(Options()).ok());
  HubSpotPushOptions options = Options();
  options.batch_size = 15;
  fake_ = std::make_shared<FakeHttpTransport>();
  options.client.transport = fake_;
  auto resumed = PushToHubSpot(options);
  ASSERT_FALSE(resumed.ok());
  EXPECT_NE(resumed.status().message().find("rerun with the batch size"), std::string::npos)
      << resumed.status().message();
  EXPECT_TRUE(fake_->requests.empty());
}

TEST_F(HubSpotPushTest, RejectsABatchSizeAboveHubSpotsLimit) {
  WriteOutbox(1);
  HubSpotPushOptions options = Options();
  options.batch_size = 101;
  auto summary = PushToHubSpot(options);
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.status().message().find("1 to 100"), std::string::npos);
}

}  // namespace
}  // namespace leadscore
