#include "api/lead_identity.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace leadscore::api {
namespace {

TEST(LeadIdentity, ReadsLeadIdAndEmailBesideTheFeatures) {
  LeadIdentity identity;
  ReadLeadIdentity(R"({"sessions":5,"lead_id":"c-42","email":"ada@example.com"})", identity);
  EXPECT_EQ(identity.lead_id, "c-42");
  EXPECT_EQ(identity.email, "ada@example.com");
}

TEST(LeadIdentity, TakesAnIntegerLeadIdAsItsDigits) {
  LeadIdentity identity;
  ReadLeadIdentity(R"({"lead_id": 1234567890123})", identity);
  EXPECT_EQ(identity.lead_id, "1234567890123");
}

TEST(LeadIdentity, IgnoresValuesThatAreNoIdentity) {
  LeadIdentity identity;
  ReadLeadIdentity(R"({"lead_id": 1.5, "email": "not-an-address"})", identity);
  EXPECT_TRUE(identity.empty());
  ReadLeadIdentity(R"({"lead_id": null, "email": ["a@b"]})", identity);
  EXPECT_TRUE(identity.empty());
  ReadLeadIdentity("[1,2]", identity);
  EXPECT_TRUE(identity.empty());
  const std::string long_id(kMaxLeadIdLength + 1, 'x');
  ReadLeadIdentity(R"({"lead_id":")" + long_id + R"("})", identity);
  EXPECT_TRUE(identity.empty());
}

TEST(LeadIdentity, DecodesEscapesAndTakesTheLastRepeatedKey) {
  LeadIdentity identity;
  ReadLeadIdentity(R"({"lead\u005fid":"a","lead_id":"b\u00e9","email":"x@y"})", identity);
  EXPECT_EQ(identity.lead_id, "b\xC3\xA9");
  EXPECT_EQ(identity.email, "x@y");
}

TEST(LeadIdentity, ClearsWhatAPreviousRequestLeft) {
  LeadIdentity identity;
  ReadLeadIdentity(R"({"lead_id":"a"})", identity);
  ReadLeadIdentity(R"({"sessions":1})", identity);
  EXPECT_TRUE(identity.empty());
}

TEST(LeadIdentity, ReadsOneIdentityPerBatchLead) {
  std::vector<LeadIdentity> identities(5);  // reused from a larger batch
  ReadBatchIdentities(R"({"leads":[{"lead_id":"a"},{"sessions":1},{"email":"b@c"}]})", identities);
  ASSERT_EQ(identities.size(), 3U);
  EXPECT_EQ(identities[0].lead_id, "a");
  EXPECT_TRUE(identities[1].empty());
  EXPECT_EQ(identities[2].email, "b@c");
  ReadBatchIdentities(R"({"leads":[]})", identities);
  EXPECT_TRUE(identities.empty());
}

}  // namespace
}  // namespace leadscore::api
