#include "datagen/random.h"

#include <cmath>
#include <numbers>

namespace leadscore {
namespace {

inline uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// log(k!) for the Poisson sampler's acceptance test; exact table below 10, Stirling above.
double LogFactorial(int64_t k) {
  static constexpr double kTable[10] = {0.0,
                                        0.0,
                                        0.69314718055994529,
                                        1.791759469228055,
                                        3.1780538303479458,
                                        4.7874917427820458,
                                        6.5792512120101012,
                                        8.5251613610654147,
                                        10.604602902745251,
                                        12.801827480081469};
  if (k < 10) return kTable[k];
  const double x = static_cast<double>(k) + 1.0;
  return (x - 0.5) * std::log(x) - x + 0.5 * std::log(2 * std::numbers::pi) + 1.0 / (12.0 * x) -
         1.0 / (360.0 * x * x * x);
}

}  // namespace

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Random::Random(uint64_t seed, uint64_t stream) {
  uint64_t mix = seed;
  const uint64_t seed_hash = SplitMix64(mix);
  uint64_t sm = seed_hash ^ (stream * 0xD1B54A32D192ED03ULL);
  for (auto& word : state_) word = SplitMix64(sm);
}

uint64_t Random::NextU64() {
  const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = RotateLeft(state_[3], 45);
  return result;
}

double Random::Uniform() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }

int64_t Random::UniformInt(int64_t lo, int64_t hi) {
  // Unsigned arithmetic: hi - lo overflows int64_t for ranges wider than INT64_MAX.
  const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  if (range == 0) return static_cast<int64_t>(NextU64());  // the full 64-bit range
  // Lemire's nearly divisionless method with rejection: exact uniformity.
  uint64_t x = NextU64();
  __uint128_t m = static_cast<__uint128_t>(x) * range;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < range) {
    const uint64_t threshold = -range % range;
    while (low < threshold) {
      x = NextU64();
      m = static_cast<__uint128_t>(x) * range;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + static_cast<uint64_t>(m >> 64));
}

bool Random::Bernoulli(double p) { return Uniform() < p; }

double Random::Normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_normal_;
  }
  // 1 - Uniform() lies in (0, 1], so the log is finite.
  const double radius = std::sqrt(-2.0 * std::log(1.0 - Uniform()));
  const double angle = 2.0 * std::numbers::pi * Uniform();
  spare_normal_ = radius * std::sin(angle);
  has_spare_ = true;
  return radius * std::cos(angle);
}

double Random::LogNormal(double mu, double sigma) { return std::exp(mu + sigma * Normal()); }

double Random::Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }

int64_t Random::Poisson(double lambda) {
  if (lambda <= 0.0) return 0;
  if (lambda < 30.0) {
    // Inversion by sequential search: exact, and fast for the small means the story uses.
    double p = std::exp(-lambda);
    double cumulative = p;
    const double u = Uniform();
    int64_t k = 0;
    while (u > cumulative && k < 1000) {
      ++k;
      p *= lambda / static_cast<double>(k);
      cumulative += p;
    }
    return k;
  }
  // Hörmann's PTRS (transformed rejection with squeeze), exact for large means.
  const double slam = std::sqrt(lambda);
  const double loglam = std::log(lambda);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const double u = Uniform() - 0.5;
    const double v = Uniform();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<int64_t>(k);
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
        -lambda + k * loglam - LogFactorial(static_cast<int64_t>(k))) {
      return static_cast<int64_t>(k);
    }
  }
}

size_t Random::Categorical(std::span<const double> weights) {
  double total = 0.0;
  for (double w : weights) total += w;
  double u = Uniform() * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (u < weights[i]) return i;
    u -= weights[i];
  }
  return weights.size() - 1;  // rounding left u at the very top
}

}  // namespace leadscore
