#include "datagen/ga4_event_writer.h"

#include <algorithm>
#include <array>

#include "common/civil_time.h"
#include "datagen/channels.h"
#include "datagen/ga4_json_sink.h"
#include "datagen/ga4_parquet_sink.h"

namespace leadscore {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;
constexpr int64_t kMaxSessionSpanUs =
    int64_t{25} * 60 * kMicrosPerSecond;       // under GA4's 30 min timeout
constexpr int64_t kSecondsPerPageView = 1500;  // msec, reading between pages
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

Ga4Param IntParam(std::string_view key, int64_t value) { return {key, true, value, {}}; }
Ga4Param StringParam(std::string_view key, std::string_view value) {
  return {key, false, 0, value};
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
    : options_(std::move(options)), duplicate_state_(options_.duplicate_seed) {
  if (options_.format == Ga4FileFormat::kParquet) {
    sink_ = std::make_unique<Ga4ParquetSink>(files, options_.dir, options_.parquet);
  } else {
    sink_ = std::make_unique<Ga4JsonSink>(files, options_.dir, options_.gzip);
  }
  for (size_t i = 0; i < kPages.size(); ++i) page_urls_[i] = std::string(kSite).append(kPages[i]);
  page_urls_[kPages.size()] = std::string(kSite).append(kFormPage);
}

Ga4EventWriter::~Ga4EventWriter() = default;

void Ga4EventWriter::BeginSession(const Session& session, uint64_t client_number) {
  const ChannelTraffic& traffic = ChannelTrafficSources()[session.channel];
  gclid_.clear();
  if (traffic.collected && traffic.gclid) {  // Google Ads' click id: unique per click
    static constexpr char kChars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint64_t state = client_number * 0xD1B54A32D192ED03ull ^ static_cast<uint64_t>(session.start);
    uint64_t bits = SplitMix64(state);
    gclid_ = "Cj0KCQjw";
    for (int i = 0; i < 20; ++i, bits >>= 3) {
      if (i == 10) bits = SplitMix64(state);
      gclid_.push_back(kChars[bits & 63]);
    }
  }
  Ga4SessionFields fields;
  fields.ga_session_id = session.start;
  fields.ga_session_number = session.session_number;
  fields.collected = traffic.collected;
  fields.manual_campaign_name = traffic.campaign;
  fields.manual_source = traffic.source;
  fields.manual_medium = traffic.medium;
  fields.gclid = gclid_;
  fields.last_click = {traffic.campaign_label, traffic.source, traffic.medium};
  fields.channel_group = OlistChannelProfiles()[session.channel].ga4_group;
  sink_->BeginSession(fields);
}

Status Ga4EventWriter::WriteEvent(int64_t timestamp_us, std::string_view name, bool engaged,
                                  bool landing, std::span<const Ga4Param> params) {
  if (timestamp_us >= options_.as_of_us) return Status::Ok();  // after the export
  Ga4EventFields event;
  event.timestamp_us = timestamp_us;
  event.day = FloorDiv(timestamp_us, kMicrosPerDay);
  event.name = name;
  event.engaged = engaged;
  event.landing = landing;
  event.last_click = timestamp_us >= options_.last_click_from_us;
  event.params = params;
  ++counts_.events;
  int copies = 1;
  if (SplitMix64(duplicate_state_) % 1000000 < options_.duplicates_per_million) {
    copies = 2;  // the export's exact duplicate row
    ++counts_.events;
    ++counts_.duplicates;
  }
  counts_.max_timestamp_us = std::max(counts_.max_timestamp_us, timestamp_us);
  return sink_->WriteEvent(event, copies);
}

Status Ga4EventWriter::WriteVisitor(const Ga4Visitor& visitor, std::span<const Session> sessions,
                                    const Ga4Conversion& conversion, Random& aux) {
  const Device& device = kDevices[visitor.device];
  const City& city = kCities[visitor.city];
  const ChannelTraffic& first = ChannelTrafficSources()[visitor.first_channel];
  sink_->BeginVisitor({visitor.user_pseudo_id, visitor.first_touch_us, device.category,
                       device.operating_system, device.browser, city.region, city.city,
                       first.campaign_label, first.medium, first.source});
  const std::string_view form_url = page_urls_[kPages.size()];
  for (size_t s = 0; s < sessions.size(); ++s) {
    const Session& session = sessions[s];
    const bool converts = s == conversion.session_index;
    BeginSession(session, visitor.client_number);
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
    const std::string_view landing = page_urls_[static_cast<size_t>(aux.UniformInt(0, 3))];
    const Ga4Param landing_page[] = {StringParam("page_location", landing)};
    if (session.session_number == 1) {
      LEADSCORE_RETURN_IF_ERROR(
          WriteEvent(start_us, "first_visit", start_us >= engaged_from, true, landing_page));
    }
    LEADSCORE_RETURN_IF_ERROR(
        WriteEvent(start_us, "session_start", start_us >= engaged_from, true, landing_page));
    for (int64_t k = 0; k < session.page_views; ++k) {
      const int64_t at = start_us + span_us * k / session.page_views;
      const std::string_view page =
          k == 0 ? landing : page_urls_[static_cast<size_t>(aux.UniformInt(0, kPages.size() - 1))];
      const Ga4Param page_params[] = {StringParam("page_location", page), IntParam("entrances", 1)};
      LEADSCORE_RETURN_IF_ERROR(WriteEvent(at, "page_view", at >= engaged_from, k == 0,
                                           std::span(page_params, k == 0 ? 2 : 1)));
    }
    if (session.engagement_msec > 0) {
      const Ga4Param engagement[] = {IntParam("engagement_time_msec", session.engagement_msec)};
      LEADSCORE_RETURN_IF_ERROR(
          WriteEvent(end_us, "user_engagement", end_us >= engaged_from, false, engagement));
    }
    if (converts) {
      const int64_t submit_us = conversion.created_us - 1000;
      const Ga4Param form_page[] = {StringParam("page_location", form_url)};
      LEADSCORE_RETURN_IF_ERROR(
          WriteEvent(submit_us, "form_submit", submit_us >= engaged_from, false, form_page));
      LEADSCORE_RETURN_IF_ERROR(WriteEvent(conversion.created_us, "generate_lead",
                                           conversion.created_us >= engaged_from, false, {}));
    }
  }
  return Status::Ok();
}

}  // namespace leadscore
