#include "datagen/ga4_parquet_sink.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace leadscore {
namespace {

std::string Joined(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& part : path) out += (out.empty() ? "" : ".") + part;
  return out;
}

TEST(Ga4EventSchema, HasTheJsonFieldsAsTypedLeavesInWriteOrder) {
  const auto schema = Ga4EventSchema();
  std::vector<std::string> paths;
  for (const auto& column : schema.columns()) paths.push_back(Joined(column.path));
  EXPECT_EQ(paths, (std::vector<std::string>{
                       "event_date",
                       "event_timestamp",
                       "event_name",
                       "event_params.list.element.key",
                       "event_params.list.element.value.string_value",
                       "event_params.list.element.value.int_value",
                       "event_params.list.element.value.float_value",
                       "event_params.list.element.value.double_value",
                       "user_pseudo_id",
                       "user_first_touch_timestamp",
                       "device.category",
                       "device.operating_system",
                       "device.web_info.browser",
                       "geo.continent",
                       "geo.country",
                       "geo.region",
                       "geo.city",
                       "geo.sub_continent",
                       "traffic_source.name",
                       "traffic_source.medium",
                       "traffic_source.source",
                       "stream_id",
                       "platform",
                       "collected_traffic_source.manual_campaign_name",
                       "collected_traffic_source.manual_source",
                       "collected_traffic_source.manual_medium",
                       "collected_traffic_source.gclid",
                       "session_traffic_source_last_click.manual_campaign.campaign_name",
                       "session_traffic_source_last_click.manual_campaign.source",
                       "session_traffic_source_last_click.manual_campaign.medium",
                       "session_traffic_source_last_click.cross_channel_campaign.campaign_name",
                       "session_traffic_source_last_click.cross_channel_campaign.source",
                       "session_traffic_source_last_click.cross_channel_campaign.medium",
                       "session_traffic_source_last_click.cross_channel_campaign."
                       "default_channel_group",
                       "session_traffic_source_last_click.cross_channel_campaign."
                       "primary_channel_group"}));
  // The levels the sink's hand shredding assumes (ga4_parquet_sink.cc's Column comments).
  const auto& columns = schema.columns();
  EXPECT_EQ(columns[1].type, parquet::PhysicalType::kInt64);
  EXPECT_EQ(columns[3].max_definition, 4);
  EXPECT_EQ(columns[4].max_definition, 5);
  EXPECT_EQ(columns[5].type, parquet::PhysicalType::kInt64);
  EXPECT_EQ(columns[6].type, parquet::PhysicalType::kDouble);
  for (size_t i = 3; i <= 7; ++i) EXPECT_EQ(columns[i].max_repetition, 1) << paths[i];
  EXPECT_EQ(columns[9].type, parquet::PhysicalType::kInt64);
  EXPECT_EQ(columns[12].max_definition, 3);
  EXPECT_EQ(columns[23].max_definition, 2);
  EXPECT_EQ(columns[27].max_definition, 3);
}

}  // namespace
}  // namespace leadscore
