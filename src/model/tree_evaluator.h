// A fast, exact evaluator for XGBoost binary:logistic tree ensembles: the booster's trees
// compiled into one flat node array, so that scoring a row is a tight loop with no XGBoost call
// (XGBoost 1.7's C API spends ~27 µs on a one-row prediction, most of it re-reading cgroup
// files to count CPUs).
//
// Exactness. The evaluator repeats XGBoost 1.7's CPU predictor step by step, so its results are
// bit-identical to XGBoost's (tree_evaluator_test checks a million rows): the margin is a float
// that starts at ProbToMargin(base_score) = -logf(1/base_score - 1) and adds each tree's leaf in
// tree order; a split sends a row left iff `value < split_condition` and a missing value (NaN)
// to the node's default child; the probability is XGBoost's float Sigmoid, 1 / (expf(min(-m,
// 88.7)) + 1 + 1e-16), widened to double. Thresholds and leaves are read as float exactly as
// XGBoost reads them. Infinite inputs, which XGBoost refuses in a DMatrix, compare as IEEE
// infinities here.
//
// Supported models: objective binary:logistic, booster gbtree (any number of trees, including
// num_parallel_tree > 1), numerical splits, one output. Everything else (other objectives,
// multi-class or multi-target, gblinear, dart, categorical splits, vector leaves) is refused
// at load with a message naming what is unsupported.
//
// A TreeEvaluator is immutable: every const method is safe to call from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace leadscore {

// Trees deeper than this are refused at load (every row walks max-depth steps per tree).
inline constexpr int kMaxTreeDepth = 256;

class TreeEvaluator {
 public:
  // Compiles XGBoost's JSON model (what XGBoosterSaveModelToBuffer writes with format "json").
  // The JSON is not kept. Fails, naming the field and tree, on malformed JSON, a missing or
  // mistyped field, an unsupported model (see above), or a tree that is not a tree: a child
  // index out of range, a right child that does not directly follow its left child (XGBoost's
  // predictor assumes it does), a node reached twice (a cycle or a shared subtree), a split on
  // a feature >= num_feature, or a depth over kMaxTreeDepth. Nodes not reachable from the root
  // are allowed and ignored: XGBoost leaves pruned nodes in the array.
  static Result<TreeEvaluator> FromModelJson(std::string_view xgboost_model_json);

  // The raw score (log-odds) of one row of num_features() values; NaN marks a missing value.
  // Precondition: row.size() == num_features(); otherwise the process aborts with a message
  // rather than read out of bounds.
  float PredictMargin(std::span<const float> row) const;
  // Sigmoid(PredictMargin(row)): XGBoost's probability for the row. Same precondition.
  double PredictProbability(std::span<const float> row) const;
  // out[r] = PredictProbability(row r) for a row-major `matrix` of rows x num_features().
  // Rows are evaluated in blocks, block by block through all trees (the trees stay in cache),
  // split over `threads` threads (values below 1 mean 1; small batches use fewer). The result
  // does not depend on `threads`. Preconditions: matrix.size() == rows * num_features() and
  // out.size() == rows; otherwise the process aborts with a message.
  void PredictProbabilities(std::span<const float> matrix, size_t rows, std::span<double> out,
                            int threads = 1) const;

  size_t num_features() const { return num_features_; }
  size_t num_trees() const { return roots_.size(); }
  // ProbToMargin(base_score): the margin of a row before any tree.
  float base_margin() const { return base_margin_; }

 private:
  friend class TreeEvaluatorBuilder;  // tree_evaluator.cc: parses and compiles the JSON

  // Rows walked together through one tree in a batch: enough independent walks to hide each
  // step's load latency, few enough that the block's values stay in L1.
  static constexpr uint32_t kBlockRows = 16;

  // 16 bytes, four to a cache line. Children are stored side by side (right = left + 1), so a
  // split is one compare and one add. A leaf points to itself and has a NaN threshold, so
  // further steps stay on it: every row walks its tree's full depth without a data-dependent
  // branch, and rows (or trees) can be walked in lockstep.
  struct Node {
    float threshold;   // go right iff value >= threshold; NaN in a leaf
    uint32_t column;   // feature * kBlockRows: the feature's offset in a column-major block
    uint32_t left;     // index of the left child in nodes_; a leaf's own index
    float leaf_value;  // a leaf's value; 0 in a split
  };

  TreeEvaluator() = default;
  // The node after `node` (at `index`) for a row whose value of the node's feature is `value`.
  template <bool kMayBeMissing>
  static uint32_t Next(const Node& node, uint32_t index, float value, const uint8_t* missing_right);
  // The margin of one row; kMayBeMissing: the row may hold NaNs (a slower step).
  template <bool kMayBeMissing>
  float MarginOfRow(const float* row) const;
  // margin[r] += every tree's leaf for kBlockRows rows stored column-major:
  // block[feature * kBlockRows + r].
  template <bool kMayBeMissing>
  void WalkBlock(const float* block, float* margin) const;
  // out[r] = PredictProbability(row r) for rows [begin, end) of `matrix`.
  void PredictRange(const float* matrix, size_t begin, size_t end, double* out) const;

  std::vector<Node> nodes_;
  // Per node, 1 when a missing value goes right (0 in leaves). Apart from nodes_, so the step
  // for rows without NaNs never loads it.
  std::vector<uint8_t> missing_right_;
  std::vector<uint32_t> roots_;   // per tree, in XGBoost's tree order
  std::vector<uint32_t> depths_;  // per tree: the steps from the root to its deepest leaf
  // For one row, trees are walked kTreesPerGroup at a time (independent walks overlap in the
  // CPU); group_depths_[g] is the deepest of the group's trees.
  std::vector<uint32_t> group_depths_;
  size_t num_features_ = 0;
  float base_margin_ = 0.0f;
};

}  // namespace leadscore
