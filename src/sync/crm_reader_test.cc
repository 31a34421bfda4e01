#include "sync/crm_reader.h"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "sync/fake_sync_clock.h"
#include "tracking/fake_http_transport.h"

namespace leadscore {
namespace {

using nlohmann::json;

constexpr char kContact1[] =
    R"({"id":"1","properties":{"createdate":"2017-06-01T12:34:56.789Z","email":"a@example.com","ga_client_id":"1.2","hs_object_id":"1","lastmodifieddate":"2017-06-01T12:35:02.118Z"},"createdAt":"2017-06-01T12:34:56.789Z","updatedAt":"2017-06-01T12:35:02.118Z","archived":false})";
constexpr char kContact2[] =
    R"({"id":"2","properties":{"createdate":"2017-06-02T00:00:00Z","email":null,"ga_client_id":null,"hs_object_id":"2","lastmodifieddate":"2017-06-03T00:00:00Z"},"createdAt":"2017-06-02T00:00:00Z","updatedAt":"2017-06-03T00:00:00Z","archived":false})";

std::string Deal(const std::string& id, const std::string& modified, const std::string& tail = "") {
  return R"({"id":")" + id + R"(","properties":{"dealstage":"closedwon","hs_lastmodifieddate":")" +
         modified + R"(","hs_object_id":")" + id + R"("},"createdAt":")" + modified +
         R"(","updatedAt":")" + modified + R"(","archived":false)" + tail + "}";
}

class CrmReaderTest : public ::testing::Test {
 protected:
  HubSpotClient Client() {
    HubSpotClientOptions options;
    options.base_url = "https://hubspot.test";
    options.token = "pat";
    options.transport = fake_;
    options.clock = clock_.Clock();
    return HubSpotClient(options);
  }
  std::shared_ptr<FakeHttpTransport> fake_ = std::make_shared<FakeHttpTransport>();
  FakeSyncClock clock_;
};

