#include "datagen/generator.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "common/atomic_files.h"
#include "common/civil_time.h"
#include "datagen/channels.h"
#include "datagen/ga4_event_writer.h"
#include "datagen/hubspot_writer.h"
#include "datagen/olist.h"

namespace leadscore {
namespace {

constexpr int64_t kDay = 86400;

// The synthetic data spans the same year as the Olist funnel and is exported at its end.
const int64_t kWindowStart = DaysFromCivil(2017, 6, 1) * kDay;
constexpr int64_t kWindowDays = 365;
const int64_t kSyntheticAsOf = kWindowStart + kWindowDays * kDay;
// session_traffic_source_last_click appears in the export on events from this day on.
const int64_t kLastClickFrom = DaysFromCivil(2018, 1, 1) * kDay;
// Random streams of the output's own details (ids, milliseconds, devices, pages): apart from
// the story's streams (visitor numbers), so the story draws exactly what it drew before.
constexpr uint64_t kAuxStream = uint64_t{1} << 63;
// Random streams of the visits after a lead's creation (story step 10): apart from the
// story's streams too, so everything up to creation, the amounts and the close dates are
// what they were before these visits were added to the story.
constexpr uint64_t kLaterVisitsStream = uint64_t{1} << 62;

size_t ChannelIndex(std::string_view group) {
  const auto profiles = OlistChannelProfiles();
  for (size_t i = 0; i < profiles.size(); ++i) {
    if (profiles[i].ga4_group == group) return i;
  }
  return ChannelIndex("Unassigned");  // every Olist origin maps to a profiled group
}

// A lead as the story made it, before the export's as-of cut.
struct StoryLead {
  int64_t created_at = 0;         // epoch seconds
  size_t converting_session = 0;  // index into the sessions
  double p_won = 0.0;
  bool has_deal = false;
  HubSpotDealStage stage = HubSpotDealStage::kAppointmentScheduled;  // won, lost or open
  int64_t amount_cents = -1;
  int64_t close_at = -1;  // epoch seconds; -1 while open
  std::string_view olist_mql_id;
};

// Turns story visitors and leads into export rows, applying the as-of cut.
class Exporter {
 public:
  Exporter(Ga4EventWriter& ga4, HubSpotWriter& crm, int64_t as_of, GenerateSummary& summary)
      : ga4_(ga4), crm_(crm), as_of_(as_of), summary_(summary) {}

  Status Visitor(const std::vector<Session>& sessions, Random& aux) {
    return Emit(sessions, nullptr, aux);
  }
  Status Lead(const std::vector<Session>& sessions, const StoryLead& lead, Random& aux) {
    return Emit(sessions, &lead, aux);
  }
  int64_t latest_ms() const { return latest_ms_; }

