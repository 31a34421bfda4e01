#include "datagen/channels.h"

#include <array>

namespace leadscore {

std::span<const ChannelProfile> OlistChannelProfiles() {
  // Olist origins merged into GA4 groups: unknown (1,099 leads, 179 won), other (150, 4) and
  // empty (60, 14) form Unassigned; other_publicities is Paid Other.
  static constexpr std::array<ChannelProfile, 9> kProfiles = {{
      {"Organic Search", 2296.0 / 8000.0, 271.0 / 2296.0},
      {"Paid Search", 1586.0 / 8000.0, 195.0 / 1586.0},
      {"Organic Social", 1350.0 / 8000.0, 75.0 / 1350.0},
      {"Unassigned", 1309.0 / 8000.0, 197.0 / 1309.0},
      {"Direct", 499.0 / 8000.0, 56.0 / 499.0},
      {"Email", 493.0 / 8000.0, 15.0 / 493.0},
      {"Referral", 284.0 / 8000.0, 24.0 / 284.0},
      {"Display", 118.0 / 8000.0, 6.0 / 118.0},
      {"Paid Other", 65.0 / 8000.0, 3.0 / 65.0},
  }};
  return kProfiles;
}

std::span<const ChannelTraffic> ChannelTrafficSources() {
  // Checked against the default channel group rules in channels_test.cc; see docs/sources.md.
  static constexpr std::array<ChannelTraffic, 9> kTraffic = {{
      {"google", "organic", "", "(organic)", true, false},                       // Organic Search
      {"google", "cpc", "brand_search", "brand_search", true, true},             // Paid Search
      {"facebook.com", "referral", "", "(referral)", true, false},               // Organic Social
      {"flyer", "qr", "spring_fair", "spring_fair", true, false},                // Unassigned
      {"(direct)", "(none)", "", "(direct)", false, false},                      // Direct
      {"newsletter", "email", "weekly_digest", "weekly_digest", true, false},    // Email
      {"partner.example.com", "referral", "", "(referral)", true, false},        // Referral
      {"criteo", "display", "retarget_banner", "retarget_banner", true, false},  // Display
      {"taboola", "cpc", "native_articles", "native_articles", true, false},     // Paid Other
  }};
  static_assert(kTraffic.size() == 9);
  return kTraffic;
}

std::string_view Ga4GroupForOlistOrigin(std::string_view origin) {
  struct Mapping {
    std::string_view origin;
    std::string_view group;
  };
  static constexpr std::array<Mapping, 8> kMappings = {{
      {"organic_search", "Organic Search"},
      {"paid_search", "Paid Search"},
      {"social", "Organic Social"},
      {"direct_traffic", "Direct"},
      {"email", "Email"},
      {"referral", "Referral"},
      {"display", "Display"},
      {"other_publicities", "Paid Other"},
  }};
  for (const auto& mapping : kMappings) {
    if (mapping.origin == origin) return mapping.group;
  }
  return "Unassigned";
}

}  // namespace leadscore
