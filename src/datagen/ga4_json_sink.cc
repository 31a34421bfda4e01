#include "datagen/ga4_json_sink.h"

#include "common/civil_time.h"
#include "datagen/json_text.h"

namespace leadscore {
namespace {

void AppendParam(const Ga4Param& param, std::string& out) {
  out.append(R"({"key":")").append(param.key);
  if (param.is_int) {
    out.append(R"(","value":{"int_value":)");
    AppendQuotedInt(param.int_value, out);
  } else {
    out.append(R"(","value":{"string_value":)");
    AppendJsonString(param.string_value, out);
  }
  out.append("}}");
}

// "campaign_name":…,"source":…,"medium":…: what both last-click records carry.
void AppendCampaignFields(const Ga4CampaignFields& campaign, std::string& out) {
  out.append(R"("campaign_name":)");
  AppendJsonString(campaign.campaign_name, out);
  out.append(R"(,"source":)");
  AppendJsonString(campaign.source, out);
  out.append(R"(,"medium":)");
  AppendJsonString(campaign.medium, out);
}

}  // namespace

Ga4JsonSink::Ga4JsonSink(AtomicFileSet& files, std::filesystem::path dir, GzipOptions gzip)
    : files_(files), dir_(std::move(dir)), gzip_(gzip) {}

Result<OutputFile*> Ga4JsonSink::DayFile(int64_t day) {
  auto it = days_.find(day);
  if (it != days_.end()) return it->second;
  std::string name = "events_";
  AppendCompactDate(day, name);
  name.append(".jsonl.gz");
  auto file = files_.OpenGzip(dir_ / name, gzip_);
  if (!file.ok()) return file.status();
  file_names_.push_back(std::move(name));
  days_.emplace(day, file.value());
  return file.value();
}

void Ga4JsonSink::BeginVisitor(const Ga4UserFields& user) {
  std::string& out = visitor_fields_;
  out.assign(R"("user_pseudo_id":)");
  AppendJsonString(user.user_pseudo_id, out);
  out.append(R"(,"user_first_touch_timestamp":)");
  AppendQuotedInt(user.first_touch_us, out);
  out.append(R"(,"device":{"category":)");
  AppendJsonString(user.device_category, out);
  out.append(R"(,"operating_system":)");
  AppendJsonString(user.operating_system, out);
  out.append(R"(,"web_info":{"browser":)");
  AppendJsonString(user.browser, out);
  out.append(R"(}},"geo":{"continent":)");
  AppendJsonString(kGa4Continent, out);
  out.append(R"(,"country":)");
  AppendJsonString(kGa4Country, out);
  out.append(R"(,"region":)");
  AppendJsonString(user.region, out);
  out.append(R"(,"city":)");
  AppendJsonString(user.city, out);
  out.append(R"(,"sub_continent":)");
  AppendJsonString(kGa4SubContinent, out);
  out.append(R"(},"traffic_source":{"name":)");
  AppendJsonString(user.first_name, out);
  out.append(R"(,"medium":)");
  AppendJsonString(user.first_medium, out);
  out.append(R"(,"source":)");
  AppendJsonString(user.first_source, out);
  out.append(R"(},"stream_id":)");
  AppendJsonString(kGa4StreamId, out);
  out.append(R"(,"platform":)");
  AppendJsonString(kGa4Platform, out);
}

void Ga4JsonSink::BeginSession(const Ga4SessionFields& session) {
  for (int engaged = 0; engaged < 2; ++engaged) {
    std::string& out = session_params_[engaged];
    out.clear();
    AppendParam({"ga_session_id", true, session.ga_session_id, {}}, out);
    out.push_back(',');
    AppendParam({"ga_session_number", true, session.ga_session_number, {}}, out);
    out.push_back(',');
    AppendParam({"session_engaged", false, 0, engaged ? "1" : "0"}, out);
  }
  collected_.clear();
  if (session.collected) {
    collected_.append(R"(,"collected_traffic_source":{)");
    if (!session.manual_campaign_name.empty()) {
      collected_.append(R"("manual_campaign_name":)");
      AppendJsonString(session.manual_campaign_name, collected_);
      collected_.push_back(',');
    }
    collected_.append(R"("manual_source":)");
    AppendJsonString(session.manual_source, collected_);
    collected_.append(R"(,"manual_medium":)");
    AppendJsonString(session.manual_medium, collected_);
    if (!session.gclid.empty()) {
      collected_.append(R"(,"gclid":)");
      AppendJsonString(session.gclid, collected_);
    }
    collected_.push_back('}');
  }
  last_click_.assign(R"(,"session_traffic_source_last_click":{"manual_campaign":{)");
  AppendCampaignFields(session.last_click, last_click_);
  last_click_.append(R"(},"cross_channel_campaign":{)");
  AppendCampaignFields(session.last_click, last_click_);
  last_click_.append(R"(,"default_channel_group":)");
  AppendJsonString(session.channel_group, last_click_);
  last_click_.append(R"(,"primary_channel_group":)");
  AppendJsonString(session.channel_group, last_click_);
  last_click_.append("}}");
}

Status Ga4JsonSink::WriteEvent(const Ga4EventFields& event, int copies) {
  auto file = DayFile(event.day);
  if (!file.ok()) return file.status();
  std::string& out = file.value()->buffer();
  const size_t begin = out.size();
  out.append(R"({"event_date":")");
  AppendCompactDate(event.day, out);
  out.append(R"(","event_timestamp":)");
  AppendQuotedInt(event.timestamp_us, out);
  out.append(R"(,"event_name":")").append(event.name).append(R"(","event_params":[)");
  out.append(session_params_[event.engaged ? 1 : 0]);
  for (const Ga4Param& param : event.params) {
    out.push_back(',');
    AppendParam(param, out);
  }
  out.append("],");
  out.append(visitor_fields_);
  if (event.landing) out.append(collected_);
  if (event.last_click) out.append(last_click_);
  out.append("}\n");
  const size_t size = out.size() - begin;
  for (int copy = 1; copy < copies; ++copy) out.append(out, begin, size);
  file.value()->MaybeFlush();
  return Status::Ok();
}

}  // namespace leadscore