 private:
  Status Emit(const std::vector<Session>& sessions, const StoryLead* lead, Random& aux) {
    const Ga4Visitor visitor = DrawGa4Visitor(sessions.front(), aux);
    const int64_t as_of_ms = as_of_ * 1000;
    Ga4Conversion conversion;
    int64_t created_ms = -1;
    if (lead != nullptr) {
      created_ms = lead->created_at * 1000 + aux.UniformInt(0, 999);
      if (created_ms < as_of_ms) {  // else the visitor has not converted yet at the export
        conversion.session_index = lead->converting_session;
        conversion.created_us = created_ms * 1000;
      }
    }
    LEADSCORE_RETURN_IF_ERROR(ga4_.WriteVisitor(visitor, sessions, conversion, aux));
    ++summary_.visitors;
    for (const auto& session : sessions) summary_.sessions += session.start < as_of_;
    if (conversion.session_index == SIZE_MAX) return Status::Ok();

    const int64_t contact_id = kFirstContactId + summary_.leads++;
    const std::string email = "lead" + std::to_string(contact_id) + "@example.com";
    const int64_t contact_modified =
        Clamp(created_ms + aux.UniformInt(1000, 60000), created_ms, as_of_ms);
    crm_.WriteContact({contact_id, email, visitor.user_pseudo_id, created_ms, contact_modified,
                       lead->olist_mql_id});
    crm_.WriteTruth(contact_id, lead->p_won);
    Note(contact_modified);
    if (!lead->has_deal) return Status::Ok();

    HubSpotDeal deal;
    deal.contact_id = contact_id;
    deal.stage = lead->stage;
    deal.amount_cents = lead->amount_cents;
    deal.created_ms = created_ms + aux.UniformInt(60, 2 * kDay) * 1000;
    if (lead->close_at >= 0) deal.close_ms = lead->close_at * 1000;
    if (deal.close_ms >= 0) deal.created_ms = std::min(deal.created_ms, deal.close_ms);
    const int64_t touched = aux.UniformInt(1000, 3 * kDay * 1000);
    if (deal.created_ms >= as_of_ms) return Status::Ok();  // not in the CRM yet
    if (deal.close_ms >= as_of_ms) {  // closes after the export: still open then
      deal.stage = HubSpotDealStage::kContractSent;
      deal.close_ms = -1;
      ++summary_.censored;
    }
    deal.modified_ms = Clamp((deal.close_ms >= 0 ? deal.close_ms : deal.created_ms) + touched,
                             deal.created_ms, as_of_ms);
    deal.id = kFirstDealId + summary_.deals++;
    summary_.won += deal.stage == HubSpotDealStage::kClosedWon;
    crm_.WriteDeal(deal);
    Note(std::max(deal.modified_ms, deal.close_ms));
    return Status::Ok();
  }

  // Keeps a timestamp strictly before the export when there is one (Olist: no limit).
  int64_t Clamp(int64_t ms, int64_t floor, int64_t as_of_ms) const {
    return std::max(floor, std::min(ms, as_of_ms - 1));
  }
  void Note(int64_t ms) { latest_ms_ = std::max(latest_ms_, ms); }

