#include "datagen/ga4_event_writer.h"

#include <algorithm>
#include <array>

#include "common/civil_time.h"
#include "datagen/channels.h"
#include "datagen/json_text.h"

namespace leadscore {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;
constexpr int64_t kMaxSessionSpanUs =
    int64_t{25} * 60 * kMicrosPerSecond;       // under GA4's 30 min timeout
constexpr int64_t kSecondsPerPageView = 1500;  // msec, reading between pages
constexpr std::string_view kStreamId = "4178234567";
constexpr std::string_view kSite = "https://www.example.com";

struct Device {
  std::string_view category, operating_system, browser;
};
constexpr std::array<Device, 6> kDevices = {{
    {"desktop", "Windows", "Chrome"},
    {"desktop", "Macintosh", "Safari"},
    {"mobile", "Android", "Chrome"},
    {"mobile", "iOS", "Safari"},
    {"tablet", "iOS", "Safari"},
    {"desktop", "Windows", "Edge"},
}};
constexpr std::array<double, kDevices.size()> kDeviceWeights = {35, 10, 30, 15, 5, 5};

struct City {
  std::string_view region, city;
};
constexpr std::array<City, 6> kCities = {{
    {"State of Sao Paulo", "São Paulo"},
    {"State of Rio de Janeiro", "Rio de Janeiro"},
    {"State of Minas Gerais", "Belo Horizonte"},
    {"State of Parana", "Curitiba"},
    {"State of Rio Grande do Sul", "Porto Alegre"},
    {"Federal District", "Brasília"},
}};
constexpr std::array<double, kCities.size()> kCityWeights = {40, 20, 12, 10, 10, 8};

constexpr std::array<std::string_view, 6> kPages = {
    "/", "/pricing", "/features", "/blog/lead-scoring-101", "/customers", "/demo"};
constexpr std::string_view kFormPage = "/contact";

// Sub-second part of a session's start: a hash, so the visitor's first_touch timestamp and
// the session_start event agree without passing state around.
int64_t SessionStartUs(uint64_t client_number, int64_t start_seconds) {
  uint64_t state = client_number * 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(start_seconds);
  return start_seconds * kMicrosPerSecond +
         static_cast<int64_t>(SplitMix64(state) % static_cast<uint64_t>(kMicrosPerSecond));
}

void AppendParam(std::string_view key, int64_t value, std::string& out) {
  out.append(R"({"key":")").append(key).append(R"(","value":{"int_value":)");
  AppendQuotedInt(value, out);
  out.append("}}");
}

void AppendParam(std::string_view key, std::string_view value, std::string& out) {
  out.append(R"({"key":")").append(key).append(R"(","value":{"string_value":)");
  AppendJsonString(value, out);
  out.append("}}");
}

void AppendPageParams(std::string_view path, bool entrance, std::string& out) {
  std::string url(kSite);
  url.append(path);
  out.push_back(',');
  AppendParam("page_location", url, out);
  if (entrance) {
    out.push_back(',');
    AppendParam("entrances", 1, out);
  }
}

// "campaign_name":…,"source":…,"medium":…: what both last-click records carry.
void AppendCampaignFields(const ChannelTraffic& traffic, std::string& out) {
  out.append(R"("campaign_name":)");
  AppendJsonString(traffic.campaign_label, out);
  out.append(R"(,"source":)");
  AppendJsonString(traffic.source, out);
  out.append(R"(,"medium":)");
  AppendJsonString(traffic.medium, out);
}

}  // namespace

Ga4Visitor DrawGa4Visitor(const Session& first, Random& aux) {
  Ga4Visitor visitor;
  // GA4's client id: a random 31-bit number and the first visit's epoch seconds.
  visitor.client_number = static_cast<uint64_t>(aux.UniformInt(100000000, 2147483647));
  int64_t first_visit = first.start;
  if (first.session_number > 1) {  // first came before the data: some days or months earlier
    first_visit -= aux.UniformInt(int64_t{3600}, int64_t{180} * 86400);
  }
  visitor.first_touch_us = SessionStartUs(visitor.client_number, first_visit);
  visitor.user_pseudo_id =
      std::to_string(visitor.client_number) + "." + std::to_string(first_visit);
  visitor.first_channel = first.channel;
  visitor.device = aux.Categorical(kDeviceWeights);
  visitor.city = aux.Categorical(kCityWeights);
  return visitor;
}

