#include "datagen/story.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "datagen/channels.h"

namespace leadscore {
namespace {

constexpr int64_t kStart = 1'500'000'000;        // 2017-07-14, inside the data window
constexpr int64_t kHalfHour = int64_t{30} * 60;  // the story's minimum gap between sessions

size_t ProfileIndex(std::string_view group) {
  const auto profiles = OlistChannelProfiles();
  for (size_t i = 0; i < profiles.size(); ++i) {
    if (profiles[i].ga4_group == group) return i;
  }
  return profiles.size();  // checked by ProfilesHoldTheChannelsTheseTestsUse
}

const size_t kChannel = ProfileIndex("Organic Search");
const size_t kDirect = ProfileIndex("Direct");

// E[z | lead, outcome] by numerical integration over the intent density, the value
// SampleLeadIntent's draws must average to. won < 0 conditions on being a lead only.
double ExpectedLeadIntent(const StoryParams& params, double bias, int won) {
  double mass = 0.0, moment = 0.0;
  for (int i = -8000; i <= 8000; ++i) {
    const double z = i * 0.001;
    double density =
        std::exp(-0.5 * z * z) * Sigmoid(params.contact_bias + params.contact_intent * z);
    if (won >= 0) {
      const double p = Sigmoid(bias + params.won_intent * z);
      density *= won == 1 ? p : 1.0 - p;
    }
    mass += density;
    moment += density * z;
  }
  return moment / mass;
}

TEST(Story, ProfilesHoldTheChannelsTheseTestsUse) {
  EXPECT_LT(kChannel, OlistChannelProfiles().size());
  EXPECT_LT(kDirect, OlistChannelProfiles().size());
}

TEST(Story, SigmoidKnownValues) {
  EXPECT_DOUBLE_EQ(Sigmoid(0.0), 0.5);
  EXPECT_NEAR(Sigmoid(2.0), 0.8807970779778823, 1e-15);
  EXPECT_NEAR(Sigmoid(-2.0), 1.0 - 0.8807970779778823, 1e-15);
}

TEST(Story, CalibratedBiasesGiveEachChannelItsOlistWonRateAmongLeads) {
  const StoryParams params;
  const std::vector<double> biases = CalibrateChannelBiases(params);
  const auto profiles = OlistChannelProfiles();
  ASSERT_EQ(biases.size(), profiles.size());

  // Simulate visitors as the generator does (intent, then contact, then outcome), an equal
  // number per channel. Calibrating on all visitors instead of leads would be off by ~0.05.
  constexpr int kVisitorsPerChannel = 45000;  // 405k in all
  for (size_t c = 0; c < profiles.size(); ++c) {
    SCOPED_TRACE(std::string(profiles[c].ga4_group));
    Random rng(2024, c + 1);
    int leads = 0, won = 0;
    for (int i = 0; i < kVisitorsPerChannel; ++i) {
      const double z = rng.Normal();
      if (!rng.Bernoulli(Sigmoid(params.contact_bias + params.contact_intent * z))) continue;
      ++leads;
      won += rng.Bernoulli(Sigmoid(biases[c] + params.won_intent * z));
    }
    const double p = profiles[c].won_rate;
    const double rate = static_cast<double>(won) / leads;
    EXPECT_NEAR(rate, p, 5.0 * std::sqrt(p * (1 - p) / leads));
  }
}

TEST(Story, WithoutIntentEffectTheBiasIsTheLogitOfTheWonRate) {
  StoryParams params;
  params.won_intent = 0.0;  // outcome independent of intent, so selection does not matter
  const std::vector<double> biases = CalibrateChannelBiases(params);
  const auto profiles = OlistChannelProfiles();
  ASSERT_EQ(biases.size(), profiles.size());
  for (size_t c = 0; c < profiles.size(); ++c) {
    const double p = profiles[c].won_rate;
    EXPECT_NEAR(biases[c], std::log(p / (1 - p)), 1e-9) << profiles[c].ga4_group;
  }
}

TEST(Story, HigherWonRateMeansHigherBias) {
  const std::vector<double> biases = CalibrateChannelBiases(StoryParams{});
  const auto profiles = OlistChannelProfiles();
  for (size_t a = 0; a < profiles.size(); ++a) {
    for (size_t b = 0; b < profiles.size(); ++b) {
      if (profiles[a].won_rate > profiles[b].won_rate) {
        EXPECT_GT(biases[a], biases[b]) << profiles[a].ga4_group << " vs " << profiles[b].ga4_group;
      }
    }
  }
}

TEST(Story, SampleLeadIntentFollowsTheConditionalIntentDensity) {
  const StoryParams params;
  const double bias = CalibrateChannelBiases(params)[kChannel];
  constexpr int kN = 20000;
  double mean[3] = {0.0, 0.0, 0.0};  // won = -1, 0, 1
  for (int won = -1; won <= 1; ++won) {
    Random rng(11, static_cast<uint64_t>(won + 2));
    double sum = 0.0;
    for (int i = 0; i < kN; ++i) sum += SampleLeadIntent(params, bias, won, rng);
    mean[won + 1] = sum / kN;
    // The conditional variance is below 1, so 5 / sqrt(n) is a safe 5-sigma bound.
    EXPECT_NEAR(mean[won + 1], ExpectedLeadIntent(params, bias, won), 5.0 / std::sqrt(kN))
        << "won = " << won;
  }
  EXPECT_GT(mean[2], mean[1] + 0.5);  // won leads have clearly higher intent than lost ones
  EXPECT_GT(mean[0], 0.0);            // becoming a lead already selects on intent
}

void ExpectValidSessions(const std::vector<Session>& sessions, size_t channel, int64_t last_start) {
  ASSERT_FALSE(sessions.empty());
  EXPECT_EQ(sessions.front().channel, channel);
  EXPECT_EQ(sessions.back().start, last_start);
  EXPECT_GE(sessions.front().session_number, 1);
  for (size_t i = 0; i < sessions.size(); ++i) {
    const Session& s = sessions[i];
    EXPECT_TRUE(s.channel == channel || s.channel == kDirect) << "session " << i;
    EXPECT_GE(s.engagement_msec, 0);
    EXPECT_GE(s.page_views, 1);
    if (i > 0) {
      EXPECT_GE(s.start, sessions[i - 1].start + kHalfHour) << "session " << i;  // 30 min apart
      EXPECT_EQ(s.session_number, sessions[i - 1].session_number + 1) << "session " << i;
    }
  }
}

TEST(Story, SimulateSessionsAreOldestFirstConsecutiveAndEndAtLastStart) {
  const StoryParams params;
  std::vector<Session> sessions;
  bool saw_several = false, saw_new_visitor = false, saw_returning = false, saw_direct = false;
  for (int visitor = 0; visitor < 2000; ++visitor) {
    Random rng(12, static_cast<uint64_t>(visitor));
    const double intent = -2.0 + 4.0 * (visitor % 100) / 99.0;
    const size_t channel = static_cast<size_t>(visitor % 9);
    const int64_t last_start = kStart + int64_t{1000} * visitor;
    sessions.clear();
    SimulateSessions(params, intent, channel, kDirect, last_start, rng, sessions);
    ASSERT_NO_FATAL_FAILURE(ExpectValidSessions(sessions, channel, last_start));
    saw_several |= sessions.size() > 3;
    saw_new_visitor |= sessions.front().session_number == 1;
    saw_returning |= sessions.front().session_number > 1;
    for (const auto& s : sessions) saw_direct |= channel != kDirect && s.channel == kDirect;
  }
  EXPECT_TRUE(saw_several);
  EXPECT_TRUE(saw_new_visitor);
  EXPECT_TRUE(saw_returning);
  EXPECT_TRUE(saw_direct);
}

TEST(Story, SimulateSessionsAppendsWithoutTouchingEarlierEntries) {
  std::vector<Session> sessions(2);
  sessions[0].start = 1;
  sessions[1].start = 2;
  Random rng(13, 1);
  SimulateSessions(StoryParams{}, 0.0, 3, kDirect, kStart, rng, sessions);
  ASSERT_GT(sessions.size(), 2u);
  EXPECT_EQ(sessions[0].start, 1);
  EXPECT_EQ(sessions[1].start, 2);
  const std::vector<Session> appended(sessions.begin() + 2, sessions.end());
  ExpectValidSessions(appended, 3, kStart);
}

TEST(Story, HigherIntentMeansMoreAndLongerSessions) {
  const StoryParams params;
  auto averages = [&](double intent) {
    double count = 0.0, engagement = 0.0;
    std::vector<Session> sessions;
    for (int i = 0; i < 2000; ++i) {
      Random rng(14, static_cast<uint64_t>(i));
      sessions.clear();
      SimulateSessions(params, intent, kChannel, kDirect, kStart, rng, sessions);
      count += static_cast<double>(sessions.size());
      for (const auto& s : sessions) engagement += static_cast<double>(s.engagement_msec);
    }
    return std::pair(count / 2000.0, engagement / count);
  };
  const auto [low_count, low_engagement] = averages(-1.5);
  const auto [high_count, high_engagement] = averages(1.5);
  // 1 + Poisson(exp(0.3 + 0.5 z)): means 1.64 and 3.90.
  EXPECT_NEAR(low_count, 1.0 + std::exp(0.3 - 0.75), 0.15);
  EXPECT_NEAR(high_count, 1.0 + std::exp(0.3 + 0.75), 0.25);
  EXPECT_GT(high_engagement, 2.0 * low_engagement);
}

TEST(Story, RevisitsStopAtTheDecisionAndOnboardingComesOnlyAfterTheClose) {
  const StoryParams params;
  constexpr int64_t kCreated = kStart + 600;
  constexpr int64_t kClose = kCreated + int64_t{20} * 86400;
  for (int won = 0; won <= 1; ++won) {
    for (int i = 0; i < 2000; ++i) {
      Random rng(21 + static_cast<uint64_t>(won), static_cast<uint64_t>(i));
      std::vector<Session> sessions(1);  // one existing session, kept as is
      SimulateLaterSessions(params, 1.0, kChannel, kDirect, won == 1, kCreated, kClose, 7, rng,
                            sessions);
      size_t after_close = 0;
      for (size_t k = 1; k < sessions.size(); ++k) {
        const Session& s = sessions[k];
        ASSERT_GT(s.start, kCreated);
        ASSERT_EQ(s.session_number, 7 + static_cast<int64_t>(k - 1));
        ASSERT_GE(s.page_views, 1);
        if (k > 1) ASSERT_GE(s.start, sessions[k - 1].start + kHalfHour);
        if (s.start >= kClose) {
          ++after_close;
          ASSERT_EQ(s.channel, kDirect);  // onboarding or stray visits come back by URL
        } else {
          ASSERT_TRUE(s.channel == kChannel || s.channel == kDirect);
          ASSERT_EQ(after_close, 0u) << "a revisit after the decision";
        }
      }
      if (won == 1) ASSERT_GE(after_close, 1u);  // every won customer is onboarded
    }
  }
}

TEST(Story, RevisitRateBeforeTheDecisionRisesWithIntentAndIgnoresTheOutcome) {
  const StoryParams params;
  constexpr int64_t kCreated = kStart;
  constexpr double kWeeks = 8.0;
  const int64_t close = kCreated + static_cast<int64_t>(kWeeks * 7 * 86400);
  constexpr int kN = 4000;
  for (const double z : {-1.0, 0.0, 1.5}) {
    SCOPED_TRACE(z);
    double revisits[2] = {0.0, 0.0};
    for (int won = 0; won <= 1; ++won) {
      for (int i = 0; i < kN; ++i) {
        Random rng(31, static_cast<uint64_t>(i) + (won == 1 ? 1'000'000u : 0u));
        std::vector<Session> sessions;
        SimulateLaterSessions(params, z, kChannel, kDirect, won == 1, kCreated, close, 1, rng,
                              sessions);
        revisits[won] += static_cast<double>(std::count_if(
            sessions.begin(), sessions.end(), [&](const Session& s) { return s.start < close; }));
      }
    }
    // A Poisson process at exp(-1.5 + 0.8 z) a week (minus the 30-minute minimum gaps).
    const double expected = kWeeks * std::exp(params.revisit_bias + params.revisit_intent * z);
    for (const double total : revisits) {
      EXPECT_NEAR(total / kN, expected, 0.03 * expected + 5.0 * std::sqrt(expected / kN));
    }
  }
}

TEST(Story, UndecidedLeadsRevisitForUndecidedDaysOnly) {
  const StoryParams params;
  const int64_t window_end = kStart + static_cast<int64_t>(params.undecided_days * 86400);
  for (int i = 0; i < 500; ++i) {
    Random rng(41, static_cast<uint64_t>(i));
    std::vector<Session> sessions;
    SimulateLaterSessions(params, 2.0, kChannel, kDirect, false, kStart, -1, 1, rng, sessions);
    for (const Session& s : sessions) {
      if (s.start >= window_end) ASSERT_EQ(s.channel, kDirect);
    }
  }
}

// Monte Carlo of the story's deals (DrawSecondsToClose and the deal shares) against the
// closed form a snapshot's oracle uses.
TEST(Story, WonWithinHorizonIfOpenMatchesTheSimulatedDeals) {
  const StoryParams params;
  constexpr double kHorizon = 90.0;
  EXPECT_DOUBLE_EQ(WonWithinHorizonIfOpen(params, 0.0, 7.0, kHorizon), 0.0);
  // At creation every lead is open: p times the share of won deals closing within the horizon.
  const double at_creation = WonWithinHorizonIfOpen(params, 0.4, 0.0, kHorizon);
  EXPECT_GT(at_creation, 0.4 * 0.98);
  EXPECT_LT(at_creation, 0.4);
  for (const double age : {7.0, 14.0, 30.0, 60.0}) {
    SCOPED_TRACE(age);
    constexpr double kP = 0.3;
    Random rng(51, static_cast<uint64_t>(age));
    int open = 0, won = 0;
    for (int i = 0; i < 400000; ++i) {
      const bool is_won = rng.Bernoulli(kP);
      double close_days = -1.0;  // never closes
      if (is_won || (rng.Bernoulli(params.deal_if_not_won) && rng.Bernoulli(params.lost_if_deal))) {
        close_days = static_cast<double>(DrawSecondsToClose(params, rng)) / 86400.0;
      }
      if (close_days >= 0.0 && close_days <= age) continue;  // closed before the snapshot
      ++open;
      won += is_won && close_days <= age + kHorizon;
    }
    const double simulated = static_cast<double>(won) / open;
    const double p = WonWithinHorizonIfOpen(params, kP, age, kHorizon);
    EXPECT_NEAR(simulated, p, 5.0 * std::sqrt(p * (1 - p) / open));
  }
  // An open lead's chance falls with its age: its deal has had time to close.
  EXPECT_GT(WonWithinHorizonIfOpen(params, 0.3, 7.0, kHorizon),
            WonWithinHorizonIfOpen(params, 0.3, 30.0, kHorizon));
}

}  // namespace
}  // namespace leadscore
