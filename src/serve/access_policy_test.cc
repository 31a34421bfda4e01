#include "serve/access_policy.h"

#include <gtest/gtest.h>

namespace leadscore::serve {
namespace {

TEST(IsLoopbackHost, NamesOnlyThisMachine) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "localhost", "localhost.", "::1",
                           "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host :
       {"0.0.0.0", "::", "10.0.0.5", "192.168.1.1", "128.0.0.1", "::ffff:10.0.0.1", "::2",
        "example.com", "localhost.example.com", "", "127.0.0.1 ", "[::1]"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(DecideAccess, LoopbackWithoutKeysIsOpenForScoringAndAdmin) {
  auto policy = DecideAccess("127.0.0.1", "", "", false);
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  EXPECT_TRUE(policy.value().api_key.empty());
  EXPECT_TRUE(policy.value().admin_open());
  EXPECT_TRUE(policy.value().loopback);
}

TEST(DecideAccess, APublicHostWithoutAScoringKeyRefusesToStartNamingTheRemedies) {
  auto policy = DecideAccess("0.0.0.0", "", "admin", false);
  ASSERT_FALSE(policy.ok());
  const std::string& message = policy.status().message();
  EXPECT_NE(message.find("--host 0.0.0.0"), std::string::npos) << message;
  EXPECT_NE(message.find("LEADSCORE_API_KEY"), std::string::npos) << message;
  EXPECT_NE(message.find("--allow-unauthenticated"), std::string::npos) << message;
}

TEST(DecideAccess, APublicHostStartsWithAScoringKeyOrWhenTheOperatorSaysSo) {
  auto keyed = DecideAccess("0.0.0.0", "score-key", "", false);
  ASSERT_TRUE(keyed.ok());
  EXPECT_EQ(keyed.value().api_key, "score-key");
  auto allowed = DecideAccess("10.0.0.5", "", "", true);
  ASSERT_TRUE(allowed.ok());
  EXPECT_TRUE(allowed.value().api_key.empty());
  EXPECT_FALSE(allowed.value().loopback);
}

TEST(DecideAccess, AdminIsClosedOffLoopbackWithoutItsOwnKey) {
  auto policy = DecideAccess("0.0.0.0", "score-key", "", false);
  ASSERT_TRUE(policy.ok());
  EXPECT_FALSE(policy.value().admin_open());
  EXPECT_TRUE(policy.value().admin_key.empty());
}

TEST(DecideAccess, AnAdminKeyGuardsAdminEverywhere) {
  for (const char* host : {"127.0.0.1", "0.0.0.0"}) {
    auto policy = DecideAccess(host, "score-key", "admin-key", false);
    ASSERT_TRUE(policy.ok()) << host;
    EXPECT_EQ(policy.value().admin_key, "admin-key");
    EXPECT_FALSE(policy.value().admin_open()) << host;
  }
}

}  // namespace
}  // namespace leadscore::serve
