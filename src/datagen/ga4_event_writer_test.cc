#include "datagen/ga4_event_writer.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/civil_time.h"
#include "tests/gzip_reader.h"
#include "tests/temp_dir_fixture.h"

namespace leadscore {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int64_t kUs = 1000000;
const int64_t kNewYear = DaysFromCivil(2018, 1, 1) * 86400;

class Ga4EventWriterTest : public TempDirTest {
 protected:
  // Session 1 (Organic Search, engaged) starts 10 s before 2018 and ends after midnight;
  // session 2 (Direct, not engaged) converts 120 s after its start on 2018-01-05.
  void SetUp() override {
    TempDirTest::SetUp();
    sessions_ = {{kNewYear - 10, 1, 0, 30000, 3}, {kNewYear + 4 * 86400 + 36000, 2, 4, 5000, 2}};
    conversion_ = {1, (sessions_[1].start + 120) * kUs + 456000};
  }

  // Writes the visitor and returns the files' rows, file name -> parsed lines.
  std::map<std::string, std::vector<json>> Write(Ga4WriterOptions options) {
    options.dir = dir_ / "ga4";
    options.last_click_from_us = kNewYear * kUs;
    AtomicFileSet files;
    Ga4EventWriter writer(files, options);
    Random aux(1, 2);
    visitor_ = DrawGa4Visitor(sessions_[0], aux);
    EXPECT_TRUE(writer.WriteVisitor(visitor_, sessions_, conversion_, aux).ok());
    counts_ = writer.counts();
    EXPECT_TRUE(files.Commit().ok());
    std::map<std::string, std::vector<json>> out;
    for (const auto& entry : fs::directory_iterator(dir_ / "ga4")) {
      const GzipText gz = ReadGzipFile(entry.path());
      EXPECT_TRUE(gz.ok) << entry.path();
      std::istringstream lines(gz.text);
      auto& rows = out[entry.path().filename().string()];
      for (std::string line; std::getline(lines, line);) rows.push_back(json::parse(line));
    }
    return out;
  }

  static std::string Param(const json& event, const std::string& key) {
    for (const auto& p : event["event_params"]) {
      if (p["key"] == key) {
        return p["value"].contains("int_value")
                   ? "int:" + p["value"]["int_value"].get<std::string>()
                   : p["value"]["string_value"].get<std::string>();
      }
    }
    return "";
  }

