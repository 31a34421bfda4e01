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

// Visits after the lead was created (onboarding, mostly won customers). A feature mart that
// counts them leaks the outcome.
void SimulateLaterSessions(bool won, size_t direct_channel, int64_t created_at,
                           int64_t next_session_number, Random& rng, std::vector<Session>& out);

}  // namespace leadscore
