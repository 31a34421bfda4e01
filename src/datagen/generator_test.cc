#include "datagen/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/civil_time.h"
#include "tests/file_text.h"
#include "tests/gzip_reader.h"
#include "tests/temp_dir_fixture.h"

namespace leadscore {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const int64_t kAsOfUs = DaysFromCivil(2018, 6, 1) * 86400 * int64_t{1000000};
const int64_t kLastClickFromUs = DaysFromCivil(2018, 1, 1) * 86400 * int64_t{1000000};

// One exported event row with the file it came from.
struct Row {
  std::string file;
  std::string line;
  json event;
};

class GeneratorTest : public TempDirTest {
 protected:
  GenerateOptions Options(const std::string& out, int64_t rows, uint64_t seed) const {
    GenerateOptions options;
    options.rows = rows;
    options.seed = seed;
    options.out_dir = dir_ / out;
    return options;
  }

  static std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  static std::vector<json> JsonLines(const fs::path& path) {
    std::vector<json> objects;
    for (const auto& line : Lines(FileText(path))) objects.push_back(json::parse(line));
    return objects;
  }

  // Every file below `dir` (relative path -> bytes).
  static std::map<std::string, std::string> Tree(const fs::path& dir) {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file()) {
        files[fs::relative(entry.path(), dir).string()] = FileText(entry.path());
      }
    }
    return files;
  }

  static std::set<std::string> Entries(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename());
    return names;
  }

  // All GA4 rows of `dir`/ga4, file by file; fails the test on a damaged gzip file.
  static std::vector<Row> Events(const fs::path& dir) {
    std::vector<Row> rows;
    for (const auto& name : Entries(dir / "ga4")) {
      const GzipText gz = ReadGzipFile(dir / "ga4" / name);
      EXPECT_TRUE(gz.ok) << name << " is not a valid gzip file";
      for (auto& line : Lines(gz.text)) {
        json event = json::parse(line);
        rows.push_back({name, std::move(line), std::move(event)});
      }
    }
    return rows;
  }

  static const json* Param(const json& event, const std::string& key) {
    for (const auto& param : event["event_params"]) {
      if (param["key"] == key) return &param["value"];
    }
    return nullptr;
  }
  static int64_t IntParam(const json& event, const std::string& key) {
    const json* value = Param(event, key);
    return value == nullptr ? -1 : std::stoll(value->at("int_value").get<std::string>());
  }
};

TEST_F(GeneratorTest, SameSeedGivesByteIdenticalFiles) {
  auto first = Generate(Options("a", 2000, 7));
  auto second = Generate(Options("b", 2000, 7));
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_TRUE(second.ok()) << second.status().message();
  const auto a = Tree(dir_ / "a");
  EXPECT_GT(a.size(), 300u);  // a year of daily event files, the CRM files, truth
  EXPECT_TRUE(a == Tree(dir_ / "b")) << "the output of seed 7 differs between two runs";
  EXPECT_EQ(first.value().events, second.value().events);
  EXPECT_EQ(first.value().won, second.value().won);
}

TEST_F(GeneratorTest, DifferentSeedGivesDifferentFiles) {
  ASSERT_TRUE(Generate(Options("a", 2000, 7)).ok());
  ASSERT_TRUE(Generate(Options("b", 2000, 8)).ok());
  for (const char* file : {"hubspot/contacts.jsonl", "truth.csv", "ga4/events_20171001.jsonl.gz"}) {
    EXPECT_FALSE(FileText(dir_ / "a" / file) == FileText(dir_ / "b" / file)) << file;
  }
}