Ga4EventWriter::Ga4EventWriter(AtomicFileSet& files, Ga4WriterOptions options)
    : files_(files), options_(std::move(options)), duplicate_state_(options_.duplicate_seed) {}

Result<OutputFile*> Ga4EventWriter::DayFile(int64_t day) {
  auto it = days_.find(day);
  if (it != days_.end()) return it->second;
  std::string name = "events_";
  AppendCompactDate(day, name);
  name.append(".jsonl.gz");
  auto file = files_.OpenGzip(options_.dir / name, options_.gzip);
  if (!file.ok()) return file.status();
  file_names_.push_back(std::move(name));
  days_.emplace(day, file.value());
  return file.value();
}

void Ga4EventWriter::FormatVisitor(const Ga4Visitor& visitor) {
  const Device& device = kDevices[visitor.device];
  const City& city = kCities[visitor.city];
  const ChannelTraffic& first = ChannelTrafficSources()[visitor.first_channel];
  std::string& out = visitor_fields_;
  out.assign(R"("user_pseudo_id":)");
  AppendJsonString(visitor.user_pseudo_id, out);
  out.append(R"(,"user_first_touch_timestamp":)");
  AppendQuotedInt(visitor.first_touch_us, out);
  out.append(R"(,"device":{"category":)");
  AppendJsonString(device.category, out);
  out.append(R"(,"operating_system":)");
  AppendJsonString(device.operating_system, out);
  out.append(R"(,"web_info":{"browser":)");
  AppendJsonString(device.browser, out);
  out.append(R"(}},"geo":{"continent":"Americas","country":"Brazil","region":)");
  AppendJsonString(city.region, out);
  out.append(R"(,"city":)");
  AppendJsonString(city.city, out);
  out.append(R"(,"sub_continent":"South America"},"traffic_source":{"name":)");
  AppendJsonString(first.campaign_label, out);
  out.append(R"(,"medium":)");
  AppendJsonString(first.medium, out);
  out.append(R"(,"source":)");
  AppendJsonString(first.source, out);
  out.append(R"(},"stream_id":)");
  AppendJsonString(kStreamId, out);
  out.append(R"(,"platform":"WEB")");
}

void Ga4EventWriter::FormatSession(const Session& session, uint64_t client_number) {
  for (int engaged = 0; engaged < 2; ++engaged) {
    std::string& out = session_params_[engaged];
    out.clear();
    AppendParam("ga_session_id", session.start, out);
    out.push_back(',');
    AppendParam("ga_session_number", session.session_number, out);
    out.push_back(',');
    AppendParam("session_engaged", engaged ? "1" : "0", out);
  }
  const ChannelTraffic& traffic = ChannelTrafficSources()[session.channel];
  collected_.clear();
  if (traffic.collected) {
    collected_.append(R"(,"collected_traffic_source":{)");
    if (!traffic.campaign.empty()) {
      collected_.append(R"("manual_campaign_name":)");
      AppendJsonString(traffic.campaign, collected_);
      collected_.push_back(',');
    }
    collected_.append(R"("manual_source":)");
    AppendJsonString(traffic.source, collected_);
    collected_.append(R"(,"manual_medium":)");
    AppendJsonString(traffic.medium, collected_);
    if (traffic.gclid) {  // Google Ads' click id: unique per click
      static constexpr char kChars[] =
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      uint64_t state = client_number * 0xD1B54A32D192ED03ull ^ static_cast<uint64_t>(session.start);
      uint64_t bits = SplitMix64(state);
      std::string gclid = "Cj0KCQjw";
      for (int i = 0; i < 20; ++i, bits >>= 3) {
        if (i == 10) bits = SplitMix64(state);
        gclid.push_back(kChars[bits & 63]);
      }
      collected_.append(R"(,"gclid":)");
      AppendJsonString(gclid, collected_);
    }
    collected_.push_back('}');
  }
  const std::string_view group = OlistChannelProfiles()[session.channel].ga4_group;
  last_click_.assign(R"(,"session_traffic_source_last_click":{"manual_campaign":{)");
  AppendCampaignFields(traffic, last_click_);
  last_click_.append(R"(},"cross_channel_campaign":{)");
  AppendCampaignFields(traffic, last_click_);
  last_click_.append(R"(,"default_channel_group":)");
  AppendJsonString(group, last_click_);
  last_click_.append(R"(,"primary_channel_group":)");
  AppendJsonString(group, last_click_);
  last_click_.append("}}");
}