  std::vector<Session> sessions_;
  Ga4Conversion conversion_;
  Ga4Visitor visitor_;
  Ga4WriteCounts counts_;
};

TEST_F(Ga4EventWriterTest, WritesTheStorySessionsAsGa4ExportEvents) {
  Ga4WriterOptions options;
  options.duplicates_per_million = 0;
  const auto files = Write(options);
  ASSERT_EQ(files.size(), 3u);  // session 1 crosses midnight: two daily files, then Jan 5
  const auto& dec31 = files.at("events_20171231.jsonl.gz");
  const auto& jan1 = files.at("events_20180101.jsonl.gz");
  const auto& jan5 = files.at("events_20180105.jsonl.gz");
  std::vector<std::string> first, second;
  for (const auto* day : {&dec31, &jan1}) {
    for (const auto& e : *day) first.push_back(e["event_name"]);
  }
  for (const auto& e : jan5) second.push_back(e["event_name"]);
  EXPECT_EQ(first, (std::vector<std::string>{"first_visit", "session_start", "page_view",
                                             "page_view", "page_view", "user_engagement"}));
  EXPECT_EQ(second, (std::vector<std::string>{"session_start", "page_view", "page_view",
                                              "user_engagement", "form_submit", "generate_lead"}));
  EXPECT_EQ(counts_.events, 12);

  const json& start = dec31[1];
  EXPECT_EQ(start["event_date"], "20171231");
  EXPECT_TRUE(start["event_timestamp"].is_string()) << "INT64 as a JSON string";
  EXPECT_EQ(Param(start, "ga_session_id"), "int:" + std::to_string(kNewYear - 10));
  EXPECT_EQ(Param(start, "ga_session_number"), "int:1");
  EXPECT_EQ(Param(start, "session_engaged"), "0");
  EXPECT_EQ(start["user_pseudo_id"], visitor_.user_pseudo_id);
  EXPECT_EQ(start["traffic_source"], json::parse(R"j({"name":"(organic)","medium":"organic",)j"
                                                 R"j("source":"google"})j"));
  EXPECT_EQ(start["collected_traffic_source"],
            json::parse(R"({"manual_source":"google","manual_medium":"organic"})"));
  EXPECT_FALSE(start.contains("session_traffic_source_last_click")) << "before 2018";
  EXPECT_EQ(start["platform"], "WEB");
  EXPECT_EQ(dec31[0]["event_timestamp"], start["event_timestamp"]) << "first_visit = start";
  EXPECT_EQ(visitor_.first_touch_us, std::stoll(start["event_timestamp"].get<std::string>()));
  EXPECT_EQ(Param(dec31[2], "entrances"), "int:1");
  EXPECT_TRUE(Param(dec31[2], "page_location").starts_with("https://"));

  // Engaged after 10 of its 30 s: the end of session 1 says so, in 2018 with the last click.
  const json& engagement = jan1.back();
  EXPECT_EQ(Param(engagement, "engagement_time_msec"), "int:30000");
  EXPECT_EQ(Param(engagement, "session_engaged"), "1");
  EXPECT_EQ(engagement["session_traffic_source_last_click"]["cross_channel_campaign"]
                      ["default_channel_group"],
            "Organic Search");
  EXPECT_FALSE(engagement.contains("collected_traffic_source")) << "only on landing events";

  for (const auto& e : jan5) {
    EXPECT_EQ(Param(e, "session_engaged"), "0") << "5 s: not engaged";
    EXPECT_EQ(Param(e, "ga_session_number"), "int:2");
    EXPECT_FALSE(e.contains("collected_traffic_source")) << "Direct";
    EXPECT_EQ(e["session_traffic_source_last_click"]["manual_campaign"]["source"], "(direct)");
    EXPECT_EQ(e["traffic_source"]["source"], "google") << "the user's first touch";
  }
  EXPECT_EQ(jan5.back()["event_timestamp"], std::to_string(conversion_.created_us));
  EXPECT_LT(std::stoll(jan5[4]["event_timestamp"].get<std::string>()), conversion_.created_us);
}

TEST_F(Ga4EventWriterTest, WritesNothingAtOrAfterAsOf) {
  Ga4WriterOptions options;
  options.duplicates_per_million = 0;
  options.as_of_us = kNewYear * kUs;  // midnight: session 1's end and session 2 are later
  const auto files = Write(options);
  ASSERT_EQ(files.size(), 1u);
  for (const auto& e : files.at("events_20171231.jsonl.gz")) {
    EXPECT_LT(std::stoll(e["event_timestamp"].get<std::string>()), kNewYear * kUs);
  }
  EXPECT_LT(counts_.max_timestamp_us, kNewYear * kUs);
}

TEST_F(Ga4EventWriterTest, DuplicatesAreExactCopiesInTheSameFile) {
  Ga4WriterOptions options;
  options.duplicates_per_million = 1000000;  // every row twice
  const auto files = Write(options);
  EXPECT_EQ(counts_.events, 24);
  EXPECT_EQ(counts_.duplicates, 12);
  for (const auto& [name, rows] : files) {
    ASSERT_EQ(rows.size() % 2, 0u) << name;
    for (size_t i = 0; i < rows.size(); i += 2) EXPECT_EQ(rows[i], rows[i + 1]) << name;
  }
}

TEST(Ga4Visitor, ClientIdIsARandomNumberAndTheFirstVisitSeconds) {
  Random aux(42, 7);
  const Session first{1496275200, 1, 0, 0, 1};
  const Ga4Visitor visitor = DrawGa4Visitor(first, aux);
  const size_t dot = visitor.user_pseudo_id.find('.');
  ASSERT_TRUE(dot == 9 || dot == 10) << visitor.user_pseudo_id;
  EXPECT_EQ(visitor.user_pseudo_id.substr(dot + 1), "1496275200");
  EXPECT_EQ(visitor.first_touch_us / kUs, 1496275200);

  Random again(42, 7);
  EXPECT_EQ(DrawGa4Visitor(first, again).user_pseudo_id, visitor.user_pseudo_id);
  // A returning visitor (session 3 is the first in the data) first came earlier.
  Random other(42, 7);
  const Ga4Visitor returning = DrawGa4Visitor({1496275200, 3, 0, 0, 1}, other);
  EXPECT_LT(returning.first_touch_us / kUs, 1496275200);
}

}  // namespace
}  // namespace leadscore