// The visits after creation come from their own random streams: a story with far more of them
// leaves every lead, its outcome and its close date as they were (the training mart's rows and
// labels do not move when story step 10 changes).
TEST_F(GeneratorTest, LaterVisitsLeaveLeadsOutcomesAndCloseDatesUnchanged) {
  GenerateOptions busier = Options("busier", 1500, 42);
  busier.story.revisit_bias = 1.0;  // ~12 times the revisits
  busier.story.onboarding_mean = 8.0;
  auto a = Generate(Options("a", 1500, 42));
  auto b = Generate(busier);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_GT(b.value().sessions, a.value().sessions + 1000);
  EXPECT_EQ(FileText(dir_ / "a" / "truth.csv"), FileText(dir_ / "busier" / "truth.csv"));
  // Per contact: its creation and GA4 id; per deal of a contact created 3 days or more before
  // the as-of (younger ones may get their deal after it, by the export's own random details):
  // close date, stage, amount.
  const auto facts = [](const fs::path& out) {
    std::map<std::string, std::string> contacts;
    std::map<std::string, std::string> created;
    for (const auto& contact : JsonLines(out / "hubspot" / "contacts.jsonl")) {
      const json& p = contact["properties"];
      created[contact["id"].get<std::string>()] = p["createdate"].get<std::string>();
      contacts[contact["id"].get<std::string>()] =
          p["createdate"].dump() + p["ga_client_id"].dump();
    }
    std::map<std::string, std::string> deals;
    for (const auto& deal : JsonLines(out / "hubspot" / "deals.jsonl")) {
      const std::string contact =
          deal["associations"]["contacts"]["results"][0]["id"].get<std::string>();
      if (created[contact] >= "2018-05-29") continue;
      const json& p = deal["properties"];
      deals[contact] = p["closedate"].dump() + p["dealstage"].dump() + p["amount"].dump();
    }
    return std::make_pair(contacts, deals);
  };
  const auto [contacts_a, deals_a] = facts(dir_ / "a");
  const auto [contacts_b, deals_b] = facts(dir_ / "busier");
  EXPECT_EQ(contacts_a.size(), 1500u);
  EXPECT_GT(deals_a.size(), 500u);
  EXPECT_TRUE(contacts_a == contacts_b) << "a contact changed with the later visits";
  EXPECT_TRUE(deals_a == deals_b) << "a deal of an older contact changed with the later visits";
}

TEST_F(GeneratorTest, WritesTheDocumentedCrmObjectsAndTruth) {
  auto summary = Generate(Options("out", 2000, 42));
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  const GenerateSummary& s = summary.value();
  const fs::path out = dir_ / "out";
  EXPECT_EQ(Entries(out), (std::set<std::string>{"ga4", "hubspot", "truth.csv"}));  // no probes
  EXPECT_EQ(Entries(out / "hubspot"), (std::set<std::string>{"contacts.jsonl", "deals.jsonl"}));
  EXPECT_EQ(s.leads, 2000);
  EXPECT_GT(s.visitors, s.leads);  // anonymous traffic too
  EXPECT_EQ(s.as_of, kAsOfUs / 1000000);

  const auto contacts = JsonLines(out / "hubspot" / "contacts.jsonl");
  ASSERT_EQ(contacts.size(), 2000u);
  std::set<std::string> contact_ids;
  int64_t previous = 0;
  for (const auto& contact : contacts) {
    const std::string id = contact["id"];
    EXPECT_GT(std::stoll(id), previous) << "contacts are sorted by id";
    previous = std::stoll(id);
    contact_ids.insert(id);
    const json& p = contact["properties"];
    EXPECT_EQ(p["hs_object_id"], id);
    EXPECT_EQ(p["email"], "lead" + id + "@example.com");
    EXPECT_EQ(contact["createdAt"], p["createdate"]);
    EXPECT_EQ(contact["updatedAt"], p["lastmodifieddate"]);
    EXPECT_EQ(contact["archived"], false);
    const std::string created = p["createdate"];
    ASSERT_EQ(created.size(), 24u) << created;  // 2017-06-01T12:34:56.789Z
    EXPECT_EQ(created[10], 'T');
    EXPECT_EQ(created.back(), 'Z');
    EXPECT_LT(created, "2018-06-01T00:00:00.000Z") << "a contact after as-of";
    EXPECT_LE(created, p["lastmodifieddate"].get<std::string>());
    const std::string client = p["ga_client_id"];
    const size_t dot = client.find('.');
    ASSERT_NE(dot, std::string::npos) << client;
    EXPECT_TRUE(dot == 9 || dot == 10) << client;
    EXPECT_FALSE(p.contains("olist_mql_id"));
  }
  EXPECT_EQ(*contact_ids.begin(), "1001");

  const auto truth = Lines(FileText(out / "truth.csv"));
  ASSERT_EQ(truth.size(), 2001u);
  EXPECT_EQ(truth[0], "lead_id,p_won");
  std::set<std::string> truth_ids;
  for (size_t i = 1; i < truth.size(); ++i) {
    const size_t comma = truth[i].find(',');
    truth_ids.insert(truth[i].substr(0, comma));
    const double p = std::stod(truth[i].substr(comma + 1));
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
  }
  EXPECT_EQ(truth_ids, contact_ids);

  const auto deals = JsonLines(out / "hubspot" / "deals.jsonl");
  ASSERT_EQ(static_cast<int64_t>(deals.size()), s.deals);
  std::set<std::string> dealt;
  int64_t won = 0, censored = 0;
  for (const auto& deal : deals) {
    const json& p = deal["properties"];
    EXPECT_GE(std::stoll(deal["id"].get<std::string>()), kFirstDealId);
    EXPECT_EQ(p["hs_object_id"], deal["id"]);
    EXPECT_EQ(p["pipeline"], "default");
    const json& results = deal["associations"]["contacts"]["results"];
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0]["type"], "deal_to_contact");
    const std::string contact = results[0]["id"];
    EXPECT_TRUE(contact_ids.contains(contact)) << contact;
    EXPECT_TRUE(dealt.insert(contact).second) << "two deals for " << contact;
    EXPECT_EQ(p["dealname"], "Lead " + contact);
    const std::string stage = p["dealstage"];
    const bool closed = stage == "closedwon" || stage == "closedlost";
    EXPECT_TRUE(closed || stage == "appointmentscheduled" || stage == "contractsent") << stage;
    EXPECT_EQ(p["closedate"].is_null(), !closed) << stage;
    if (closed) {
      EXPECT_LT(p["closedate"].get<std::string>(), "2018-06-01") << "closed after as-of";
      EXPECT_LE(p["createdate"].get<std::string>(), p["closedate"].get<std::string>());
    }
    const std::string amount = p["amount"];
    EXPECT_EQ(amount[amount.size() - 3], '.') << amount;
    won += stage == "closedwon";
    censored += stage == "contractsent";
  }
  EXPECT_EQ(won, s.won);
  EXPECT_GT(won, 0);
  EXPECT_EQ(censored, s.censored);
  EXPECT_GT(censored, 0) << "deals closing after as-of are still open in the export";
}

