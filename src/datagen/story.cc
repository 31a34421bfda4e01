#include "datagen/story.h"

#include <cmath>

#include "datagen/channels.h"

namespace leadscore {
namespace {

constexpr int64_t kMinutes = 60;
constexpr int64_t kHours = 60 * kMinutes;
constexpr int64_t kDays = 24 * kHours;

// Won rate of leads in a channel with intercept `bias`, integrating over the intent density
// of leads: phi(z) * P(contact | z), on a fine fixed grid.
double LeadWonRate(const StoryParams& params, double bias) {
  double mass = 0.0, won = 0.0;
  for (int i = -4000; i <= 4000; ++i) {
    const double z = i * 0.002;
    const double density =
        std::exp(-0.5 * z * z) * Sigmoid(params.contact_bias + params.contact_intent * z);
    mass += density;
    won += density * Sigmoid(bias + params.won_intent * z);
  }
  return won / mass;
}

}  // namespace

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

std::vector<double> CalibrateChannelBiases(const StoryParams& params) {
  std::vector<double> biases;
  for (const auto& profile : OlistChannelProfiles()) {
    double lo = -20.0, hi = 10.0;  // the won rate increases with the bias: bisect
    for (int iter = 0; iter < 100; ++iter) {
      const double mid = 0.5 * (lo + hi);
      (LeadWonRate(params, mid) < profile.won_rate ? lo : hi) = mid;
    }
    biases.push_back(0.5 * (lo + hi));
  }
  return biases;
}

double SampleLeadIntent(const StoryParams& params, double channel_bias, int won, Random& rng) {
  for (;;) {
    const double z = rng.Normal();
    if (!rng.Bernoulli(Sigmoid(params.contact_bias + params.contact_intent * z))) continue;
    if (won < 0) return z;
    const double p_won = Sigmoid(channel_bias + params.won_intent * z);
    if (rng.Bernoulli(won == 1 ? p_won : 1.0 - p_won)) return z;
  }
}

void SimulateSessions(const StoryParams& params, double intent, size_t channel,
                      size_t direct_channel, int64_t last_start, Random& rng,
                      std::vector<Session>& out) {
  const size_t first = out.size();
  const int64_t count =
      1 + rng.Poisson(std::exp(params.sessions_bias + params.sessions_intent * intent));
  const bool returning =
      rng.Bernoulli(Sigmoid(params.returning_bias + params.returning_intent * intent));
  const int64_t first_number = returning ? 2 + rng.Poisson(2.0) : 1;
  const double log_median = std::log(params.engagement_median_msec);

  out.resize(first + static_cast<size_t>(count));
  // Walk back in time from the last session: gaps of at least 30 minutes, 4 days on average.
  int64_t start = last_start;
  for (int64_t k = count - 1; k >= 0; --k) {
    Session& session = out[first + static_cast<size_t>(k)];
    session.start = start;
    session.session_number = first_number + k;
    session.channel = (k == 0 || rng.Bernoulli(0.7)) ? channel : direct_channel;
    start -= 30 * kMinutes + static_cast<int64_t>(rng.Exponential(4.0 * kDays));
  }
  for (size_t i = first; i < out.size(); ++i) {
    Session& session = out[i];
    session.engagement_msec = static_cast<int64_t>(std::llround(
        rng.LogNormal(log_median + params.engagement_intent * intent, params.engagement_sigma)));
    const bool engaged = session.engagement_msec > kEngagedSessionMsec;
    session.page_views = 1 + rng.Poisson(std::exp(params.pv_bias + params.pv_intent * intent +
                                                  params.pv_engaged * (engaged ? 1.0 : 0.0)));
  }
}

int64_t DrawSecondsToClose(const StoryParams& params, Random& rng) {
  return static_cast<int64_t>(
      rng.LogNormal(std::log(params.close_median_days * kDays), params.close_sigma));
}

void SimulateLaterSessions(const StoryParams& params, double intent, size_t channel,
                           size_t direct_channel, bool won, int64_t created_at, int64_t decided_at,
                           int64_t next_session_number, Random& rng, std::vector<Session>& out) {
  const int64_t window_end = decided_at >= 0
                                 ? decided_at
                                 : created_at + static_cast<int64_t>(params.undecided_days * kDays);
  const double per_week = std::exp(params.revisit_bias + params.revisit_intent * intent);
  const double log_median = std::log(params.engagement_median_msec);
  int64_t number = next_session_number;
  // Revisits: a Poisson process at `per_week` from creation until the decision.
  for (int64_t start = created_at;;) {
    start += 30 * kMinutes + static_cast<int64_t>(rng.Exponential(7.0 * kDays / per_week));
    if (start >= window_end) break;
    Session session;
    session.start = start;
    session.session_number = number++;
    session.channel = rng.Bernoulli(0.7) ? channel : direct_channel;
    session.engagement_msec = static_cast<int64_t>(std::llround(
        rng.LogNormal(log_median + params.engagement_intent * intent, params.engagement_sigma)));
    const bool engaged = session.engagement_msec > kEngagedSessionMsec;
    session.page_views = 1 + rng.Poisson(std::exp(params.pv_bias + params.pv_intent * intent +
                                                  params.pv_engaged * (engaged ? 1.0 : 0.0)));
    out.push_back(session);
  }
  // After the decision: onboarding of a won customer, stray visits of the others.
  const int64_t count =
      won ? 1 + rng.Poisson(params.onboarding_mean) : rng.Poisson(params.stray_mean);
  int64_t start = window_end;
  for (int64_t k = 0; k < count; ++k) {
    start += 30 * kMinutes + static_cast<int64_t>(rng.Exponential(7.0 * kDays));
    Session session;
    session.start = start;
    session.session_number = number++;
    session.channel = direct_channel;
    session.engagement_msec =
        static_cast<int64_t>(std::llround(rng.LogNormal(std::log(30000.0), 0.8)));
    session.page_views = 1 + rng.Poisson(5.0);
    out.push_back(session);
  }
}

void SkipRetiredLaterSessionDraws(bool won, Random& rng) {
  const int64_t count = won ? 1 + rng.Poisson(3.0) : rng.Poisson(0.3);
  for (int64_t k = 0; k < count; ++k) {
    static_cast<void>(rng.Exponential(7.0 * kDays));
    static_cast<void>(rng.LogNormal(std::log(30000.0), 0.8));
    static_cast<void>(rng.Poisson(5.0));
  }
}

double WonWithinHorizonIfOpen(const StoryParams& params, double p_won, double age_days,
                              double horizon_days) {
  // CDF of the time to close: LogNormal(log(median), sigma).
  const auto close_cdf = [&](double days) {
    if (days <= 0.0) return 0.0;
    return 0.5 * std::erfc(-(std::log(days / params.close_median_days)) /
                           (params.close_sigma * std::sqrt(2.0)));
  };
  const double at_age = close_cdf(age_days);
  const double won_in_horizon = p_won * (close_cdf(age_days + horizon_days) - at_age);
  const double still_open =
      p_won * (1.0 - at_age) +
      (1.0 - p_won) * (1.0 - params.deal_if_not_won * params.lost_if_deal * at_age);
  return still_open > 0.0 ? won_in_horizon / still_open : 0.0;
}

}  // namespace leadscore
