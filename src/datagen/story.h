// The data story (docs/data.md): every visitor has a latent purchase intent z ~ N(0, 1);
// intent drives whether the visitor becomes a contact, how often and how engaged they visit,
// and, with the acquisition channel, the probability that the lead is won. The generator
// knows each lead's true probability, which bounds what any model can reach.
// Everything here is a pure function of its arguments and the Random passed in.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "datagen/random.h"

namespace leadscore {

// Coefficients of the story. Defaults are the documented ones; tests may change them.
struct StoryParams {
  // P(visitor becomes a contact) = sigmoid(contact_bias + contact_intent * z)
  double contact_bias = -0.3;
  double contact_intent = 0.8;
  // sessions up to the converting one = 1 + Poisson(exp(sessions_bias + sessions_intent * z))
  double sessions_bias = 0.3;
  double sessions_intent = 0.5;
  // engagement time per session, msec = LogNormal(log(engagement_median_msec) + engagement_intent *
  // z, engagement_sigma); a session is engaged above 10 s (GA4's rule)
  double engagement_median_msec = 7000.0;
  double engagement_intent = 0.6;
  double engagement_sigma = 1.0;
  // page views per session = 1 + Poisson(exp(pv_bias + pv_intent * z + pv_engaged * engaged))
  double pv_bias = 0.1;
  double pv_intent = 0.3;
  double pv_engaged = 0.5;
  // P(returning visitor, i.e. first session before the data) = sigmoid(returning_bias +
  // returning_intent * z)
  double returning_bias = -0.6;
  double returning_intent = 0.7;
  // P(won) = sigmoid(channel_bias[c] + won_intent * z); channel_bias calibrated to Olist
  double won_intent = 1.5;
  // Deals: a won lead's deal closes won after LogNormal(log(close_median_days), close_sigma)
  // days (Olist's median time to close); of the others, deal_if_not_won get a deal, of which
  // lost_if_deal close lost after the same delay (the rest stay open).
  double close_median_days = 14.0;
  double close_sigma = 0.8;
  double deal_if_not_won = 0.55;
  double lost_if_deal = 0.8;
  // Between creation and the decision (the deal's close, or undecided_days for a lead whose
  // deal never closes) a lead comes back at exp(revisit_bias + revisit_intent * z) sessions
  // per week (a Poisson process); engagement and page views follow the rules above.
  double revisit_bias = -1.5;
  double revisit_intent = 0.8;
  double undecided_days = 90.0;
  // After the decision: won customers come back for onboarding (1 + Poisson(onboarding_mean)
  // sessions), the others rarely (Poisson(stray_mean)); gaps average 7 days.
  double onboarding_mean = 3.0;
  double stray_mean = 0.3;
};

inline constexpr int64_t kEngagedSessionMsec = 10000;

struct Session {
  int64_t start = 0;           // epoch seconds
  int64_t session_number = 0;  // GA4 ga_session_number
  size_t channel = 0;          // index into the channel profiles
  int64_t engagement_msec = 0;
  int64_t page_views = 0;
};

double Sigmoid(double x);

// Per-channel intercepts such that the won rate of *leads* (contacts, after selection on
// intent) in each channel equals the Olist rate. Deterministic numerical integration.
std::vector<double> CalibrateChannelBiases(const StoryParams& params);

// Intent of a visitor who became a lead; `won` conditions on the known outcome (Olist
// source): drawn by rejection from N(0,1) x P(contact | z) x P(outcome | z, channel).
double SampleLeadIntent(const StoryParams& params, double channel_bias, int won, Random& rng);

// Sessions of a visitor up to and including the session that starts `last_start`, oldest
// first. The first is in `channel`; later ones are in `channel` or Direct (returning by URL).
void SimulateSessions(const StoryParams& params, double intent, size_t channel,
                      size_t direct_channel, int64_t last_start, Random& rng,
                      std::vector<Session>& out);

// Seconds from a lead's creation to its deal's close (won or lost), as the story draws them.
int64_t DrawSecondsToClose(const StoryParams& params, Random& rng);

// Visits after the lead was created, appended oldest first and numbered on from
// `next_session_number`: revisits until `decided_at` (the deal's close, or -1 when no deal
// closes: then undecided_days after creation) at the intent-driven rate, in `channel` (70 %)
// or Direct; then, after the decision, onboarding visits of a won customer or a few stray
// visits of the others, all Direct. Only the revisits depend on intent, and they stop at the
// decision, so a snapshot of an open lead sees nothing caused by its outcome.
void SimulateLaterSessions(const StoryParams& params, double intent, size_t channel,
                           size_t direct_channel, bool won, int64_t created_at, int64_t decided_at,
                           int64_t next_session_number, Random& rng, std::vector<Session>& out);

// The draws the story's own stream once spent on later visits, before amounts and close
// dates: consumed and discarded so those, and so every label, stay what they were. Later
// visits now come from their own stream (SimulateLaterSessions).
void SkipRetiredLaterSessionDraws(bool won, Random& rng);

// The story's probability that a lead with true P(won) `p_won`, still open (no deal closed,
// won or lost) `age_days` after its creation, closes won within the `horizon_days` after
// that: p (F(a+h) - F(a)) / (p (1 - F(a)) + (1 - p) (1 - deal_if_not_won lost_if_deal F(a)))
// with F the time-to-close distribution. The oracle of a point-in-time snapshot; at age 0 it
// is p F(h), ranked as p.
double WonWithinHorizonIfOpen(const StoryParams& params, double p_won, double age_days,
                              double horizon_days);

}  // namespace leadscore