  Ga4EventWriter& ga4_;
  HubSpotWriter& crm_;
  int64_t as_of_;
  GenerateSummary& summary_;
  int64_t latest_ms_ = INT64_MIN;
};

Status GenerateSynthetic(const GenerateOptions& options, Exporter& exporter,
                         const GenerateSummary& summary) {
  const StoryParams& params = options.story;
  const std::vector<double> biases = CalibrateChannelBiases(params);
  std::vector<double> shares;
  for (const auto& profile : OlistChannelProfiles()) shares.push_back(profile.lead_share);
  const size_t direct = ChannelIndex("Direct");

  std::vector<Session> sessions;
  // --rows counts the leads in the export: a lead created after as-of (rare: its last visit
  // is in the window's last minutes) is an anonymous visitor there, and the loop goes on.
  for (int64_t visitor = 1; summary.leads < options.rows; ++visitor) {
    Random rng(options.seed, static_cast<uint64_t>(visitor));
    Random aux(options.seed, kAuxStream | static_cast<uint64_t>(visitor));
    const double intent = rng.Normal();
    const size_t channel = rng.Categorical(shares);
    const bool becomes_contact =
        rng.Bernoulli(Sigmoid(params.contact_bias + params.contact_intent * intent));
    const int64_t last_start = kWindowStart + rng.UniformInt(0, kWindowDays * kDay - 1);
    sessions.clear();
    SimulateSessions(params, intent, channel, direct, last_start, rng, sessions);
    if (!becomes_contact) {
      LEADSCORE_RETURN_IF_ERROR(exporter.Visitor(sessions, aux));
      continue;
    }
    StoryLead lead;
    lead.converting_session = sessions.size() - 1;
    lead.created_at = last_start + rng.UniformInt(30, 600);
    lead.p_won = Sigmoid(biases[channel] + params.won_intent * intent);
    const bool won = rng.Bernoulli(lead.p_won);
    SkipRetiredLaterSessionDraws(won, rng);
    lead.amount_cents = std::llround(rng.LogNormal(std::log(3000.0), 0.9) * 100.0);
    if (won) {
      lead.has_deal = true;
      lead.stage = HubSpotDealStage::kClosedWon;
      lead.close_at = lead.created_at + DrawSecondsToClose(params, rng);
    } else if (rng.Bernoulli(0.55)) {  // the rest never got a deal
      lead.has_deal = true;
      if (rng.Bernoulli(0.8)) {
        lead.stage = HubSpotDealStage::kClosedLost;
        lead.close_at = lead.created_at + DrawSecondsToClose(params, rng);
      } else {
        lead.stage = HubSpotDealStage::kAppointmentScheduled;
      }
    }
    Random later(options.seed, kLaterVisitsStream | static_cast<uint64_t>(visitor));
    SimulateLaterSessions(params, intent, channel, direct, won, lead.created_at, lead.close_at,
                          sessions.back().session_number + 1, later, sessions);
    LEADSCORE_RETURN_IF_ERROR(exporter.Lead(sessions, lead, aux));
  }
  return Status::Ok();
}

Status GenerateFromOlist(const GenerateOptions& options, const std::vector<OlistLead>& leads,
                         Exporter& exporter) {
  const StoryParams& params = options.story;
  const std::vector<double> biases = CalibrateChannelBiases(params);
  const size_t direct = ChannelIndex("Direct");
  const size_t count = std::min(leads.size(), static_cast<size_t>(options.rows));
  std::vector<Session> sessions;
  for (size_t i = 0; i < count; ++i) {
    const OlistLead& olist = leads[i];
    Random rng(options.seed, i + 1);
    Random aux(options.seed, kAuxStream | (i + 1));
    const size_t channel = ChannelIndex(Ga4GroupForOlistOrigin(olist.origin));
    // The outcome is real; the behaviour is drawn from the story given that outcome.
    const double intent = SampleLeadIntent(params, biases[channel], olist.won ? 1 : 0, rng);
    StoryLead lead;
    lead.created_at = olist.first_contact + rng.UniformInt(int64_t{8} * 3600, int64_t{20} * 3600);
    sessions.clear();
    SimulateSessions(params, intent, channel, direct, lead.created_at - rng.UniformInt(30, 600),
                     rng, sessions);
    lead.converting_session = sessions.size() - 1;
    lead.p_won = Sigmoid(biases[channel] + params.won_intent * intent);
    lead.olist_mql_id = olist.mql_id;
    if (olist.won) {
      lead.has_deal = true;
      lead.stage = HubSpotDealStage::kClosedWon;
      lead.amount_cents = olist.revenue_cents;
      lead.close_at = olist.won_at;
    }
    Random later(options.seed, kLaterVisitsStream | (i + 1));
    SimulateLaterSessions(params, intent, channel, direct, olist.won, lead.created_at,
                          lead.close_at, sessions.back().session_number + 1, later, sessions);
    LEADSCORE_RETURN_IF_ERROR(exporter.Lead(sessions, lead, aux));
  }
  return Status::Ok();
}

// After a successful commit: event files of earlier runs (any format the loader reads) and
// the retired CSV layout would be read together with the new files; remove them.
Result<int64_t> RemoveStaleFiles(const std::filesystem::path& out_dir,
                                 std::span<const std::string> written) {
  namespace fs = std::filesystem;
  const std::set<std::string> keep(written.begin(), written.end());
  std::vector<fs::path> stale;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(out_dir / "ga4", ec)) {
    const std::string name = entry.path().filename().string();
    const bool event_file =
        name.starts_with("events_") &&
        (name.ends_with(".jsonl.gz") || name.ends_with(".jsonl") || name.ends_with(".json") ||
         name.ends_with(".json.gz") || name.ends_with(".parquet"));
    if (event_file && !keep.contains(name)) stale.push_back(entry.path());
  }
  for (const char* retired : {"sessions.csv", "contacts.csv", "deals.csv"}) {
    if (fs::exists(out_dir / retired)) stale.push_back(out_dir / retired);
  }
  for (const auto& path : stale) {
    fs::remove(path, ec);
    if (ec) {
      return Status::Error("the new files are in place, but the stale " + path.string() +
                           " cannot be removed (" + ec.message() + "); remove it by hand");
    }
  }
  return static_cast<int64_t>(stale.size());
}

}  // namespace

