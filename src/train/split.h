// How the labelled leads are divided: a test split for the reported metrics, a calibration
// slice held out from training (the calibration map must not be fitted on rows the trees
// have seen), and the rest for the trees. Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"

namespace leadscore {

struct DataSplit {
  std::vector<size_t> train;
  std::vector<size_t> calibration;
  std::vector<size_t> test;
};

// Stratified by label: each class contributes `test_fraction` of its rows to test, then
// `calibration_fraction` of the remainder to calibration. Row order within each part is
// ascending.
DataSplit StratifiedSplit(std::span<const int> labels, double test_fraction,
                          double calibration_fraction, uint64_t seed);

// Rows created before `cutoff` (epoch seconds) train (minus a stratified calibration slice);
// the rest test. Fails when either side is empty or one-class.
Result<DataSplit> TimeSplit(std::span<const int64_t> created_at, std::span<const int> labels,
                            int64_t cutoff, double calibration_fraction, uint64_t seed);

// The most recent leads test: rows created at or after the created_at below which
// 1 - test_fraction of the rows lie; the rest train (minus a stratified calibration slice).
// Rows sharing a created_at (the snapshots of one lead) always land on the same side. Fails
// like TimeSplit.
Result<DataSplit> LatestSplit(std::span<const int64_t> created_at, std::span<const int> labels,
                              double test_fraction, double calibration_fraction, uint64_t seed);

}  // namespace leadscore
