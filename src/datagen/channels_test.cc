#include "datagen/channels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
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

// Google's default channel group rules for manual traffic, in their order
// (support.google.com/analytics/answer/9756891), with short excerpts of Google's site lists:
// enough to prove that the generator's source/medium/campaign of every channel lands in it.
std::string DefaultChannelGroup(std::string source, std::string medium, std::string campaign) {
  auto lower = [](std::string& text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  };
  lower(source);
  lower(medium);
  lower(campaign);
  const std::set<std::string> search = {"google",     "bing",   "yahoo",  "baidu",
                                        "duckduckgo", "yandex", "ecosia", "search.yahoo.com"};
  const std::set<std::string> social = {
      "facebook",      "facebook.com", "m.facebook.com", "l.facebook.com", "instagram",
      "instagram.com", "linkedin",     "linkedin.com",   "twitter",        "t.co"};
  const std::set<std::string> video = {"youtube", "youtube.com", "m.youtube.com", "vimeo"};
  const std::set<std::string> shopping = {"shopping.google.com", "amazon", "ebay"};
  const std::regex paid("^(.*cp.*|ppc|retargeting|paid.*)$");
  const std::regex shop_campaign("^(.*(([^a-df-z]|^)shop|shopping).*)$");
  const bool is_paid = std::regex_match(medium, paid);
  const bool is_shop = shopping.contains(source) || std::regex_match(campaign, shop_campaign);
  if (source == "(direct)" && (medium == "(not set)" || medium == "(none)")) return "Direct";
  if (campaign.find("cross-network") != std::string::npos) return "Cross-network";
  if (is_shop && is_paid) return "Paid Shopping";
  if (search.contains(source) && is_paid) return "Paid Search";
  if (social.contains(source) && is_paid) return "Paid Social";
  if (video.contains(source) && is_paid) return "Paid Video";
  const std::set<std::string> display = {"display", "banner", "expandable", "interstitial", "cpm"};
  if (display.contains(medium)) return "Display";
  if (is_paid) return "Paid Other";
  if (is_shop) return "Organic Shopping";
  const std::set<std::string> social_media = {"social", "social-network", "social-media",
                                              "sm",     "social network", "social media"};
  if (social.contains(source) || social_media.contains(medium)) return "Organic Social";
  if (video.contains(source) || medium.find("video") != std::string::npos) return "Organic Video";
  if (search.contains(source) || medium == "organic") return "Organic Search";
  if (medium == "referral" || medium == "app" || medium == "link") return "Referral";
  const std::set<std::string> email = {"email", "e-mail", "e_mail", "e mail"};
  if (email.contains(source) || email.contains(medium)) return "Email";
  if (medium == "affiliate") return "Affiliates";
  if (medium == "audio") return "Audio";
  if (source == "sms" || medium == "sms") return "SMS";
  if (medium.ends_with("push") || medium.find("mobile") != std::string::npos ||
      medium.find("notification") != std::string::npos || source == "firebase") {
    return "Mobile Push Notifications";
  }
  return "Unassigned";
}

TEST(Channels, EveryChannelsTrafficSourceGivesItBackByGooglesRules) {
  const auto profiles = OlistChannelProfiles();
  const auto traffic = ChannelTrafficSources();
  ASSERT_EQ(traffic.size(), profiles.size());
  for (size_t i = 0; i < profiles.size(); ++i) {
    const ChannelTraffic& t = traffic[i];
    EXPECT_EQ(
        DefaultChannelGroup(std::string(t.source), std::string(t.medium), std::string(t.campaign)),
        profiles[i].ga4_group)
        << t.source << " / " << t.medium << " / " << t.campaign;
    EXPECT_EQ(t.collected, profiles[i].ga4_group != "Direct") << profiles[i].ga4_group;
    EXPECT_EQ(t.gclid, profiles[i].ga4_group == "Paid Search") << profiles[i].ga4_group;
    if (!t.campaign.empty()) EXPECT_EQ(t.campaign_label, t.campaign);
  }
}

TEST(Channels, TheRulesOrderPutsPaidSearchBeforeDisplayAndPaidOther) {
  // Sanity of the rule excerpt itself: a search site bought by CPM is Paid Search, not Display.
  EXPECT_EQ(DefaultChannelGroup("google", "cpm", ""), "Paid Search");
  EXPECT_EQ(DefaultChannelGroup("criteo", "cpm", ""), "Display");
  EXPECT_EQ(DefaultChannelGroup("taboola", "cpc", "summer_shop"), "Paid Shopping");
  EXPECT_EQ(DefaultChannelGroup("(direct)", "(none)", ""), "Direct");
  EXPECT_EQ(DefaultChannelGroup("instagram.com", "referral", ""), "Organic Social");
}

}  // namespace
}  // namespace leadscore
