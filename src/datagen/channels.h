// Channel mix and per-channel conversion of the real Olist marketing funnel, mapped to GA4
// default channel groups. The synthetic generator draws channels with these shares and
// calibrates its outcome so that each channel converts at the Olist rate.
#pragma once

#include <span>
#include <string_view>

namespace leadscore {

struct ChannelProfile {
  std::string_view ga4_group;  // a value of the spec's channel vocabulary
  double lead_share;           // share of Olist leads
  double won_rate;             // share of those leads that closed
};

// Measured on ../shared/data/olist-marketing-funnel (8,000 leads, 842 won); the unit tests
// recompute them from the files.
std::span<const ChannelProfile> OlistChannelProfiles();

// How a session of a channel arrives, as GA4 records it: source, medium and campaign chosen
// so that Google's default channel group rules (docs/sources.md) give the channel back.
struct ChannelTraffic {
  std::string_view source;    // e.g. "google"; "(direct)" for Direct
  std::string_view medium;    // e.g. "organic"; "(none)" for Direct
  std::string_view campaign;  // the utm_campaign; empty when none
  std::string_view
      campaign_label;  // campaign_name in GA4's attribution: campaign or "(organic)"...
  bool collected;      // the hit carries collected_traffic_source (not Direct)
  bool gclid;          // Google Ads auto-tagging (Paid Search)
};

// One entry per profile of OlistChannelProfiles(), in the same order.
std::span<const ChannelTraffic> ChannelTrafficSources();

// GA4 default channel group for an Olist `origin` value. Unknown, empty and "other" origins
// map to "Unassigned", GA4's own group for traffic it cannot classify.
std::string_view Ga4GroupForOlistOrigin(std::string_view origin);

}  // namespace leadscore
