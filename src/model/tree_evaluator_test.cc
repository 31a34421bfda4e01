#include "model/tree_evaluator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "datagen/random.h"
#include "model/xgboost_adapter.h"

namespace leadscore {
namespace {

using nlohmann::json;
// Reads numbers straight to float, like XGBoost, so thresholds taken from a model are exact.
using FloatJson = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t,
                                       std::uint64_t, float>;

constexpr size_t kCols = 5;
constexpr size_t kTrainRows = 3000;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

struct Data {
  std::vector<float> values;  // row-major, kCols wide
  std::vector<float> labels;
};

// Every column matters, and so does which values are missing (in different directions), so
// the trees split on all five columns and learn both default directions.
Data TrainingData(uint64_t seed) {
  Random rng(seed, 0);
  Data data;
  for (size_t row = 0; row < kTrainRows; ++row) {
    const double x0 = rng.Normal();
    const auto x1 = static_cast<double>(rng.UniformInt(0, 10));
    const double x2 = rng.Normal() * 1000.0 - 200.0;
    const double x3 = rng.LogNormal(0.0, 1.0);
    const auto x4 = static_cast<double>(rng.UniformInt(-3, 3));
    const bool miss2 = rng.Bernoulli(0.3), miss3 = rng.Bernoulli(0.5), miss4 = rng.Bernoulli(0.2);
    const float row_values[kCols] = {
        static_cast<float>(x0), static_cast<float>(x1), miss2 ? kNaN : static_cast<float>(x2),
        miss3 ? kNaN : static_cast<float>(x3), miss4 ? kNaN : static_cast<float>(x4)};
    data.values.insert(data.values.end(), std::begin(row_values), std::end(row_values));
    const double logit = x0 + 0.3 * (x1 - 5.0) + (miss2 ? 1.0 : x2 / 1000.0) +
                         (miss3 ? -1.0 : 0.5 * std::log(x3)) + (miss4 ? 0.8 : -0.3 * x4);
    data.labels.push_back(rng.Bernoulli(1.0 / (1.0 + std::exp(-logit))) ? 1.0f : 0.0f);
  }
  return data;
}

xgb::DMatrix Matrix(const std::vector<float>& values) {
  auto matrix = xgb::DMatrix::FromDense(values, values.size() / kCols, kCols);
  EXPECT_TRUE(matrix.ok()) << matrix.status().message();
  return std::move(matrix).value();
}

// A booster trained through the adapter, as the engine trains: binary:logistic on
// TrainingData, with `params` on top of the defaults.
xgb::Booster Train(int depth, int rounds, const std::map<std::string, std::string>& params = {}) {
  const Data data = TrainingData(static_cast<uint64_t>(depth));
  xgb::DMatrix train = Matrix(data.values);
  EXPECT_TRUE(train.SetLabels(data.labels).ok());
  auto booster = xgb::Booster::ForTraining(train);
  EXPECT_TRUE(booster.ok()) << booster.status().message();
  std::map<std::string, std::string> all = {{"objective", "binary:logistic"},
                                            {"max_depth", std::to_string(depth)},
                                            {"eta", "0.3"},
                                            {"nthread", "1"},
                                            {"tree_method", "hist"},
                                            {"seed", "7"},
                                            {"verbosity", "0"}};
  for (const auto& [name, value] : params) all[name] = value;
  for (const auto& [name, value] : all) {
    EXPECT_TRUE(booster.value().SetParam(name, value).ok()) << name;
  }
  for (int round = 0; round < rounds; ++round) {
    const Status status = booster.value().UpdateOneIter(round, train);
    EXPECT_TRUE(status.ok()) << status.message();
  }
  return std::move(booster).value();
}

std::string SaveJson(const xgb::Booster& booster) {
  auto text = booster.SaveJson();
  EXPECT_TRUE(text.ok()) << text.status().message();
  return text.ok() ? text.value() : std::string();
}

TreeEvaluator Evaluator(const std::string& model_json) {
  auto evaluator = TreeEvaluator::FromModelJson(model_json);
  EXPECT_TRUE(evaluator.ok()) << evaluator.status().message();
  return std::move(evaluator).value();
}

std::vector<float> XgbPredict(const xgb::Booster& booster, const std::vector<float>& rows,
                              xgb::PredictKind kind) {
  auto predictions = booster.Predict(Matrix(rows), kind);
  EXPECT_TRUE(predictions.ok()) << predictions.status().message();
  return predictions.ok() ? predictions.value() : std::vector<float>();
}

// Every split threshold of the model, per feature.
std::vector<std::vector<float>> Thresholds(const std::string& model_json) {
  std::vector<std::vector<float>> thresholds(kCols);
  const FloatJson doc = FloatJson::parse(model_json);
  for (const FloatJson& tree : doc["learner"]["gradient_booster"]["model"]["trees"]) {
    for (size_t node = 0; node < tree["left_children"].size(); ++node) {
      if (tree["left_children"][node] == -1) continue;
      thresholds[tree["split_indices"][node].get<size_t>()].push_back(
          tree["split_conditions"][node].get<float>());
    }
  }
  return thresholds;
}

// Nodes pruned away: XGBoost leaves them in the arrays, unreachable from the root.
int64_t DeletedNodes(const std::string& model_json) {
  int64_t deleted = 0;
  const FloatJson doc = FloatJson::parse(model_json);
  for (const FloatJson& tree : doc["learner"]["gradient_booster"]["model"]["trees"]) {
    deleted += std::stoll(tree["tree_param"]["num_deleted"].get<std::string>());
  }
  return deleted;
}

// Rows meant to find any disagreement: missing values, values exactly on a split threshold and
// one ulp either side of it, negatives, zeros of both signs, subnormals and huge values (finite:
// XGBoost refuses infinities in a DMatrix), and ordinary values like the training data's. Rows
// come in bands of 64 alternately with and without missing values, so batches take both the
// evaluator's step for blocks with NaNs and its faster one for blocks without.
std::vector<float> AdversarialRows(size_t rows, const std::vector<std::vector<float>>& thresholds,
                                   uint64_t seed) {
  static constexpr float kExtremes[] = {std::numeric_limits<float>::max(),
                                        -std::numeric_limits<float>::max(),
                                        1e30f,
                                        -1e30f,
                                        std::numeric_limits<float>::min(),
                                        std::numeric_limits<float>::denorm_min(),
                                        -std::numeric_limits<float>::denorm_min(),
                                        0.0f,
                                        -0.0f,
                                        -1e6f};
  Random rng(seed, 1);
  std::vector<float> values;
  values.reserve(rows * kCols);
  for (size_t row = 0; row < rows; ++row) {
    const bool with_missing = (row / 64) % 2 == 0;
    for (size_t col = 0; col < kCols; ++col) {
      const std::vector<float>& cuts = thresholds[col];
      int64_t kind = rng.UniformInt(0, 9);
      if (!with_missing && (kind == 4 || kind == 6)) kind = 7;
      float value = 0.0f;
      if (kind <= 4 && !cuts.empty()) {
        const float cut =
            cuts[static_cast<size_t>(rng.UniformInt(0, static_cast<int64_t>(cuts.size()) - 1))];
        value = kind <= 1   ? cut
                : kind == 2 ? std::nextafter(cut, -std::numeric_limits<float>::infinity())
                : kind == 3 ? std::nextafter(cut, std::numeric_limits<float>::infinity())
                            : kNaN;
      } else if (kind == 5) {
        value = kExtremes[rng.UniformInt(0, std::size(kExtremes) - 1)];
      } else if (kind == 6) {
        value = kNaN;
      } else {
        static constexpr double kScales[] = {1.0, 10.0, 100.0, 1000.0};
        value = static_cast<float>(rng.Normal() * kScales[rng.UniformInt(0, 3)]);
      }
      values.push_back(value);
    }
  }
  return values;
}

bool SameBits(float a, float b) { return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b); }

// One model per depth 1..6 with NaNs in the training data, across tree methods (exact with gamma
// prunes, leaving deleted nodes in the arrays) and base scores (0.5 gives margin 0; the others
// exercise ProbToMargin); a million adversarial rows through each. About 3 s of CPU in the dev
// build, about 15 s under ASan.
//
// Result: bit-exact. Every probability and every margin equals XGBoost 1.7's to the bit, so
// besides |evaluator - XGBoost| <= 1e-6 on the probability, the number of rows that differ in
// any bit is asserted to be zero.
TEST(TreeEvaluator, MatchesXgboostBitForBitOnAMillionAdversarialRows) {
  constexpr size_t kRows = 1'000'000;
  const std::map<std::string, std::string> settings[] = {
      {},
      {{"tree_method", "approx"}, {"base_score", "0.3"}},
      {},
      {{"tree_method", "exact"}, {"gamma", "2"}, {"base_score", "0.8"}},
      {{"max_bin", "16"}},
      {{"base_score", "0.0123"}},
  };
  std::vector<xgb::Booster> boosters;
  std::vector<std::vector<float>> thresholds(kCols);
  for (int depth = 1; depth <= 6; ++depth) {
    boosters.push_back(Train(depth, 8, settings[depth - 1]));
    const auto model_thresholds = Thresholds(SaveJson(boosters.back()));
    for (size_t col = 0; col < kCols; ++col) {
      thresholds[col].insert(thresholds[col].end(), model_thresholds[col].begin(),
                             model_thresholds[col].end());
    }
  }
  const std::vector<float> rows = AdversarialRows(kRows, thresholds, 42);
  const xgb::DMatrix matrix = Matrix(rows);

  for (int depth = 1; depth <= 6; ++depth) {
    xgb::Booster& booster = boosters[static_cast<size_t>(depth - 1)];
    const std::string model_json = SaveJson(booster);
    if (settings[depth - 1].contains("gamma")) {
      EXPECT_GT(DeletedNodes(model_json), 0) << "the pruned model should hold deleted nodes";
    }
    const TreeEvaluator evaluator = Evaluator(model_json);
    ASSERT_EQ(evaluator.num_features(), kCols);
    ASSERT_TRUE(booster.SetParam("nthread", "2").ok());
    auto predicted = booster.Predict(matrix, xgb::PredictKind::kProbability);
    ASSERT_TRUE(predicted.ok()) << predicted.status().message();
    const std::vector<float>& expected = predicted.value();
    ASSERT_EQ(expected.size(), kRows);
    std::vector<double> actual(kRows);
    evaluator.PredictProbabilities(rows, kRows, actual, 2);

    double max_difference = 0.0;
    size_t over_tolerance = 0, not_bit_exact = 0;
    for (size_t row = 0; row < kRows; ++row) {
      const double difference = std::fabs(actual[row] - double{expected[row]});
      max_difference = std::max(max_difference, difference);
      if (!(difference <= 1e-6)) ++over_tolerance;
      if (!SameBits(static_cast<float>(actual[row]), expected[row])) ++not_bit_exact;
    }
    EXPECT_EQ(over_tolerance, 0u) << "depth " << depth << ", max |difference| " << max_difference;
    EXPECT_EQ(not_bit_exact, 0u) << "depth " << depth;

    // The one-row path, and the margin, on the first rows.
    constexpr size_t kSingleRows = 20'000;
    const std::vector<float> margins =
        XgbPredict(booster, std::vector<float>(rows.begin(), rows.begin() + kSingleRows * kCols),
                   xgb::PredictKind::kMargin);
    size_t margins_differ = 0, single_differs = 0;
    for (size_t row = 0; row < kSingleRows; ++row) {
      const std::span<const float> values(rows.data() + row * kCols, kCols);
      if (!SameBits(evaluator.PredictMargin(values), margins[row])) ++margins_differ;
      if (evaluator.PredictProbability(values) != actual[row]) ++single_differs;
    }
    EXPECT_EQ(margins_differ, 0u) << "depth " << depth;
    EXPECT_EQ(single_differs, 0u) << "depth " << depth;
  }
}

// Margins far past ±88.7, where XGBoost's Sigmoid clamps its exponent, still match: leaves
// scaled up by 300 push this model's margins into the hundreds.
TEST(TreeEvaluator, MatchesXgboostSigmoidAtExtremeMargins) {
  json doc = json::parse(SaveJson(Train(3, 6)));
  for (json& tree : doc["learner"]["gradient_booster"]["model"]["trees"]) {
    for (size_t node = 0; node < tree["left_children"].size(); ++node) {
      if (tree["left_children"][node] == -1) {
        tree["split_conditions"][node] = tree["split_conditions"][node].get<double>() * 300.0;
      }
    }
  }
  auto booster = xgb::Booster::FromJson(doc.dump());
  ASSERT_TRUE(booster.ok()) << booster.status().message();
  const TreeEvaluator evaluator = Evaluator(doc.dump());
  const std::vector<float> rows = TrainingData(99).values;
  const size_t n = rows.size() / kCols;
  const std::vector<float> expected =
      XgbPredict(booster.value(), rows, xgb::PredictKind::kProbability);
  const std::vector<float> margins = XgbPredict(booster.value(), rows, xgb::PredictKind::kMargin);
  std::vector<double> actual(n);
  evaluator.PredictProbabilities(rows, n, actual);
  size_t below_clamp = 0, above_clamp = 0;
  for (size_t row = 0; row < n; ++row) {
    EXPECT_TRUE(SameBits(static_cast<float>(actual[row]), expected[row]))
        << "row " << row << " margin " << margins[row] << ": " << actual[row] << " vs "
        << expected[row];
    if (margins[row] < -88.7f) {
      ++below_clamp;
      // Without the clamp expf would overflow and the probability would be exactly 0.
      EXPECT_GT(expected[row], 0.0f) << "XGBoost 1.7 clamps the exponent at 88.7";
    }
    if (margins[row] > 88.7f) ++above_clamp;
  }
  EXPECT_GT(below_clamp, 0u) << "the test should reach the clamp";
  EXPECT_GT(above_clamp, 0u) << "the test should reach the clamp";
}

TEST(TreeEvaluator, BatchDoesNotDependOnThreadsOrBlockBoundaries) {
  const TreeEvaluator evaluator = Evaluator(SaveJson(Train(4, 10)));
  const size_t n = 3 * 4096 + 7;  // several threads' worth, and a short last block
  const std::vector<float> rows = AdversarialRows(n, Thresholds(SaveJson(Train(4, 10))), 5);
  std::vector<double> one_by_one(n);
  for (size_t row = 0; row < n; ++row) {
    one_by_one[row] = evaluator.PredictProbability({rows.data() + row * kCols, kCols});
  }
  for (int threads : {-1, 1, 2, 3, 8}) {
    std::vector<double> batch(n, -1.0);
    evaluator.PredictProbabilities(rows, n, batch, threads);
    EXPECT_EQ(batch, one_by_one) << threads << " threads";
  }
  std::vector<double> none;
  evaluator.PredictProbabilities({}, 0, none, 2);  // an empty batch is fine
}

TEST(TreeEvaluator, ReportsItsShapeAndBaseMargin) {
  const TreeEvaluator evaluator = Evaluator(SaveJson(Train(2, 7, {{"base_score", "0.25"}})));
  EXPECT_EQ(evaluator.num_features(), kCols);
  EXPECT_EQ(evaluator.num_trees(), 7u);
  EXPECT_EQ(evaluator.base_margin(), -std::log(1.0f / 0.25f - 1.0f));
}

// A tree of any shape XGBoost can hold: here a chain, each split's left child a leaf.
struct TreeArrays {
  std::vector<int> left, right, feature;
  std::vector<float> condition;
  std::vector<int> default_left;
};

// Node 2k is the split at depth k; 2k + 1 its left child, a leaf; 2k + 2 its right child.
TreeArrays Chain(int depth) {
  TreeArrays tree;
  for (int level = 0; level < depth; ++level) {
    const int node = static_cast<int>(tree.left.size());
    tree.left.push_back(node + 1);
    tree.right.push_back(node + 2);
    tree.feature.push_back(level % static_cast<int>(kCols));
    tree.condition.push_back(static_cast<float>(level % 7) - 3.0f);
    tree.default_left.push_back(level % 2);
    // The leaf to the left of this split.
    tree.left.push_back(-1);
    tree.right.push_back(-1);
    tree.feature.push_back(0);
    tree.condition.push_back(0.01f * static_cast<float>(level) - 0.5f);
    tree.default_left.push_back(0);
  }
  // The deepest leaf, right of the last split.
  tree.left.push_back(-1);
  tree.right.push_back(-1);
  tree.feature.push_back(0);
  tree.condition.push_back(0.7f);
  tree.default_left.push_back(0);
  return tree;
}

// Replaces tree `index` of `doc` with `arrays`, filling the statistics XGBoost also reads.
void ReplaceTree(json& doc, size_t index, const TreeArrays& arrays) {
  json& tree = doc["learner"]["gradient_booster"]["model"]["trees"][index];
  const size_t n = arrays.left.size();
  std::vector<int> parents(n, 2147483647);
  for (size_t node = 0; node < n; ++node) {
    if (arrays.left[node] != -1) {
      parents[static_cast<size_t>(arrays.left[node])] = static_cast<int>(node);
      parents[static_cast<size_t>(arrays.right[node])] = static_cast<int>(node);
    }
  }
  tree["left_children"] = arrays.left;
  tree["right_children"] = arrays.right;
  tree["split_indices"] = arrays.feature;
  tree["split_conditions"] = arrays.condition;
  tree["default_left"] = arrays.default_left;
  tree["parents"] = parents;
  tree["split_type"] = std::vector<int>(n, 0);
  tree["loss_changes"] = std::vector<float>(n, 0.0f);
  tree["sum_hessian"] = std::vector<float>(n, 1.0f);
  tree["base_weights"] = std::vector<float>(n, 0.0f);
  tree["tree_param"]["num_nodes"] = std::to_string(n);
}

TEST(TreeEvaluator, AcceptsADeepChainTreeAndAgreesWithXgboost) {
  json doc = json::parse(SaveJson(Train(3, 3)));
  ReplaceTree(doc, 1, Chain(200));
  auto booster = xgb::Booster::FromJson(doc.dump());
  ASSERT_TRUE(booster.ok()) << booster.status().message();
  const TreeEvaluator evaluator = Evaluator(doc.dump());
  const std::vector<float> rows = AdversarialRows(5000, Thresholds(doc.dump()), 8);
  const std::vector<float> expected = XgbPredict(booster.value(), rows, xgb::PredictKind::kMargin);
  for (size_t row = 0; row < 5000; ++row) {
    ASSERT_TRUE(
        SameBits(evaluator.PredictMargin({rows.data() + row * kCols, kCols}), expected[row]))
        << "row " << row;
  }
}

std::string Refusal(const std::string& model_json) {
  auto evaluator = TreeEvaluator::FromModelJson(model_json);
  EXPECT_FALSE(evaluator.ok()) << "loaded a model that should be refused";
  return evaluator.ok() ? std::string() : evaluator.status().message();
}

json ModelDoc() {
  static const std::string kModelJson = SaveJson(Train(3, 3));
  return json::parse(kModelJson);
}

json& Tree0(json& doc) { return doc["learner"]["gradient_booster"]["model"]["trees"][0]; }

// The exact tree method prunes, which leaves deleted nodes, unreachable, in XGBoost's arrays.
TEST(TreeEvaluator, IgnoresNodesTheRootDoesNotReach) {
  json doc = ModelDoc();
  json& tree = doc["learner"]["gradient_booster"]["model"]["trees"][0];
  for (const char* key : {"left_children", "right_children"}) tree[key].push_back(-1);
  tree["split_indices"].push_back(2147483647);  // XGBoost's deleted-node marker
  tree["split_conditions"].push_back(123.0);
  tree["default_left"].push_back(1);
  tree["tree_param"]["num_nodes"] = std::to_string(tree["left_children"].size());
  for (const char* key : {"parents", "split_type", "loss_changes", "sum_hessian", "base_weights"}) {
    tree[key].push_back(0);
  }
  const TreeEvaluator original = Evaluator(ModelDoc().dump());
  const TreeEvaluator padded = Evaluator(doc.dump());
  const std::vector<float> rows = TrainingData(3).values;
  for (size_t row = 0; row < 200; ++row) {
    const std::span<const float> values(rows.data() + row * kCols, kCols);
    EXPECT_EQ(padded.PredictMargin(values), original.PredictMargin(values));
  }
}

#define EXPECT_MENTIONS(message, text) \
  EXPECT_NE((message).find(text), std::string::npos) << (message)

TEST(TreeEvaluator, RefusesOtherObjectivesNamingThem) {
  json doc = ModelDoc();
  doc["learner"]["objective"]["name"] = "reg:squarederror";
  const std::string message = Refusal(doc.dump());
  EXPECT_MENTIONS(message, "reg:squarederror");
  EXPECT_MENTIONS(message, "binary:logistic");
}

TEST(TreeEvaluator, RefusesTextThatIsNotJson) {
  EXPECT_MENTIONS(Refusal("{\"learner\": "), "not valid JSON");
  EXPECT_MENTIONS(Refusal(""), "not valid JSON");
}

TEST(TreeEvaluator, RefusesJsonThatIsNotAnXgboostModel) {
  EXPECT_MENTIONS(Refusal("[1, 2, 3]"), "not a JSON object");
  EXPECT_MENTIONS(Refusal(R"({"learner": {}})"), "learner.objective is missing");
}

TEST(TreeEvaluator, RefusesAMissingTreeFieldNamingTreeAndField) {
  json doc = ModelDoc();
  Tree0(doc).erase("left_children");
  const std::string message = Refusal(doc.dump());
  EXPECT_MENTIONS(message, "trees[0].left_children is missing");
}

TEST(TreeEvaluator, RefusesAMistypedField) {
  json doc = ModelDoc();
  Tree0(doc)["split_conditions"][0] = "high";
  EXPECT_MENTIONS(Refusal(doc.dump()), "trees[0].split_conditions[0] is not a number");
  doc = ModelDoc();
  doc["learner"]["learner_model_param"]["num_feature"] = "five";
  EXPECT_MENTIONS(Refusal(doc.dump()), "num_feature is not an integer");
}

TEST(TreeEvaluator, RefusesPerNodeArraysOfDifferentLengths) {
  json doc = ModelDoc();
  Tree0(doc)["default_left"].erase(0);
  EXPECT_MENTIONS(Refusal(doc.dump()), "default_left has");
}

TEST(TreeEvaluator, RefusesAChildIndexOutOfRange) {
  json doc = ModelDoc();
  Tree0(doc)["left_children"][0] = 1000;
  Tree0(doc)["right_children"][0] = 1001;
  const std::string message = Refusal(doc.dump());
  EXPECT_MENTIONS(message, "trees[0] node 0");
  EXPECT_MENTIONS(message, "out of range");
  doc = ModelDoc();
  Tree0(doc)["left_children"][0] = -5;
  EXPECT_MENTIONS(Refusal(doc.dump()), "out of range");
}

TEST(TreeEvaluator, RefusesACycleInsteadOfLoopingForever) {
  json doc = ModelDoc();
  json& tree = Tree0(doc);
  ASSERT_NE(tree["left_children"][1], -1) << "the test needs node 1 to be a split";
  tree["left_children"][1] = 0;  // back to the root
  tree["right_children"][1] = 1;
  EXPECT_MENTIONS(Refusal(doc.dump()), "cycle");
  doc = ModelDoc();
  Tree0(doc)["left_children"][1] = 1;  // node 1 is its own child
  Tree0(doc)["right_children"][1] = 2;
  EXPECT_MENTIONS(Refusal(doc.dump()), "cycle");
}

TEST(TreeEvaluator, RefusesASharedSubtree) {
  json doc = ModelDoc();
  json& tree = Tree0(doc);
  ASSERT_NE(tree["left_children"][2], -1) << "the test needs node 2 to be a split";
  tree["left_children"][2] = tree["left_children"][1];
  tree["right_children"][2] = tree["right_children"][1];
  EXPECT_MENTIONS(Refusal(doc.dump()), "reached a second time");
}

TEST(TreeEvaluator, RefusesARightChildThatDoesNotFollowItsLeftChild) {
  json doc = ModelDoc();
  std::swap(Tree0(doc)["left_children"][0], Tree0(doc)["right_children"][0]);
  EXPECT_MENTIONS(Refusal(doc.dump()), "not directly after its left child");
}

TEST(TreeEvaluator, RefusesALeafWithOnlyARightChild) {
  json doc = ModelDoc();
  json& tree = Tree0(doc);
  const size_t last = tree["left_children"].size() - 1;
  ASSERT_EQ(tree["left_children"][last], -1);
  tree["right_children"][last] = 1;
  EXPECT_MENTIONS(Refusal(doc.dump()), "but no left child");
}

TEST(TreeEvaluator, RefusesASplitOnAFeatureTheModelDoesNotHave) {
  json doc = ModelDoc();
  Tree0(doc)["split_indices"][0] = 5;  // num_feature is 5
  EXPECT_MENTIONS(Refusal(doc.dump()), "splits on feature 5, but the model has num_feature 5");
}

TEST(TreeEvaluator, RefusesATreeDeeperThanTheLimit) {
  json doc = ModelDoc();
  ReplaceTree(doc, 0, Chain(kMaxTreeDepth));
  EXPECT_TRUE(TreeEvaluator::FromModelJson(doc.dump()).ok()) << "the limit itself is fine";
  ReplaceTree(doc, 0, Chain(kMaxTreeDepth + 1));
  EXPECT_MENTIONS(Refusal(doc.dump()), "deeper than 256 levels");
}

TEST(TreeEvaluator, RefusesCategoricalSplits) {
  json doc = ModelDoc();
  Tree0(doc)["split_type"][0] = 1;
  EXPECT_MENTIONS(Refusal(doc.dump()), "categorical");
  doc = ModelDoc();
  Tree0(doc)["categories"] = {1, 3};
  EXPECT_MENTIONS(Refusal(doc.dump()), "categorical");
}

TEST(TreeEvaluator, RefusesMultiClassModels) {
  json doc = ModelDoc();
  doc["learner"]["learner_model_param"]["num_class"] = "3";
  EXPECT_MENTIONS(Refusal(doc.dump()), "multi-class");
  doc = ModelDoc();
  doc["learner"]["gradient_booster"]["model"]["tree_info"][1] = 1;
  EXPECT_MENTIONS(Refusal(doc.dump()), "several outputs");
}

TEST(TreeEvaluator, RefusesGblinearAndDart) {
  json doc = ModelDoc();
  doc["learner"]["gradient_booster"] = {{"name", "gblinear"}, {"model", {{"weights", {0.1}}}}};
  EXPECT_MENTIONS(Refusal(doc.dump()), "gblinear");
  doc = ModelDoc();
  json gbtree = doc["learner"]["gradient_booster"];
  doc["learner"]["gradient_booster"] = {
      {"name", "dart"}, {"gbtree", gbtree}, {"weight_drop", {1.0}}};
  EXPECT_MENTIONS(Refusal(doc.dump()), "dart");
}

TEST(TreeEvaluator, RefusesABaseScoreOutsideZeroToOne) {
  json doc = ModelDoc();
  doc["learner"]["learner_model_param"]["base_score"] = "1.5E0";
  EXPECT_MENTIONS(Refusal(doc.dump()), "base_score");
}

TEST(TreeEvaluatorDeathTest, ARowOfTheWrongWidthAbortsInsteadOfReadingOutOfBounds) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const TreeEvaluator evaluator = Evaluator(ModelDoc().dump());
  const std::vector<float> short_row(kCols - 1, 0.0f);
  EXPECT_DEATH(evaluator.PredictMargin(short_row), "row.size\\(\\) != num_features\\(\\)");
  std::vector<double> out(2);
  EXPECT_DEATH(evaluator.PredictProbabilities(short_row, 2, out), "matrix.size\\(\\)");
}

}  // namespace
}  // namespace leadscore