TEST_F(CrmReaderTest, ListFollowsPagingAfterUntilAbsentKeepingHubSpotsLines) {
  fake_->On("GET /crm/v3/objects/contacts", 200,
            std::string(R"({"results":[)") + kContact1 +
                R"(],"paging":{"next":{"after":"2","link":"https://api.hubapi.com/x?after=2"}}})");
  fake_->On("GET /crm/v3/objects/contacts", 200, std::string(R"({"results":[)") + kContact2 + "]}");
  HubSpotClient client = Client();
  auto objects = ListAllObjects(client, ContactsType("ga_client_id"));
  ASSERT_TRUE(objects.ok()) << objects.status().message();
  ASSERT_EQ(objects.value().size(), 2u);
  EXPECT_EQ(objects.value()[0].json, kContact1);  // byte for byte, key order kept
  EXPECT_EQ(objects.value()[1].json, kContact2);
  EXPECT_EQ(objects.value()[1].modified_ms, 1496448000000);
  ASSERT_EQ(fake_->requests.size(), 2u);
  EXPECT_EQ(fake_->requests[0].url,
            "https://hubspot.test/crm/v3/objects/contacts?limit=100&properties=email,createdate,"
            "lastmodifieddate,ga_client_id");
  EXPECT_EQ(fake_->requests[1].url,
            "https://hubspot.test/crm/v3/objects/contacts?limit=100&properties=email,createdate,"
            "lastmodifieddate,ga_client_id&after=2");
}

TEST_F(CrmReaderTest, ListNamesThePageThatFailed) {
  fake_->On("GET /crm/v3/objects/contacts", 200,
            std::string(R"({"results":[)") + kContact1 + R"(],"paging":{"next":{"after":"2"}}})");
  fake_->On("GET /crm/v3/objects/contacts", 500,
            R"({"message":"boom","category":"INTERNAL_ERROR"})");
  HubSpotClientOptions options;
  options.transport = fake_;
  options.clock = clock_.Clock();
  options.max_attempts = 2;
  HubSpotClient client(options);
  auto objects = ListAllObjects(client, ContactsType("ga_client_id"));
  ASSERT_FALSE(objects.ok());
  EXPECT_NE(
      objects.status().message().find("contacts page 2: HubSpot GET /crm/v3/objects/contacts?"),
      std::string::npos)
      << objects.status().message();
  EXPECT_NE(objects.status().message().find("&after=2: HTTP 500: boom"), std::string::npos);
}

TEST_F(CrmReaderTest, ListCompletesDealsWhoseEmbeddedAssociationsArePaged) {
  const std::string paged_contacts =
      R"(,"associations":{"contacts":{"paging":{"next":{"after":"MTAw","link":"x"}},"results":[{"id":"11","type":"deal_to_contact"}]}})";
  const std::string one_contact =
      R"(,"associations":{"contacts":{"results":[{"id":"12","type":"deal_to_contact"}]}})";
  fake_->On("GET /crm/v3/objects/deals", 200,
            R"({"results":[)" + Deal("5", "2017-06-15T09:00:01Z", paged_contacts) + "," +
                Deal("6", "2017-06-15T09:00:02Z", one_contact) + "]}");
  fake_->On(
      "POST /crm/v4/associations/deals/contacts/batch/read", 200,
      R"({"status":"COMPLETE","results":[{"from":{"id":"5"},"to":[{"toObjectId":11,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":3,"label":null}]}],"paging":{"next":{"after":"c2"}}}]})");
  fake_->On(
      "POST /crm/v4/associations/deals/contacts/batch/read", 200,
      R"({"status":"COMPLETE","results":[{"from":{"id":"5"},"to":[{"toObjectId":13,"associationTypes":[]}]}]})");
  HubSpotClient client = Client();
  auto objects = ListAllObjects(client, DealsType());
  ASSERT_TRUE(objects.ok()) << objects.status().message();
  ASSERT_EQ(objects.value().size(), 2u);
  EXPECT_EQ(
      json::parse(objects.value()[0].json)["associations"],
      json::parse(
          R"({"contacts":{"results":[{"id":"11","type":"deal_to_contact"},{"id":"13","type":"deal_to_contact"}]}})"));
  EXPECT_EQ(objects.value()[1].json, Deal("6", "2017-06-15T09:00:02Z", one_contact));
  auto reads = fake_->RequestsTo("POST /crm/v4/associations/deals/contacts/batch/read");
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(json::parse(reads[0].body), json::parse(R"({"inputs":[{"id":"5"}]})"));
  EXPECT_EQ(json::parse(reads[1].body), json::parse(R"({"inputs":[{"id":"5","after":"c2"}]})"));
  EXPECT_NE(fake_->requests[0].url.find("&associations=contacts"), std::string::npos);
}

TEST_F(CrmReaderTest, SearchFiltersByModifiedTimeAscendingAndReadsDealContacts) {
  fake_->On("POST /crm/v3/objects/deals/search", 200,
            R"({"total":2,"results":[)" + Deal("7", "2020-01-01T00:00:00Z") + "," +
                Deal("8", "2020-01-02T00:00:00Z") + R"(],"paging":{"next":{"after":"2"}}})");
  fake_->On("POST /crm/v3/objects/deals/search", 200, R"({"total":2,"results":[]})");
  fake_->On(
      "POST /crm/v4/associations/deals/contacts/batch/read", 200,
      R"({"status":"COMPLETE","results":[{"from":{"id":"8"},"to":[{"toObjectId":"21","associationTypes":[]}]}]})");
  HubSpotClient client = Client();
  auto objects = SearchModifiedSince(client, DealsType(), 1577836800000);
  ASSERT_TRUE(objects.ok()) << objects.status().message();
  ASSERT_EQ(objects.value().size(), 2u);
  EXPECT_EQ(objects.value()[0].json, Deal("7", "2020-01-01T00:00:00Z"));  // no contacts: no key
  EXPECT_EQ(
      objects.value()[1].json,
      Deal("8", "2020-01-02T00:00:00Z",
           R"(,"associations":{"contacts":{"results":[{"id":"21","type":"deal_to_contact"}]}})"));
  auto searches = fake_->RequestsTo("POST /crm/v3/objects/deals/search");
  ASSERT_EQ(searches.size(), 2u);
  json first = json::parse(searches[0].body);
  EXPECT_EQ(
      first["filterGroups"],
      json::parse(
          R"([{"filters":[{"propertyName":"hs_lastmodifieddate","operator":"GTE","value":"1577836800000"}]}])"));
  EXPECT_EQ(first["sorts"],
            json::parse(R"([{"propertyName":"hs_lastmodifieddate","direction":"ASCENDING"}])"));
  EXPECT_EQ(first["limit"], 100);
  EXPECT_FALSE(first.contains("after"));
  EXPECT_EQ(json::parse(searches[1].body)["after"], "2");
  auto reads = fake_->RequestsTo("POST /crm/v4/associations/deals/contacts/batch/read");
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(json::parse(reads[0].body), json::parse(R"({"inputs":[{"id":"7"},{"id":"8"}]})"));
}