Status Ga4EventWriter::WriteEvent(const Event& event) {
  if (event.timestamp_us >= options_.as_of_us) return Status::Ok();  // after the export
  auto file = DayFile(FloorDiv(event.timestamp_us, kMicrosPerDay));
  if (!file.ok()) return file.status();
  std::string& out = file.value()->buffer();
  const size_t begin = out.size();
  out.append(R"({"event_date":")");
  AppendCompactDate(FloorDiv(event.timestamp_us, kMicrosPerDay), out);
  out.append(R"(","event_timestamp":)");
  AppendQuotedInt(event.timestamp_us, out);
  out.append(R"(,"event_name":")").append(event.name).append(R"(","event_params":[)");
  out.append(session_params_[event.engaged ? 1 : 0]);
  out.append(event.params);
  out.append("],");
  out.append(visitor_fields_);
  if (event.landing) out.append(collected_);
  if (event.timestamp_us >= options_.last_click_from_us) out.append(last_click_);
  out.append("}\n");
  ++counts_.events;
  if (SplitMix64(duplicate_state_) % 1000000 < options_.duplicates_per_million) {
    out.append(out, begin, out.size() - begin);  // the export's exact duplicate row
    ++counts_.events;
    ++counts_.duplicates;
  }
  counts_.max_timestamp_us = std::max(counts_.max_timestamp_us, event.timestamp_us);
  file.value()->MaybeFlush();
  return Status::Ok();
}

Status Ga4EventWriter::WriteVisitor(const Ga4Visitor& visitor, std::span<const Session> sessions,
                                    const Ga4Conversion& conversion, Random& aux) {
  FormatVisitor(visitor);
  std::string& params = scratch_;
  for (size_t s = 0; s < sessions.size(); ++s) {
    const Session& session = sessions[s];
    const bool converts = s == conversion.session_index;
    FormatSession(session, visitor.client_number);
    const int64_t start_us = SessionStartUs(visitor.client_number, session.start);
    const int64_t end_us =
        converts
            ? conversion.created_us - 2000
            : start_us + std::min(kMaxSessionSpanUs, (session.engagement_msec +
                                                      kSecondsPerPageView * session.page_views) *
                                                         1000);
    const int64_t span_us = end_us - start_us;
    // GA4 marks a session engaged once it has 10 s of engagement: the events from then on.
    const bool engaged = session.engagement_msec > kEngagedSessionMsec;
    const int64_t engaged_from =
        engaged ? start_us + static_cast<int64_t>(static_cast<double>(span_us) *
                                                  static_cast<double>(kEngagedSessionMsec) /
                                                  static_cast<double>(session.engagement_msec))
                : INT64_MAX;
    const std::string_view landing = kPages[static_cast<size_t>(aux.UniformInt(0, 3))];
    params.clear();
    AppendPageParams(landing, false, params);
    if (session.session_number == 1) {
      LEADSCORE_RETURN_IF_ERROR(
          WriteEvent({start_us, "first_visit", start_us >= engaged_from, true, params}));
    }
    LEADSCORE_RETURN_IF_ERROR(
        WriteEvent({start_us, "session_start", start_us >= engaged_from, true, params}));
    for (int64_t k = 0; k < session.page_views; ++k) {
      const int64_t at = start_us + span_us * k / session.page_views;
      const std::string_view page =
          k == 0 ? landing : kPages[static_cast<size_t>(aux.UniformInt(0, kPages.size() - 1))];
      params.clear();
      AppendPageParams(page, k == 0, params);
      LEADSCORE_RETURN_IF_ERROR(WriteEvent({at, "page_view", at >= engaged_from, k == 0, params}));
    }
    if (session.engagement_msec > 0) {
      params.clear();
      params.push_back(',');
      AppendParam("engagement_time_msec", session.engagement_msec, params);
      LEADSCORE_RETURN_IF_ERROR(
          WriteEvent({end_us, "user_engagement", end_us >= engaged_from, false, params}));
    }
    if (converts) {
      params.clear();
      AppendPageParams(kFormPage, false, params);
      const int64_t submit_us = conversion.created_us - 1000;
      LEADSCORE_RETURN_IF_ERROR(
          WriteEvent({submit_us, "form_submit", submit_us >= engaged_from, false, params}));
      LEADSCORE_RETURN_IF_ERROR(WriteEvent({conversion.created_us,
                                            "generate_lead",
                                            conversion.created_us >= engaged_from,
                                            false,
                                            {}}));
    }
  }
  return Status::Ok();
}

}  // namespace leadscore
