// The fields of a GA4 BigQuery export row as the event writer produces them, grouped by how
// often they change (visitor, session, event), and the interface of the file formats that
// write them (Ga4JsonSink: gzip JSONL; Ga4ParquetSink: Parquet). Both formats carry exactly
// these fields, so the loader reads the same table from either (docs/sources.md).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace leadscore {

// Constant on every generated event.
inline constexpr std::string_view kGa4Continent = "Americas";
inline constexpr std::string_view kGa4Country = "Brazil";
inline constexpr std::string_view kGa4SubContinent = "South America";
inline constexpr std::string_view kGa4StreamId = "4178234567";
inline constexpr std::string_view kGa4Platform = "WEB";

// An entry of event_params: an int_value or a string_value (the others stay NULL).
struct Ga4Param {
  std::string_view key;
  bool is_int = false;
  int64_t int_value = 0;
  std::string_view string_value;
};

// user_pseudo_id ... traffic_source: the same on every event of a visitor.
struct Ga4UserFields {
  std::string_view user_pseudo_id;
  int64_t first_touch_us = 0;  // user_first_touch_timestamp
  std::string_view device_category, operating_system, browser;
  std::string_view region, city;
  std::string_view first_name, first_medium, first_source;  // traffic_source
};

// source/medium/campaign of a session, as both last-click records carry them.
struct Ga4CampaignFields {
  std::string_view campaign_name, source, medium;
};

// The same on every event of a session.
struct Ga4SessionFields {
  int64_t ga_session_id = 0;
  int64_t ga_session_number = 0;
  bool collected = false;                 // landing events carry collected_traffic_source
  std::string_view manual_campaign_name;  // empty: the field is absent
  std::string_view manual_source, manual_medium;
  std::string_view gclid;  // empty: absent
  Ga4CampaignFields last_click;
  std::string_view channel_group;  // default_ and primary_channel_group
};

struct Ga4EventFields {
  int64_t timestamp_us = 0;
  int64_t day = 0;  // days since 1970-01-01 (UTC): event_date and the file
  std::string_view name;
  bool engaged = false;     // session_engaged "1" (else "0")
  bool landing = false;     // carries the session's collected_traffic_source
  bool last_click = false;  // carries session_traffic_source_last_click
  // After the session's ga_session_id, ga_session_number and session_engaged.
  std::span<const Ga4Param> params;
};

// Writes events into one file per event day, inside the caller's AtomicFileSet.
// Not thread-safe. The visitor's and session's fields (and the strings they view) stay valid
// until the next Begin call of the same kind.
class Ga4EventSink {
 public:
  virtual ~Ga4EventSink() = default;
  virtual void BeginVisitor(const Ga4UserFields& user) = 0;
  virtual void BeginSession(const Ga4SessionFields& session) = 0;
  // Writes the event `copies` times, back to back (2: the export's exact duplicate row);
  // fails when its day file cannot be created or encoded, naming it.
  virtual Status WriteEvent(const Ga4EventFields& event, int copies) = 0;
  // Completes every file (Parquet: the last row groups and footers); call before Commit().
  virtual Status Finish() = 0;
  // The day files opened so far ("events_YYYYMMDD.<extension>").
  virtual std::span<const std::string> file_names() const = 0;
};

}  // namespace leadscore
