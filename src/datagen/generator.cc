#include "datagen/generator.h"

#include <cmath>
#include <vector>

#include "common/atomic_files.h"
#include "common/civil_time.h"
#include "datagen/channels.h"
#include "datagen/olist.h"
#include "datagen/raw_writer.h"

namespace leadscore {
namespace {

constexpr int64_t kDay = 86400;

// The synthetic data spans the same year as the Olist funnel.
const int64_t kWindowStart = DaysFromCivil(2017, 6, 1) * kDay;
constexpr int64_t kWindowDays = 365;

size_t ChannelIndex(std::string_view group) {
  const auto profiles = OlistChannelProfiles();
  for (size_t i = 0; i < profiles.size(); ++i) {
    if (profiles[i].ga4_group == group) return i;
  }
  return ChannelIndex("Unassigned");  // every Olist origin maps to a profiled group
}

// Writes what every lead has: contact, sessions (before and after creation), deal, truth.
class LeadEmitter {
 public:
  LeadEmitter(RawWriter& writer, GenerateSummary& summary) : writer_(writer), summary_(summary) {}

  void Emit(std::string_view contact_id, std::string_view visitor_id, std::string_view email,
            int64_t created_at, const std::vector<Session>& sessions, double p_won) {
    writer_.WriteContact(contact_id, visitor_id, email, created_at);
    writer_.WriteTruth(visitor_id, p_won);
    EmitSessions(visitor_id, sessions);
    ++summary_.leads;
  }

  void EmitSessions(std::string_view visitor_id, const std::vector<Session>& sessions) {
    const auto profiles = OlistChannelProfiles();
    for (const auto& session : sessions) {
      writer_.WriteSession(visitor_id, session, profiles[session.channel].ga4_group);
    }
    summary_.sessions += static_cast<int64_t>(sessions.size());
    ++summary_.visitors;
  }

  void EmitDeal(std::string_view contact_id, DealStage stage, int64_t amount_cents,
                int64_t close_date) {
    writer_.WriteDeal(++summary_.deals, contact_id, stage, amount_cents, close_date);
    if (stage == DealStage::kClosedWon) ++summary_.won;
  }

