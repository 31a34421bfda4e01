#include "train/split.h"

#include <algorithm>
#include <cmath>

#include "datagen/random.h"

namespace leadscore {
namespace {

// Fisher–Yates with our own Random, so a seed gives the same split on every platform.
void Shuffle(std::vector<size_t>& rows, Random& rng) {
  for (size_t i = rows.size(); i > 1; --i) {
    const auto j = static_cast<size_t>(rng.UniformInt(0, static_cast<int64_t>(i) - 1));
    std::swap(rows[i - 1], rows[j]);
  }
}

// Moves round(fraction * size) rows of each class from `pool` to `taken`.
void TakeStratified(std::span<const int> labels, std::vector<size_t>& pool, double fraction,
                    uint64_t seed, uint64_t stream, std::vector<size_t>& taken) {
  std::vector<size_t> by_class[2];
  for (size_t row : pool) by_class[labels[row] == 1 ? 1 : 0].push_back(row);
  pool.clear();
  for (int label = 0; label < 2; ++label) {
    std::vector<size_t>& rows = by_class[label];
    std::sort(rows.begin(), rows.end());
    Random rng(seed, stream * 2 + static_cast<uint64_t>(label));
    Shuffle(rows, rng);
    const auto count =
        static_cast<size_t>(std::llround(fraction * static_cast<double>(rows.size())));
    taken.insert(taken.end(), rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(count));
    pool.insert(pool.end(), rows.begin() + static_cast<std::ptrdiff_t>(count), rows.end());
  }
  std::sort(taken.begin(), taken.end());
  std::sort(pool.begin(), pool.end());
}

bool HasBothClasses(std::span<const int> labels, const std::vector<size_t>& rows) {
  bool seen[2] = {false, false};
  for (size_t row : rows) seen[labels[row] == 1 ? 1 : 0] = true;
  return seen[0] && seen[1];
}

}  // namespace

DataSplit StratifiedSplit(std::span<const int> labels, double test_fraction,
                          double calibration_fraction, uint64_t seed) {
  DataSplit split;
  std::vector<size_t> pool(labels.size());
  for (size_t i = 0; i < pool.size(); ++i) pool[i] = i;
  TakeStratified(labels, pool, test_fraction, seed, 1, split.test);
  TakeStratified(labels, pool, calibration_fraction, seed, 2, split.calibration);
  split.train = std::move(pool);
  return split;
}

Result<DataSplit> TimeSplit(std::span<const int64_t> created_at, std::span<const int> labels,
                            int64_t cutoff, double calibration_fraction, uint64_t seed) {
  DataSplit split;
  std::vector<size_t> pool;
  for (size_t row = 0; row < labels.size(); ++row) {
    (created_at[row] < cutoff ? pool : split.test).push_back(row);
  }
  if (!HasBothClasses(labels, pool) || !HasBothClasses(labels, split.test)) {
    return Status::Error("the time split leaves a side without both won and lost leads (" +
                         std::to_string(pool.size()) + " before the cutoff, " +
                         std::to_string(split.test.size()) + " after); choose another cutoff");
  }
  TakeStratified(labels, pool, calibration_fraction, seed, 2, split.calibration);
  split.train = std::move(pool);
  return split;
}

Result<DataSplit> LatestSplit(std::span<const int64_t> created_at, std::span<const int> labels,
                              double test_fraction, double calibration_fraction, uint64_t seed) {
  if (created_at.empty()) return Status::Error("the latest-leads split needs rows");
  std::vector<int64_t> sorted(created_at.begin(), created_at.end());
  const auto keep =
      static_cast<size_t>(std::floor((1.0 - test_fraction) * static_cast<double>(sorted.size())));
  const auto nth = sorted.begin() + static_cast<std::ptrdiff_t>(std::min(keep, sorted.size() - 1));
  std::nth_element(sorted.begin(), nth, sorted.end());
  return TimeSplit(created_at, labels, *nth, calibration_fraction, seed);
}

}  // namespace leadscore