TEST_F(GeneratorTest, EventsFollowTheStoryAndTheExportSchema) {
  auto summary = Generate(Options("out", 3000, 42));
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  const GenerateSummary& s = summary.value();
  const fs::path out = dir_ / "out";
  const std::vector<Row> rows = Events(out);
  ASSERT_EQ(static_cast<int64_t>(rows.size()), s.events);
  EXPECT_EQ(static_cast<int64_t>(Entries(out / "ga4").size()), s.event_files);

  struct SessionSeen {
    int starts = 0, first_visits = 0, page_views = 0, entrances = 0;
    int64_t number = 0, engagement = -1;
    bool engaged_flag = false, collected = false;
    std::string group;
  };
  std::map<std::pair<std::string, int64_t>, SessionSeen> sessions;
  std::map<std::string, int64_t> leads_at;  // user_pseudo_id -> generate_lead timestamp
  std::set<std::string> unique_lines;
  int64_t duplicates = 0;
  std::string previous_line;
  for (const Row& row : rows) {
    const json& e = row.event;
    if (row.line == previous_line) ++duplicates;  // written twice, side by side
    previous_line = row.line;
    unique_lines.insert(row.line);
    const int64_t ts = std::stoll(e["event_timestamp"].get<std::string>());
    EXPECT_LT(ts, kAsOfUs) << "an event after as-of: " << row.line;
    std::string date;
    AppendCompactDate(FloorDiv(ts, int64_t{86400} * 1000000), date);
    EXPECT_EQ(e["event_date"], date);
    EXPECT_EQ(row.file, "events_" + date + ".jsonl.gz");
    EXPECT_EQ(e["platform"], "WEB");
    EXPECT_TRUE(e["stream_id"].is_string());
    EXPECT_TRUE(e["user_first_touch_timestamp"].is_string());
    EXPECT_TRUE(e["traffic_source"].contains("medium"));
    EXPECT_TRUE(e["device"]["web_info"].contains("browser"));
    EXPECT_EQ(e.contains("session_traffic_source_last_click"), ts >= kLastClickFromUs);
    const int64_t session_id = IntParam(e, "ga_session_id");
    ASSERT_GT(session_id, 0) << "no ga_session_id: " << row.line;
    EXPECT_LE(session_id * 1000000, ts);
    SessionSeen& seen = sessions[{e["user_pseudo_id"], session_id}];
    seen.number = IntParam(e, "ga_session_number");
    const std::string name = e["event_name"];
    seen.starts += name == "session_start";
    seen.first_visits += name == "first_visit";
    seen.page_views += name == "page_view";
    seen.entrances += IntParam(e, "entrances") == 1;
    if (name == "user_engagement") seen.engagement = IntParam(e, "engagement_time_msec");
    if (name == "generate_lead") leads_at[e["user_pseudo_id"]] = ts;
    const json* engaged = Param(e, "session_engaged");
    ASSERT_NE(engaged, nullptr);
    seen.engaged_flag |= engaged->at("string_value") == "1";
    seen.collected |= e.contains("collected_traffic_source");
    if (e.contains("session_traffic_source_last_click")) {
      seen.group =
          e["session_traffic_source_last_click"]["cross_channel_campaign"]["default_channel_group"];
    }
  }
  EXPECT_GT(duplicates, 0);
  EXPECT_EQ(duplicates, s.duplicates);
  EXPECT_EQ(static_cast<int64_t>(unique_lines.size()), s.events - s.duplicates);
  EXPECT_LT(duplicates * 200, s.events) << "about 0.1 % duplicates, not more";
  EXPECT_EQ(static_cast<int64_t>(sessions.size()), s.sessions);

  int64_t engaged_sessions = 0;
  for (const auto& [key, seen] : sessions) {
    const std::string where = key.first + " session " + std::to_string(key.second);
    EXPECT_EQ(seen.starts - (seen.starts > 1), 1) << where;  // once (twice if duplicated)
    EXPECT_EQ(seen.first_visits > 0, seen.number == 1) << where;
    EXPECT_GE(seen.page_views, 1) << where;
    EXPECT_GE(seen.entrances, 1) << where;
    if (seen.engagement >= 0) {  // the session ended before as-of: its engagement is known
      EXPECT_EQ(seen.engaged_flag, seen.engagement > kEngagedSessionMsec) << where;
    }
    if (!seen.group.empty()) {  // known from 2018 on: Direct has no collected_traffic_source
      EXPECT_EQ(seen.collected, seen.group != "Direct") << where;
    }
    engaged_sessions += seen.engaged_flag;
  }
  EXPECT_GT(engaged_sessions, 0);

  // Every contact converted: generate_lead at its createdate, in a session of its client id.
  for (const auto& contact : JsonLines(out / "hubspot" / "contacts.jsonl")) {
    const std::string client = contact["properties"]["ga_client_id"];
    ASSERT_TRUE(leads_at.contains(client)) << client;
    const std::string created = contact["properties"]["createdate"];
    std::string expected;
    AppendIsoMillis(leads_at[client] / 1000, expected);
    EXPECT_EQ(created, expected) << client;
  }
}