TEST_F(CrmReaderTest, SearchRestartsFromTheLastTimestampBeforeTheResultCap) {
  // Cap 2, pages of 1: after two results the next query starts at the newest time seen.
  CrmReadOptions options;
  options.page_size = 1;
  options.search_result_cap = 2;
  fake_->On("POST /crm/v3/objects/contacts/search", 200,
            std::string(R"({"results":[)") + kContact1 + R"(],"paging":{"next":{"after":"1"}}})");
  fake_->On("POST /crm/v3/objects/contacts/search", 200,
            std::string(R"({"results":[)") + kContact2 + R"(],"paging":{"next":{"after":"2"}}})");
  fake_->On("POST /crm/v3/objects/contacts/search", 200,
            std::string(R"({"results":[)") + kContact2 + "]}");
  HubSpotClient client = Client();
  auto objects = SearchModifiedSince(client, ContactsType("ga_client_id"), 0, options);
  ASSERT_TRUE(objects.ok()) << objects.status().message();
  EXPECT_EQ(objects.value().size(), 2u);  // contact 2 seen twice, kept once
  auto searches = fake_->RequestsTo("POST /crm/v3/objects/contacts/search");
  ASSERT_EQ(searches.size(), 3u);
  json third = json::parse(searches[2].body);
  EXPECT_EQ(third["filterGroups"][0]["filters"][0]["value"], "1496448000000");
  EXPECT_FALSE(third.contains("after"));
}

TEST_F(CrmReaderTest, SearchFailsWhenMoreThanTheCapShareOneTimestamp) {
  CrmReadOptions options;
  options.page_size = 1;
  options.search_result_cap = 1;
  fake_->On("POST /crm/v3/objects/contacts/search", 200,
            std::string(R"({"results":[)") + kContact2 + R"(],"paging":{"next":{"after":"1"}}})");
  HubSpotClient client = Client();
  auto objects = SearchModifiedSince(client, ContactsType("ga_client_id"), 1496448000000, options);
  ASSERT_FALSE(objects.ok());
  EXPECT_NE(objects.status().message().find("--full"), std::string::npos);
}

TEST_F(CrmReaderTest, ArchivedIdsComeFromTheArchivedList) {
  fake_->On(
      "GET /crm/v3/objects/deals", 200,
      R"({"results":[{"id":"9","properties":{"hs_object_id":"9"},"createdAt":"2017-06-02T10:00:00Z","updatedAt":"2017-06-05T10:00:00Z","archived":true,"archivedAt":"2017-06-05T10:00:00Z"}]})");
  HubSpotClient client = Client();
  auto ids = ListArchivedIds(client, DealsType());
  ASSERT_TRUE(ids.ok()) << ids.status().message();
  EXPECT_EQ(ids.value(), std::vector<std::string>{"9"});
  EXPECT_NE(fake_->requests[0].url.find("&archived=true"), std::string::npos);
  EXPECT_EQ(fake_->requests[0].url.find("associations"), std::string::npos);
}

}  // namespace
}  // namespace leadscore
