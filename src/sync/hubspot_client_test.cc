#include "sync/hubspot_client.h"

#include <gtest/gtest.h>

#include <memory>

#include "sync/fake_sync_clock.h"
#include "tracking/fake_http_transport.h"

namespace leadscore {
namespace {

using std::chrono::milliseconds;

constexpr char kContacts[] = "GET /crm/v3/objects/contacts";
constexpr char kServerError[] =
    R"({"status":"error","message":"internal error","category":"INTERNAL_ERROR","correlationId":"c-42"})";

class HubSpotClientTest : public ::testing::Test {
 protected:
  HubSpotClient Client() {
    HubSpotClientOptions options;
    options.base_url = "https://hubspot.test/";
    options.token = "pat-secret";
    options.transport = fake_;
    options.clock = clock_.Clock();
    options.retry_backoff = milliseconds(100);
    return HubSpotClient(options);
  }
  std::shared_ptr<FakeHttpTransport> fake_ = std::make_shared<FakeHttpTransport>();
  FakeSyncClock clock_;
};

TEST_F(HubSpotClientTest, SendsTheTokenAsBearer) {
  fake_->On(kContacts, 200, R"({"results":[]})");
  HubSpotClient client = Client();
  auto body = client.Get("/crm/v3/objects/contacts?limit=100");
  ASSERT_TRUE(body.ok()) << body.status().message();
  EXPECT_EQ(body.value(), R"({"results":[]})");
  ASSERT_EQ(fake_->requests.size(), 1u);
  EXPECT_EQ(fake_->requests[0].url, "https://hubspot.test/crm/v3/objects/contacts?limit=100");
  auto& headers = fake_->requests[0].headers;
  EXPECT_NE(std::find(headers.begin(), headers.end(),
                      std::pair<std::string, std::string>{"Authorization", "Bearer pat-secret"}),
            headers.end());
}

TEST_F(HubSpotClientTest, WaitsRetryAfterSecondsOn429ThenRetries) {
  fake_->On(
      kContacts, 429,
      R"({"status":"error","message":"You have reached your ten_secondly_rolling limit.","category":"RATE_LIMITS","policyName":"TEN_SECONDLY_ROLLING"})",
      {{"retry-after", "3"}});
  fake_->On(kContacts, 200, R"({"results":[]})");
  HubSpotClient client = Client();
  ASSERT_TRUE(client.Get("/crm/v3/objects/contacts").ok());
  EXPECT_EQ(clock_.sleeps, std::vector<milliseconds>{milliseconds(3000)});
  EXPECT_EQ(client.stats().requests, 2);
  EXPECT_EQ(client.stats().rate_limited, 1);
  EXPECT_EQ(client.stats().retried, 0);
}

TEST_F(HubSpotClientTest, RetriesServerErrorsAndNoAnswerWithDoublingBackoff) {
  fake_->On(kContacts, 502, "<html>bad gateway</html>");
  fake_->FailOn(kContacts, "Connection refused");
  fake_->On(kContacts, 503, kServerError);
  fake_->On(kContacts, 200, R"({"results":[]})");
  HubSpotClient client = Client();
  ASSERT_TRUE(client.Get("/crm/v3/objects/contacts").ok());
  EXPECT_EQ(clock_.sleeps,
            (std::vector<milliseconds>{milliseconds(100), milliseconds(200), milliseconds(400)}));
  EXPECT_EQ(client.stats().retried, 3);
  EXPECT_EQ(client.stats().requests, 4);
}

TEST_F(HubSpotClientTest, GivesUpAfterMaxAttemptsNamingTheCallStatusAndHubSpotsMessage) {
  fake_->On(kContacts, 500, kServerError);
  HubSpotClient client = Client();
  auto body = client.Get("/crm/v3/objects/contacts?limit=100&after=200");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(fake_->requests.size(), 5u);
  EXPECT_EQ(body.status().message(),
            "HubSpot GET /crm/v3/objects/contacts?limit=100&after=200: HTTP 500: internal error "
            "[category INTERNAL_ERROR, correlationId c-42] (gave up after 5 attempts)");
}

TEST_F(HubSpotClientTest, UnauthorizedFailsAtOnceSayingToCheckTokenAndScopes) {
  fake_->On(
      kContacts, 401,
      R"({"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION","correlationId":"c-1"})");
  HubSpotClient client = Client();
  auto body = client.Get("/crm/v3/objects/contacts");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(fake_->requests.size(), 1u);
  EXPECT_NE(body.status().message().find("HTTP 401"), std::string::npos);
  EXPECT_NE(body.status().message().find("Authentication credentials not found."),
            std::string::npos);
  EXPECT_NE(body.status().message().find("HUBSPOT_TOKEN"), std::string::npos);
  EXPECT_NE(body.status().message().find("crm.objects.deals.read"), std::string::npos);
}

TEST_F(HubSpotClientTest, OtherClientErrorsFailAtOnce) {
  fake_->On(
      "POST /crm/v3/objects/deals/search", 400,
      R"({"status":"error","message":"There was a problem with the request.","category":"VALIDATION_ERROR"})");
  HubSpotClient client = Client();
  auto body = client.Post("/crm/v3/objects/deals/search", "{}", HubSpotEndpoint::kSearch);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(fake_->requests.size(), 1u);
  EXPECT_EQ(body.status().message(),
            "HubSpot POST /crm/v3/objects/deals/search: HTTP 400: There was a problem with the "
            "request. [category VALIDATION_ERROR]");
}

TEST_F(HubSpotClientTest, SearchCallsKeepToTheSearchLimit) {
  fake_->On("POST /crm/v3/objects/contacts/search", 200, R"({"results":[]})");
  HubSpotClient client = Client();
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(
        client.Post("/crm/v3/objects/contacts/search", "{}", HubSpotEndpoint::kSearch).ok());
  }
  // 4 per second: requests 5..8 wait for the first second to pass.
  EXPECT_EQ(clock_.sleeps, std::vector<milliseconds>{milliseconds(1000)});
  EXPECT_EQ(client.stats().waited, milliseconds(1000));
}

TEST(EncodeQueryValue, EncodesReservedCharacters) {
  EXPECT_EQ(EncodeQueryValue("MTAw+/=&x_y-z.~"), "MTAw%2B%2F%3D%26x_y-z.~");
}

}  // namespace
}  // namespace leadscore