TEST_F(GeneratorTest, RemovesOnlyStaleEventFilesAndTheRetiredCsvsAfterSuccess) {
  const fs::path out = dir_ / "out";
  fs::create_directories(out / "ga4");
  for (const char* stale : {"ga4/events_19990101.jsonl.gz", "ga4/events_19990102.parquet",
                            "sessions.csv", "contacts.csv", "deals.csv"}) {
    std::ofstream(out / stale) << "old\n";
  }
  std::ofstream(out / "ga4" / "README.txt") << "keep\n";
  std::ofstream(out / "notes.csv") << "keep\n";
  auto summary = Generate(Options("out", 200, 42));
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary.value().stale_removed, 5);
  const auto top = Entries(out);
  EXPECT_EQ(top, (std::set<std::string>{"ga4", "hubspot", "notes.csv", "truth.csv"}));
  const auto ga4 = Entries(out / "ga4");
  EXPECT_TRUE(ga4.contains("README.txt"));
  EXPECT_FALSE(ga4.contains("events_19990101.jsonl.gz"));
  EXPECT_EQ(static_cast<int64_t>(ga4.size()), summary.value().event_files + 1);
}

TEST_F(GeneratorTest, NonPositiveRowsFailNamingTheFlagAndWriteNothing) {
  for (int64_t rows : {int64_t{0}, int64_t{-5}}) {
    auto result = Generate(Options("out", rows, 42));
    ASSERT_FALSE(result.ok()) << "rows = " << rows;
    EXPECT_NE(result.status().message().find("--rows"), std::string::npos)
        << result.status().message();
    EXPECT_NE(result.status().message().find(std::to_string(rows)), std::string::npos);
    EXPECT_FALSE(fs::exists(dir_ / "out"));
  }
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(GeneratorTest, GzipLevelOutsideZlibsRangeFails) {
  GenerateOptions options = Options("out", 10, 42);
  options.gzip_level = 0;
  auto result = Generate(options);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("--gzip-level"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(GeneratorTest, UnwritableOutputDirectoryFailsAndWritesNothing) {
  std::ofstream(dir_ / "file") << "keep\n";
  GenerateOptions options = Options("unused", 50, 42);
  options.out_dir = dir_ / "file" / "raw";  // below a regular file: unwritable even for root
  auto result = Generate(options);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find(options.out_dir.string()), std::string::npos)
      << result.status().message();
  EXPECT_EQ(Entries(dir_), (std::set<std::string>{"file"}));
  EXPECT_EQ(FileText(dir_ / "file"), "keep\n");
}

TEST_F(GeneratorTest, OlistSourceKeepsEveryRealLeadAndOutcome) {
  GenerateOptions options = Options("olist", 100000, 42);
  options.source = DataSource::kOlist;
  options.olist_dir = LEADSCORE_OLIST_DIR;
  auto summary = Generate(options);
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  const GenerateSummary& s = summary.value();
  EXPECT_EQ(s.leads, 8000);
  EXPECT_EQ(s.won, 842);
  EXPECT_EQ(s.deals, 842);
  EXPECT_EQ(s.censored, 0) << "Olist's as-of is its latest moment: every outcome is kept";

  const auto contacts = JsonLines(dir_ / "olist" / "hubspot" / "contacts.jsonl");
  ASSERT_EQ(contacts.size(), 8000u);
  std::set<std::string> ids, mql_ids;
  for (const auto& contact : contacts) {
    ids.insert(contact["id"].get<std::string>());
    mql_ids.insert(contact["properties"]["olist_mql_id"].get<std::string>());
  }
  EXPECT_EQ(ids.size(), 8000u);
  EXPECT_EQ(mql_ids.count("dac32acd4db4c29c230538b72f8dd87d"), 1u);  // traceable to Olist
  EXPECT_EQ(contacts[0]["properties"]["olist_mql_id"], "dac32acd4db4c29c230538b72f8dd87d");
  const auto deals = JsonLines(dir_ / "olist" / "hubspot" / "deals.jsonl");
  ASSERT_EQ(deals.size(), 842u);
  std::string latest_close;
  for (const auto& deal : deals) {
    EXPECT_EQ(deal["properties"]["dealstage"], "closedwon");
    EXPECT_TRUE(ids.contains(deal["associations"]["contacts"]["results"][0]["id"]));
    latest_close = std::max(latest_close, deal["properties"]["closedate"].get<std::string>());
  }
  std::string as_of;
  AppendIsoMillis(s.as_of * 1000, as_of);
  EXPECT_GT(as_of, latest_close);
  EXPECT_EQ(Lines(FileText(dir_ / "olist" / "truth.csv")).size(), 8001u);
}

TEST_F(GeneratorTest, OlistRowsCapTheLeadCount) {
  GenerateOptions options = Options("olist", 100, 42);
  options.source = DataSource::kOlist;
  options.olist_dir = LEADSCORE_OLIST_DIR;
  auto summary = Generate(options);
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary.value().leads, 100);
  EXPECT_EQ(JsonLines(dir_ / "olist" / "hubspot" / "contacts.jsonl").size(), 100u);
}

TEST_F(GeneratorTest, OlistWithMissingDirectoryFailsNamingTheFileAndFlagAndWritesNothing) {
  GenerateOptions options = Options("out", 100, 42);
  options.source = DataSource::kOlist;
  options.olist_dir = dir_ / "no-such-olist";
  auto result = Generate(options);
  ASSERT_FALSE(result.ok());
  const std::string& message = result.status().message();
  EXPECT_NE(
      message.find((options.olist_dir / "olist_marketing_qualified_leads_dataset.csv").string()),
      std::string::npos)
      << message;
  EXPECT_NE(message.find("--olist-dir"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST(DataSource, ParsesKnownNamesAndRejectsOthersListingTheChoices) {
  auto synthetic = ParseDataSource("synthetic");
  ASSERT_TRUE(synthetic.ok());
  EXPECT_EQ(synthetic.value(), DataSource::kSynthetic);
  auto olist = ParseDataSource("olist");
  ASSERT_TRUE(olist.ok());
  EXPECT_EQ(olist.value(), DataSource::kOlist);

  auto bogus = ParseDataSource("bogus");
  ASSERT_FALSE(bogus.ok());
  const std::string& message = bogus.status().message();
  EXPECT_NE(message.find("'bogus'"), std::string::npos) << message;
  EXPECT_NE(message.find("synthetic"), std::string::npos) << message;
  EXPECT_NE(message.find("olist"), std::string::npos) << message;
  EXPECT_FALSE(ParseDataSource("Olist").ok());  // names are exact
}

}  // namespace
}  // namespace leadscore
