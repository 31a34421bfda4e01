#include "datagen/random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

namespace leadscore {
namespace {

// Sample mean and (unbiased) variance.
struct Moments {
  double mean = 0.0;
  double variance = 0.0;
};

template <typename Draw>
Moments Sample(int n, Draw draw) {
  double sum = 0.0, sum_sq = 0.0;
  for (int i = 0; i < n; ++i) {
    const double x = static_cast<double>(draw());
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / n;
  return {mean, (sum_sq - n * mean * mean) / (n - 1)};
}

TEST(SplitMix64, MatchesTheReferenceSequenceFromZero) {
  uint64_t state = 0;
  EXPECT_EQ(SplitMix64(state), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(SplitMix64(state), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(SplitMix64(state), 0x06C45D188009454FULL);
}

// Data sets are named by seed: if these change, every generated data set changes. The values
// were also checked against an independent Python implementation of the seeding and
// xoshiro256**.
TEST(Random, GoldenFirstOutputsOfSeed42Stream1) {
  Random rng(42, 1);
  EXPECT_EQ(rng.NextU64(), 0xF44E3A1ACFA2809EULL);
  EXPECT_EQ(rng.NextU64(), 0xB51AA9E30DE61C1BULL);
  EXPECT_EQ(rng.NextU64(), 0xE267C10BE0DB973CULL);
  EXPECT_EQ(rng.NextU64(), 0xDE4ADC33220BF3D3ULL);
  EXPECT_EQ(Random(42, 2).NextU64(), 0xF12CB5635B71B55DULL);
}

// The same for the distributions built on NextU64: a change of a sampler (UniformInt's
// rejection, the PTRS constants, Box–Muller's pairing) changes every data set without
// changing NextU64. Integer draws are pinned exactly; draws through libm to 4 ulps.
TEST(Random, GoldenDistributionOutputsOfSeed42Stream1) {
  Random rng(42, 1);
  EXPECT_EQ(rng.Uniform(), 0.95431864885871143);  // (NextU64() >> 11) * 2^-53, exact
  std::vector<int64_t> dice;
  dice.reserve(5);
  for (int i = 0; i < 5; ++i) dice.push_back(rng.UniformInt(1, 6));
  EXPECT_EQ(dice, (std::vector<int64_t>{5, 6, 6, 2, 4}));
  EXPECT_DOUBLE_EQ(rng.Normal(), 1.1117866827659422);
  EXPECT_DOUBLE_EQ(rng.Normal(), -1.2682411393735071);  // the cached second of the pair
  EXPECT_DOUBLE_EQ(rng.Normal(), 0.04306481398015477);
  std::vector<int64_t> small, large;
  small.reserve(5);
  large.reserve(5);
  for (int i = 0; i < 5; ++i) small.push_back(rng.Poisson(3.0));
  for (int i = 0; i < 5; ++i) large.push_back(rng.Poisson(100.0));
  EXPECT_EQ(small, (std::vector<int64_t>{3, 2, 3, 7, 3}));
  EXPECT_EQ(large, (std::vector<int64_t>{106, 96, 103, 100, 113}));
  EXPECT_DOUBLE_EQ(rng.Exponential(4.0), 5.7208376326494497);
  const std::vector<double> weights = {1, 2, 3, 4};
  std::vector<size_t> picks;
  picks.reserve(8);
  for (int i = 0; i < 8; ++i) picks.push_back(rng.Categorical(weights));
  EXPECT_EQ(picks, (std::vector<size_t>{1, 0, 3, 1, 3, 0, 3, 0}));
}

TEST(Random, SameSeedAndStreamGiveTheSameSequence) {
  Random a(7, 3), b(7, 3);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.NextU64(), b.NextU64()) << "draw " << i;
  // Distributions too, including the cached second normal of each Box–Muller pair.
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(a.Normal(), b.Normal());
    ASSERT_EQ(a.Poisson(100.0), b.Poisson(100.0));
  }
}

TEST(Random, CopiesContinueIdentically) {
  Random a(5, 5);
  a.Normal();  // leaves a cached spare
  Random b = a;
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.Normal(), b.Normal());
}

TEST(Random, DifferentStreamsAndSeedsDiffer) {
  Random base(42, 1), other_stream(42, 2), other_seed(43, 1);
  int same_stream_hits = 0, same_seed_hits = 0;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t x = base.NextU64();
    same_stream_hits += x == other_stream.NextU64();
    same_seed_hits += x == other_seed.NextU64();
  }
  EXPECT_EQ(same_stream_hits, 0);
  EXPECT_EQ(same_seed_hits, 0);
  // Stream 0 with seed s is not stream s with seed 0.
  EXPECT_NE(Random(1, 0).NextU64(), Random(0, 1).NextU64());
}

TEST(Random, UniformLiesInHalfOpenUnitIntervalWithMeanOneHalf) {
  Random rng(1, 1);
  constexpr int kN = 100000;
  double lo = 1.0, hi = 0.0, sum = 0.0;
  for (int i = 0; i < kN; ++i) {
    const double u = rng.Uniform();
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
  }
  EXPECT_GE(lo, 0.0);
  EXPECT_LT(hi, 1.0);
  EXPECT_LT(lo, 1e-3);
  EXPECT_GT(hi, 1.0 - 1e-3);
  EXPECT_NEAR(sum / kN, 0.5, 5.0 * std::sqrt(1.0 / 12.0 / kN));
}

TEST(Random, UniformIntHitsEveryValueOfTheInclusiveRangeEvenly) {
  Random rng(2, 1);
  constexpr int kN = 70000;
  std::map<int64_t, int> counts;
  for (int i = 0; i < kN; ++i) ++counts[rng.UniformInt(-3, 3)];
  ASSERT_EQ(counts.size(), 7u);
  EXPECT_EQ(counts.begin()->first, -3);
  EXPECT_EQ(counts.rbegin()->first, 3);
  const double p = 1.0 / 7.0;
  for (const auto& [value, count] : counts) {
    EXPECT_NEAR(count, kN * p, 5.0 * std::sqrt(kN * p * (1 - p))) << "value " << value;
  }
}

TEST(Random, UniformIntOfASingleValueAndOfWideRanges) {
  Random rng(3, 1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(rng.UniformInt(5, 5), 5);
  constexpr int64_t kBig = int64_t{1} << 62;
  bool upper_half = false;
  for (int i = 0; i < 1000; ++i) {
    const int64_t x = rng.UniformInt(0, kBig);
    ASSERT_GE(x, 0);
    ASSERT_LE(x, kBig);
    upper_half |= x > kBig / 2;
  }
  EXPECT_TRUE(upper_half);
}

// Disabled: UniformInt computes `hi - lo` in int64_t (random.cc, UniformInt), which overflows
// (undefined behaviour, reported by UBSan) whenever the range exceeds INT64_MAX, e.g. the
// full range its own comment promises to handle. Enable once the difference is taken in
// uint64_t.
TEST(Random, UniformIntOfTheFullRangeIsDefined) {
  Random rng(3, 2);
  bool negative = false, positive = false;
  for (int i = 0; i < 100; ++i) {
    const int64_t x =
        rng.UniformInt(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
    negative |= x < 0;
    positive |= x > 0;
  }
  EXPECT_TRUE(negative && positive);
}

TEST(Random, NormalHasMeanZeroAndVarianceOne) {
  Random rng(4, 1);
  constexpr int kN = 200000;
  int within_one = 0;
  const Moments m = Sample(kN, [&] {
    const double z = rng.Normal();
    within_one += std::fabs(z) < 1.0;
    return z;
  });
  EXPECT_NEAR(m.mean, 0.0, 5.0 * std::sqrt(1.0 / kN));
  EXPECT_NEAR(m.variance, 1.0, 5.0 * std::sqrt(2.0 / kN));
  const double p = 0.6826894921370859;  // P(|Z| < 1)
  EXPECT_NEAR(within_one, kN * p, 5.0 * std::sqrt(kN * p * (1 - p)));
}

TEST(Random, PoissonMatchesMeanAndVarianceAcrossBothSamplers) {
  constexpr int kN = 100000;
  // 0.5, 3 and 25 use inversion; 100 uses PTRS.
  for (double lambda : {0.5, 3.0, 25.0, 100.0}) {
    Random rng(5, static_cast<uint64_t>(lambda * 10));
    bool negative = false;
    const Moments m = Sample(kN, [&] {
      const int64_t k = rng.Poisson(lambda);
      negative |= k < 0;
      return k;
    });
    EXPECT_FALSE(negative);
    EXPECT_NEAR(m.mean, lambda, 5.0 * std::sqrt(lambda / kN)) << "lambda " << lambda;
    // Var of the sample variance of a Poisson: (mu4 - sigma^4) / n = (lambda + 2 lambda^2) / n.
    EXPECT_NEAR(m.variance, lambda, 5.0 * std::sqrt((lambda + 2 * lambda * lambda) / kN))
        << "lambda " << lambda;
  }
}

TEST(Random, PoissonPtrsMatchesTheProbabilityOfItsMode) {
  // P(X = 100) for lambda = 100, and P(X <= 85): a shape check the moments alone would miss.
  Random rng(6, 1);
  constexpr int kN = 100000;
  int at_mode = 0, low_tail = 0;
  for (int i = 0; i < kN; ++i) {
    const int64_t k = rng.Poisson(100.0);
    at_mode += k == 100;
    low_tail += k <= 85;
  }
  const double p_mode = std::exp(-100.0 + 100.0 * std::log(100.0) - std::lgamma(101.0));
  double p_tail = 0.0;
  for (int k = 0; k <= 85; ++k)
    p_tail += std::exp(-100.0 + k * std::log(100.0) - std::lgamma(k + 1.0));
  EXPECT_NEAR(at_mode, kN * p_mode, 5.0 * std::sqrt(kN * p_mode * (1 - p_mode)));
  EXPECT_NEAR(low_tail, kN * p_tail, 5.0 * std::sqrt(kN * p_tail * (1 - p_tail)));
}

TEST(Random, PoissonOfNonPositiveMeanIsZero) {
  Random rng(7, 1);
  EXPECT_EQ(rng.Poisson(0.0), 0);
  EXPECT_EQ(rng.Poisson(-3.0), 0);
}

TEST(Random, CategoricalDrawsInProportionToUnnormalisedWeights) {
  Random rng(8, 1);
  const std::vector<double> weights = {1.0, 0.0, 2.0, 3.0, 4.0};  // total 10
  constexpr int kN = 100000;
  std::vector<int> counts(weights.size());
  for (int i = 0; i < kN; ++i) {
    const size_t index = rng.Categorical(weights);
    ASSERT_LT(index, weights.size());
    ++counts[index];
  }
  EXPECT_EQ(counts[1], 0);  // a zero weight is never drawn
  for (size_t i = 0; i < weights.size(); ++i) {
    const double p = weights[i] / 10.0;
    EXPECT_NEAR(counts[i], kN * p, 5.0 * std::sqrt(kN * p * (1 - p))) << "index " << i;
  }
}

TEST(Random, BernoulliAndExponentialHaveTheirMeans) {
  Random rng(9, 1);
  constexpr int kN = 100000;
  const Moments coin = Sample(kN, [&] { return rng.Bernoulli(0.3) ? 1 : 0; });
  EXPECT_NEAR(coin.mean, 0.3, 5.0 * std::sqrt(0.3 * 0.7 / kN));
  const Moments wait = Sample(kN, [&] { return rng.Exponential(4.0); });
  EXPECT_NEAR(wait.mean, 4.0, 5.0 * 4.0 / std::sqrt(kN));
  EXPECT_NEAR(wait.variance, 16.0, 5.0 * std::sqrt(8.0 * 256.0 / kN));  // mu4 - sigma^4 = 8 m^4
}

TEST(Random, LogNormalHasTheMedianExpMu) {
  Random rng(10, 1);
  constexpr int kN = 100000;
  int below = 0;
  for (int i = 0; i < kN; ++i) {
    const double x = rng.LogNormal(std::log(7000.0), 1.0);
    ASSERT_GT(x, 0.0);
    below += x < 7000.0;
  }
  EXPECT_NEAR(below, kN * 0.5, 5.0 * std::sqrt(kN * 0.25));
}

}  // namespace
}  // namespace leadscore