Result<DataSource> ParseDataSource(const std::string& name) {
  if (name == "synthetic") return DataSource::kSynthetic;
  if (name == "olist") return DataSource::kOlist;
  return Status::Error("unknown --source '" + name + "'; use synthetic or olist");
}

Result<Ga4FileFormat> ParseGa4FileFormat(const std::string& name) {
  if (name == "jsonl.gz") return Ga4FileFormat::kJsonGzip;
  if (name == "parquet") return Ga4FileFormat::kParquet;
  return Status::Error("unknown --format '" + name + "'; use jsonl.gz or parquet");
}

Result<GenerateSummary> Generate(const GenerateOptions& options) {
  if (options.rows <= 0) {
    return Status::Error("--rows must be a positive number of leads (got " +
                         std::to_string(options.rows) + ")");
  }
  if (options.gzip_level < 1 || options.gzip_level > 9) {
    return Status::Error(
        "--gzip-level must be a zlib level from 1 (fastest) to 9 (smallest) (got " +
        std::to_string(options.gzip_level) + ")");
  }
  std::vector<OlistLead> olist;
  if (options.source == DataSource::kOlist) {
    auto read = ReadOlistLeads(options.olist_dir);
    if (!read.ok()) return read.status();
    olist = std::move(read).value();
  }
  LEADSCORE_RETURN_IF_ERROR(EnsureWritableDirectory(options.out_dir));

  AtomicFileSet files;
  auto crm = HubSpotWriter::Open(files, options.out_dir);
  if (!crm.ok()) return crm.status();
  const bool synthetic = options.source == DataSource::kSynthetic;
  Ga4WriterOptions ga4_options;
  ga4_options.dir = options.out_dir / "ga4";
  ga4_options.format = options.format;
  ga4_options.gzip.level = options.gzip_level;
  ga4_options.parquet.gzip_level = options.gzip_level;
  ga4_options.gzip.mem_level = 6;
  ga4_options.as_of_us = synthetic ? kSyntheticAsOf * 1000000 : INT64_MAX;
  ga4_options.last_click_from_us = kLastClickFrom * 1000000;
  ga4_options.duplicate_seed = options.seed ^ 0x5DEECE66Dull;
  Ga4EventWriter ga4(files, ga4_options);
  GenerateSummary summary;
  // Olist keeps every real outcome: its as-of is the latest moment in the data.
  Exporter exporter(ga4, crm.value(), synthetic ? kSyntheticAsOf : INT64_MAX / 1000000, summary);
  LEADSCORE_RETURN_IF_ERROR(synthetic ? GenerateSynthetic(options, exporter, summary)
                                      : GenerateFromOlist(options, olist, exporter));
  LEADSCORE_RETURN_IF_ERROR(ga4.Finish());
  LEADSCORE_RETURN_IF_ERROR(files.Commit());

  const Ga4WriteCounts& counts = ga4.counts();
  summary.events = counts.events;
  summary.duplicates = counts.duplicates;
  summary.event_files = static_cast<int64_t>(ga4.file_names().size());
  summary.as_of =
      synthetic
          ? kSyntheticAsOf
          : FloorDiv(std::max(counts.max_timestamp_us / 1000, exporter.latest_ms()), 1000) + 1;
  auto removed = RemoveStaleFiles(options.out_dir, ga4.file_names());
  if (!removed.ok()) return removed.status();
  summary.stale_removed = removed.value();
  return summary;
}

}  // namespace leadscore
