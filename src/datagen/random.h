// The generator's own random numbers: xoshiro256** seeded through splitmix64, and the
// distributions the data story needs. The standard library's distributions differ between
// implementations; these give the same numbers everywhere, so a seed names a data set.
// A Random is a value: cheap to copy, not thread-safe; give each thread its own.
#pragma once

#include <cstdint>
#include <span>

namespace leadscore {

class Random {
 public:
  // Streams for different (seed, stream) pairs are independent for practical purposes;
  // the generator uses one stream per visitor so a visitor's data does not depend on others.
  Random(uint64_t seed, uint64_t stream);

  uint64_t NextU64();
  double Uniform();                            // [0, 1), 53 random bits
  int64_t UniformInt(int64_t lo, int64_t hi);  // [lo, hi], unbiased
  bool Bernoulli(double p);
  double Normal();                            // standard normal (Box–Muller, cached pair)
  double LogNormal(double mu, double sigma);  // exp(mu + sigma * Normal())
  double Exponential(double mean);
  int64_t Poisson(double lambda);
  // Index drawn with probability proportional to weights[i] (weights need not sum to 1).
  size_t Categorical(std::span<const double> weights);

 private:
  uint64_t state_[4];
  double spare_normal_ = 0.0;
  bool has_spare_ = false;
};

uint64_t SplitMix64(uint64_t& state);

}  // namespace leadscore
