#include "datagen/channels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "datagen/olist.h"
#include "features/feature_spec.h"

namespace leadscore {
namespace {

struct GroupCounts {
  int leads = 0;
  int won = 0;
};

TEST(Channels, ProfilesMatchTheRealOlistFilesExactly) {
  auto leads = ReadOlistLeads(LEADSCORE_OLIST_DIR);
  ASSERT_TRUE(leads.ok()) << leads.status().message();
  std::map<std::string, GroupCounts> groups;
  int won = 0;
  for (const auto& lead : leads.value()) {
    GroupCounts& counts = groups[std::string(Ga4GroupForOlistOrigin(lead.origin))];
    ++counts.leads;
    counts.won += lead.won;
    won += lead.won;
  }
  const int total = static_cast<int>(leads.value().size());
  ASSERT_EQ(total, 8000);
  ASSERT_EQ(won, 842);

  const auto profiles = OlistChannelProfiles();
  ASSERT_EQ(profiles.size(), groups.size());
  for (const auto& profile : profiles) {
    SCOPED_TRACE(std::string(profile.ga4_group));
    auto it = groups.find(std::string(profile.ga4_group));
    ASSERT_NE(it, groups.end());
    const GroupCounts& counts = it->second;
    // Same division of the same integers as the profile table: bit-exact.
    EXPECT_EQ(profile.lead_share, static_cast<double>(counts.leads) / total);
    EXPECT_EQ(profile.won_rate, static_cast<double>(counts.won) / counts.leads);
  }
}

TEST(Channels, ProfilesAreUniqueAndSharesSumToOne) {
  std::set<std::string_view> seen;
  double share = 0.0;
  for (const auto& profile : OlistChannelProfiles()) {
    EXPECT_TRUE(seen.insert(profile.ga4_group).second) << profile.ga4_group;
    EXPECT_GT(profile.won_rate, 0.0);
    EXPECT_LT(profile.won_rate, 1.0);
    share += profile.lead_share;
  }
  EXPECT_NEAR(share, 1.0, 1e-12);
}

TEST(Channels, EveryProfileGroupIsAValueOfTheSpecChannelFeature) {
  const Feature* channel = FeatureSpec::Builtin().Find("channel");
  ASSERT_NE(channel, nullptr);
  for (const auto& profile : OlistChannelProfiles()) {
    EXPECT_NE(std::find(channel->values.begin(), channel->values.end(), profile.ga4_group),
              channel->values.end())
        << profile.ga4_group;
  }
}

TEST(Channels, MapsOlistOriginsToGa4Groups) {
  EXPECT_EQ(Ga4GroupForOlistOrigin("organic_search"), "Organic Search");
  EXPECT_EQ(Ga4GroupForOlistOrigin("paid_search"), "Paid Search");
  EXPECT_EQ(Ga4GroupForOlistOrigin("social"), "Organic Social");
  EXPECT_EQ(Ga4GroupForOlistOrigin("direct_traffic"), "Direct");
  EXPECT_EQ(Ga4GroupForOlistOrigin("email"), "Email");
  EXPECT_EQ(Ga4GroupForOlistOrigin("referral"), "Referral");
  EXPECT_EQ(Ga4GroupForOlistOrigin("display"), "Display");
  EXPECT_EQ(Ga4GroupForOlistOrigin("other_publicities"), "Paid Other");
}

TEST(Channels, UnknownEmptyAndOtherOriginsAreUnassigned) {
  for (const char* origin : {"unknown", "other", "", "Organic_Search", "tiktok"}) {
    EXPECT_EQ(Ga4GroupForOlistOrigin(origin), "Unassigned") << "'" << origin << "'";
  }
}

}  // namespace
}  // namespace leadscore
