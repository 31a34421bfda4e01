#include "datagen/ga4_parquet_sink.h"

#include "common/civil_time.h"

namespace leadscore {
namespace {

using parquet::DoubleField;
using parquet::Int64Field;
using parquet::RecordField;
using parquet::RepeatedRecordField;
using parquet::StringField;

// The leaf columns of Ga4EventSchema(), in schema order; with their definition levels.
enum Column : size_t {
  kEventDate,
  kEventTimestamp,
  kEventName,
  kParamKey,     // event_params.list.element.key: D 4, R 1
  kParamString,  // ...value.string_value: D 5, R 1 (4: the value record without it)
  kParamInt,
  kParamFloat,
  kParamDouble,
  kUserPseudoId,
  kUserFirstTouch,
  kDeviceCategory,  // D 2
  kDeviceOs,
  kDeviceBrowser,  // device.web_info.browser: D 3
  kGeoContinent,   // D 2
  kGeoCountry,
  kGeoRegion,
  kGeoCity,
  kGeoSubContinent,
  kTrafficName,  // D 2
  kTrafficMedium,
  kTrafficSource,
  kStreamId,
  kPlatform,
  kCollectedCampaign,  // D 2 (1: the record without it, 0: no record)
  kCollectedSource,
  kCollectedMedium,
  kCollectedGclid,
  kLastClickManualCampaign,  // D 3 (0: no record)
  kLastClickManualSource,
  kLastClickManualMedium,
  kLastClickCrossCampaign,
  kLastClickCrossSource,
  kLastClickCrossMedium,
  kLastClickDefaultGroup,
  kLastClickPrimaryGroup,
};

constexpr int kParamValueDefined = 4;  // event_params, list, element and value present

}  // namespace

parquet::ParquetSchema Ga4EventSchema() {
  auto campaign = [](std::vector<parquet::SchemaNode> extra) {
    std::vector<parquet::SchemaNode> fields = {StringField("campaign_name"), StringField("source"),
                                               StringField("medium")};
    for (auto& field : extra) fields.push_back(std::move(field));
    return fields;
  };
  return parquet::ParquetSchema({
      StringField("event_date"),
      Int64Field("event_timestamp"),
      StringField("event_name"),
      RepeatedRecordField(
          "event_params",
          {StringField("key"),
           RecordField("value", {StringField("string_value"), Int64Field("int_value"),
                                 DoubleField("float_value"), DoubleField("double_value")})}),
      StringField("user_pseudo_id"),
      Int64Field("user_first_touch_timestamp"),
      RecordField("device", {StringField("category"), StringField("operating_system"),
                             RecordField("web_info", {StringField("browser")})}),
      RecordField("geo", {StringField("continent"), StringField("country"), StringField("region"),
                          StringField("city"), StringField("sub_continent")}),
      RecordField("traffic_source",
                  {StringField("name"), StringField("medium"), StringField("source")}),
      StringField("stream_id"),
      StringField("platform"),
      RecordField("collected_traffic_source",
                  {StringField("manual_campaign_name"), StringField("manual_source"),
                   StringField("manual_medium"), StringField("gclid")}),
      RecordField("session_traffic_source_last_click",
                  {RecordField("manual_campaign", campaign({})),
                   RecordField("cross_channel_campaign",
                               campaign({StringField("default_channel_group"),
                                         StringField("primary_channel_group")}))}),
  });
}

Ga4ParquetSink::Ga4ParquetSink(AtomicFileSet& files, std::filesystem::path dir,
                               const Ga4ParquetOptions& options)
    : files_(files),
      dir_(std::move(dir)),
      options_(options),
      schema_(Ga4EventSchema()),
      compressor_(options.codec, options.gzip_level) {}

Ga4ParquetSink::~Ga4ParquetSink() = default;

Result<Ga4ParquetSink::DayFile*> Ga4ParquetSink::Day(int64_t day) {
  auto it = days_.find(day);
  if (it != days_.end()) return &it->second;
  std::string name = "events_";
  AppendCompactDate(day, name);
  name.append(".parquet");
  auto file = files_.Open(dir_ / name);
  if (!file.ok()) return file.status();
  DayFile& entry = days_[day];
  entry.name = name;
  AppendCompactDate(day, entry.event_date);
  entry.writer = std::make_unique<parquet::ParquetFileWriter>(*file.value(), schema_,
                                                              options_.writer, compressor_);
  file_names_.push_back(std::move(name));
  day_order_.push_back(day);
  return &entry;
}

// Dremel shredding by hand (the schema is fixed): every column gets one entry per row, or
// one per parameter for the event_params columns; an absent field is a NULL at the
// definition level of its deepest present ancestor.
void Ga4ParquetSink::PutRow(const Ga4EventFields& event, parquet::ParquetFileWriter& writer,
                            std::string_view event_date) {
  auto column = [&writer](Column c) -> parquet::ColumnWriter& { return writer.column(c); };
  column(kEventDate).PutString(event_date);
  column(kEventTimestamp).PutInt64(event.timestamp_us);
  column(kEventName).PutString(event.name);

  const Ga4Param session_params[] = {{"ga_session_id", true, session_.ga_session_id, {}},
                                     {"ga_session_number", true, session_.ga_session_number, {}},
                                     {"session_engaged", false, 0, event.engaged ? "1" : "0"}};
  int repetition = 0;
  for (auto params : {std::span<const Ga4Param>(session_params), event.params}) {
    for (const Ga4Param& param : params) {
      column(kParamKey).PutString(param.key, repetition);
      if (param.is_int) {
        column(kParamString).PutNull(kParamValueDefined, repetition);
        column(kParamInt).PutInt64(param.int_value, repetition);
      } else {
        column(kParamString).PutString(param.string_value, repetition);
        column(kParamInt).PutNull(kParamValueDefined, repetition);
      }
      column(kParamFloat).PutNull(kParamValueDefined, repetition);
      column(kParamDouble).PutNull(kParamValueDefined, repetition);
      repetition = 1;
    }
  }

  column(kUserPseudoId).PutString(user_.user_pseudo_id);
  column(kUserFirstTouch).PutInt64(user_.first_touch_us);
  column(kDeviceCategory).PutString(user_.device_category);
  column(kDeviceOs).PutString(user_.operating_system);
  column(kDeviceBrowser).PutString(user_.browser);
  column(kGeoContinent).PutString(kGa4Continent);
  column(kGeoCountry).PutString(kGa4Country);
  column(kGeoRegion).PutString(user_.region);
  column(kGeoCity).PutString(user_.city);
  column(kGeoSubContinent).PutString(kGa4SubContinent);
  column(kTrafficName).PutString(user_.first_name);
  column(kTrafficMedium).PutString(user_.first_medium);
  column(kTrafficSource).PutString(user_.first_source);
  column(kStreamId).PutString(kGa4StreamId);
  column(kPlatform).PutString(kGa4Platform);

  if (event.landing && session_.collected) {
    auto optional = [](parquet::ColumnWriter& c, std::string_view value) {
      if (value.empty()) {
        c.PutNull(1);  // the record is there, the field is not
      } else {
        c.PutString(value);
      }
    };
    optional(column(kCollectedCampaign), session_.manual_campaign_name);
    column(kCollectedSource).PutString(session_.manual_source);
    column(kCollectedMedium).PutString(session_.manual_medium);
    optional(column(kCollectedGclid), session_.gclid);
  } else {
    for (Column c : {kCollectedCampaign, kCollectedSource, kCollectedMedium, kCollectedGclid}) {
      column(c).PutNull(0);
    }
  }

  if (event.last_click) {
    const Ga4CampaignFields& campaign = session_.last_click;
    column(kLastClickManualCampaign).PutString(campaign.campaign_name);
    column(kLastClickManualSource).PutString(campaign.source);
    column(kLastClickManualMedium).PutString(campaign.medium);
    column(kLastClickCrossCampaign).PutString(campaign.campaign_name);
    column(kLastClickCrossSource).PutString(campaign.source);
    column(kLastClickCrossMedium).PutString(campaign.medium);
    column(kLastClickDefaultGroup).PutString(session_.channel_group);
    column(kLastClickPrimaryGroup).PutString(session_.channel_group);
  } else {
    for (size_t c = kLastClickManualCampaign; c <= kLastClickPrimaryGroup; ++c) {
      writer.column(c).PutNull(0);
    }
  }
}

Status Ga4ParquetSink::WriteEvent(const Ga4EventFields& event, int copies) {
  auto day = Day(event.day);
  if (!day.ok()) return day.status();
  DayFile& file = *day.value();
  for (int copy = 0; copy < copies; ++copy) {
    PutRow(event, *file.writer, file.event_date);
    Status ended = file.writer->EndRow();
    if (!ended.ok()) return ended.WithContext("writing " + (dir_ / file.name).string());
  }
  return Status::Ok();
}

Status Ga4ParquetSink::Finish() {
  for (int64_t day : day_order_) {
    DayFile& file = days_.at(day);
    Status closed = file.writer->Close();
    if (!closed.ok()) return closed.WithContext("writing " + (dir_ / file.name).string());
  }
  return Status::Ok();
}

}  // namespace leadscore