 private:
  RawWriter& writer_;
  GenerateSummary& summary_;
};

int64_t DaysToClose(Random& rng) {
  return static_cast<int64_t>(rng.LogNormal(std::log(14.0 * kDay), 0.8));  // Olist: median 14 days
}

void GenerateSynthetic(const GenerateOptions& options, LeadEmitter& emitter) {
  const StoryParams& params = options.story;
  const std::vector<double> biases = CalibrateChannelBiases(params);
  std::vector<double> shares;
  for (const auto& profile : OlistChannelProfiles()) shares.push_back(profile.lead_share);
  const size_t direct = ChannelIndex("Direct");

  std::vector<Session> sessions;
  int64_t leads = 0;
  for (int64_t visitor = 1; leads < options.rows; ++visitor) {
    Random rng(options.seed, static_cast<uint64_t>(visitor));
    const double intent = rng.Normal();
    const size_t channel = rng.Categorical(shares);
    const bool becomes_contact =
        rng.Bernoulli(Sigmoid(params.contact_bias + params.contact_intent * intent));
    const int64_t last_start = kWindowStart + rng.UniformInt(0, kWindowDays * kDay - 1);
    sessions.clear();
    SimulateSessions(params, intent, channel, direct, last_start, rng, sessions);
    const std::string visitor_id = NumberedId('V', visitor);
    if (!becomes_contact) {
      emitter.EmitSessions(visitor_id, sessions);
      continue;
    }
    ++leads;
    const std::string contact_id = NumberedId('C', leads);
    const int64_t created_at = last_start + rng.UniformInt(30, 600);
    const double p_won = Sigmoid(biases[channel] + params.won_intent * intent);
    const bool won = rng.Bernoulli(p_won);
    SimulateLaterSessions(won, direct, created_at, sessions.back().session_number + 1, rng,
                          sessions);
    emitter.Emit(contact_id, visitor_id, "lead" + contact_id.substr(1) + "@example.com", created_at,
                 sessions, p_won);
    const int64_t amount_cents = std::llround(rng.LogNormal(std::log(3000.0), 0.9) * 100.0);
    if (won) {
      emitter.EmitDeal(contact_id, DealStage::kClosedWon, amount_cents,
                       created_at + DaysToClose(rng));
    } else if (rng.Bernoulli(0.55)) {  // the rest never got a deal
      if (rng.Bernoulli(0.8)) {
        emitter.EmitDeal(contact_id, DealStage::kClosedLost, amount_cents,
                         created_at + DaysToClose(rng));
      } else {
        emitter.EmitDeal(contact_id, DealStage::kOpen, amount_cents, -1);
      }
    }
  }
}

void GenerateFromOlist(const GenerateOptions& options, const std::vector<OlistLead>& leads,
                       LeadEmitter& emitter) {
  const StoryParams& params = options.story;
  const std::vector<double> biases = CalibrateChannelBiases(params);
  const size_t direct = ChannelIndex("Direct");
  const size_t count = std::min(leads.size(), static_cast<size_t>(options.rows));
  std::vector<Session> sessions;
  for (size_t i = 0; i < count; ++i) {
    const OlistLead& lead = leads[i];
    Random rng(options.seed, i + 1);
    const size_t channel = ChannelIndex(Ga4GroupForOlistOrigin(lead.origin));
    // The outcome is real; the behaviour is drawn from the story given that outcome.
    const double intent = SampleLeadIntent(params, biases[channel], lead.won ? 1 : 0, rng);
    const int64_t created_at =
        lead.first_contact + rng.UniformInt(int64_t{8} * 3600, int64_t{20} * 3600);
    sessions.clear();
    SimulateSessions(params, intent, channel, direct, created_at - rng.UniformInt(30, 600), rng,
                     sessions);
    SimulateLaterSessions(lead.won, direct, created_at, sessions.back().session_number + 1, rng,
                          sessions);
    const std::string visitor_id = NumberedId('V', static_cast<int64_t>(i + 1));
    emitter.Emit(lead.mql_id, visitor_id, lead.mql_id.substr(0, 12) + "@example.com", created_at,
                 sessions, Sigmoid(biases[channel] + params.won_intent * intent));
    if (lead.won) {
      emitter.EmitDeal(lead.mql_id, DealStage::kClosedWon, lead.revenue_cents, lead.won_at);
    }
  }
}

}  // namespace

Result<DataSource> ParseDataSource(const std::string& name) {
  if (name == "synthetic") return DataSource::kSynthetic;
  if (name == "olist") return DataSource::kOlist;
  return Status::Error("unknown --source '" + name + "'; use synthetic or olist");
}

Result<GenerateSummary> Generate(const GenerateOptions& options) {
  if (options.rows <= 0) {
    return Status::Error("--rows must be a positive number of leads (got " +
                         std::to_string(options.rows) + ")");
  }
  std::vector<OlistLead> olist;
  if (options.source == DataSource::kOlist) {
    auto read = ReadOlistLeads(options.olist_dir);
    if (!read.ok()) return read.status();
    olist = std::move(read).value();
  }
  LEADSCORE_RETURN_IF_ERROR(EnsureWritableDirectory(options.out_dir));

  AtomicFileSet files;
  auto writer = RawWriter::Open(files, options.out_dir);
  if (!writer.ok()) return writer.status();
  GenerateSummary summary;
  LeadEmitter emitter(writer.value(), summary);
  if (options.source == DataSource::kOlist) {
    GenerateFromOlist(options, olist, emitter);
  } else {
    GenerateSynthetic(options, emitter);
  }
  LEADSCORE_RETURN_IF_ERROR(files.Commit());
  return summary;
}

}  // namespace leadscore
