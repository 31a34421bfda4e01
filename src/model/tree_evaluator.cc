#include "model/tree_evaluator.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <thread>

namespace leadscore {
namespace {

// Numbers are parsed straight to float (strtof), as XGBoost reads its own model. Parsing to
// double and rounding again to float could, rarely, move a threshold or leaf by one ulp.
using FloatJson = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t,
                                       std::uint64_t, float>;

// Trees walked together for one row: their walks are independent, so the CPU overlaps them.
constexpr size_t kTreesPerGroup = 8;
// Node::column is feature * kBlockRows in 32 bits; real models have far fewer features.
constexpr int64_t kMaxFeatures = int64_t{1} << 24;
// Node indices are 32-bit.
constexpr size_t kMaxNodes = size_t{1} << 31;
// A thread costs tens of microseconds to start; below this many rows per thread it does not pay.
constexpr size_t kMinRowsPerThread = 4096;

[[noreturn]] void PreconditionFailed(const char* what) {
  std::fprintf(stderr, "leadscore TreeEvaluator: precondition violated: %s\n", what);
  std::abort();
}

// XGBoost 1.7's common::Sigmoid(float) (src/common/math.h), operation for operation, so the
// probability is XGBoost's to the bit: the clamp keeps expf finite and the epsilon (absorbed
// by the 1 in float) guards the division.
float XgboostSigmoid(float margin) {
  constexpr auto kEps = static_cast<float>(1e-16);
  const float x = std::min(-margin, 88.7f);
  const float denominator = std::exp(x) + 1.0f + kEps;
  return 1.0f / denominator;
}

std::string TreePath(size_t tree) {
  return "learner.gradient_booster.model.trees[" + std::to_string(tree) + "]";
}

// The member `key` of the object at `path`, or an error naming the missing or mistyped field.
Result<const FloatJson*> Member(const FloatJson& object, const std::string& path, const char* key) {
  if (!object.is_object()) return Status::Error(path + " is not a JSON object");
  const auto found = object.find(key);
  if (found == object.end()) {
    return Status::Error((path.empty() ? std::string() : path + ".") + key +
                         " is missing; expected XGBoost's JSON model format (save_model to a "
                         ".json file, or XGBoosterSaveModelToBuffer with format \"json\")");
  }
  return &*found;
}

Result<std::string> StringMember(const FloatJson& object, const std::string& path,
                                 const char* key) {
  auto member = Member(object, path, key);
  if (!member.ok()) return member.status();
  if (!member.value()->is_string()) {
    return Status::Error(path + "." + key + " is not a string");
  }
  return member.value()->get<std::string>();
}

// XGBoost writes its model parameters as strings ("num_feature": "4"); a number is accepted
// too.
Result<int64_t> IntegerParam(const FloatJson& object, const std::string& path, const char* key) {
  auto member = Member(object, path, key);
  if (!member.ok()) return member.status();
  const FloatJson& value = *member.value();
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    int64_t parsed = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (error == std::errc() && end == text.data() + text.size()) return parsed;
  }
  return Status::Error(path + "." + key + " is not an integer: " + value.dump());
}

Result<float> FloatParam(const FloatJson& object, const std::string& path, const char* key) {
  auto member = Member(object, path, key);
  if (!member.ok()) return member.status();
  const FloatJson& value = *member.value();
  if (value.is_number()) return value.get<float>();
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    float parsed = 0.0f;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (error == std::errc() && end == text.data() + text.size()) return parsed;
  }
  return Status::Error(path + "." + key + " is not a number: " + value.dump());
}

Result<const FloatJson*> ArrayMember(const FloatJson& object, const std::string& path,
                                     const char* key) {
  auto member = Member(object, path, key);
  if (!member.ok()) return member;
  if (!member.value()->is_array()) return Status::Error(path + "." + key + " is not an array");
  return member;
}

Result<std::vector<int64_t>> IntegerArray(const FloatJson& object, const std::string& path,
                                          const char* key) {
  auto array = ArrayMember(object, path, key);
  if (!array.ok()) return array.status();
  std::vector<int64_t> values;
  values.reserve(array.value()->size());
  for (const FloatJson& value : *array.value()) {
    if (!value.is_number_integer()) {
      return Status::Error(path + "." + key + "[" + std::to_string(values.size()) +
                           "] is not an integer: " + value.dump());
    }
    values.push_back(value.get<int64_t>());
  }
  return values;
}

Result<std::vector<float>> FloatArray(const FloatJson& object, const std::string& path,
                                      const char* key) {
  auto array = ArrayMember(object, path, key);
  if (!array.ok()) return array.status();
  std::vector<float> values;
  values.reserve(array.value()->size());
  for (const FloatJson& value : *array.value()) {
    if (!value.is_number()) {
      return Status::Error(path + "." + key + "[" + std::to_string(values.size()) +
                           "] is not a number: " + value.dump());
    }
    values.push_back(value.get<float>());
  }
  return values;
}

// default_left: XGBoost writes 0/1; booleans are accepted too.
Result<std::vector<bool>> FlagArray(const FloatJson& object, const std::string& path,
                                    const char* key) {
  auto array = ArrayMember(object, path, key);
  if (!array.ok()) return array.status();
  std::vector<bool> values;
  values.reserve(array.value()->size());
  for (const FloatJson& value : *array.value()) {
    if (value.is_boolean()) {
      values.push_back(value.get<bool>());
    } else if (value.is_number_integer() && (value == 0 || value == 1)) {
      values.push_back(value == 1);
    } else {
      return Status::Error(path + "." + key + "[" + std::to_string(values.size()) +
                           "] is not 0, 1 or a boolean: " + value.dump());
    }
  }
  return values;
}

}  // namespace

// Parses XGBoost's JSON and compiles its trees into TreeEvaluator's node array.
class TreeEvaluatorBuilder {
 public:
  static Result<TreeEvaluator> Build(std::string_view model_json);

 private:
  using Node = TreeEvaluator::Node;
  static Status CheckSupported(const FloatJson& learner);
  static Status AddTree(const FloatJson& tree, size_t index, TreeEvaluator& out);
};

Result<TreeEvaluator> TreeEvaluatorBuilder::Build(std::string_view model_json) {
  FloatJson doc;
  try {
    doc = FloatJson::parse(model_json);
  } catch (const FloatJson::parse_error& error) {
    return Status::Error(std::string("the model is not valid JSON: ") + error.what());
  }
  if (!doc.is_object()) {
    return Status::Error("the model is not a JSON object; expected XGBoost's JSON model format");
  }
  auto learner = Member(doc, "", "learner");
  if (!learner.ok()) return learner.status();
  LEADSCORE_RETURN_IF_ERROR(CheckSupported(*learner.value()));
  auto booster = Member(*learner.value(), "learner", "gradient_booster");
  if (!booster.ok()) return booster.status();

  TreeEvaluator evaluator;
  auto param = Member(*learner.value(), "learner", "learner_model_param");
  if (!param.ok()) return param.status();
  const std::string param_path = "learner.learner_model_param";
  auto num_feature = IntegerParam(*param.value(), param_path, "num_feature");
  if (!num_feature.ok()) return num_feature.status();
  if (num_feature.value() < 1 || num_feature.value() > kMaxFeatures) {
    return Status::Error(param_path + ".num_feature is " + std::to_string(num_feature.value()) +
                         "; the tree evaluator supports 1 to " + std::to_string(kMaxFeatures));
  }
  evaluator.num_features_ = static_cast<size_t>(num_feature.value());

  auto base_score = FloatParam(*param.value(), param_path, "base_score");
  if (!base_score.ok()) return base_score.status();
  const float p = base_score.value();
  if (!(p > 0.0f && p < 1.0f)) {
    return Status::Error(param_path + ".base_score is " + std::to_string(p) +
                         "; binary:logistic needs a probability strictly between 0 and 1");
  }
  // XGBoost 1.7's LogisticRegression::ProbToMargin, in float like XGBoost.
  evaluator.base_margin_ = -std::log(1.0f / p - 1.0f);

  const std::string model_path = "learner.gradient_booster.model";
  auto model = Member(*booster.value(), "learner.gradient_booster", "model");
  if (!model.ok()) return model.status();
  auto trees = ArrayMember(*model.value(), model_path, "trees");
  if (!trees.ok()) return trees.status();
  auto tree_info = IntegerArray(*model.value(), model_path, "tree_info");
  if (!tree_info.ok()) return tree_info.status();
  if (tree_info.value().size() != trees.value()->size()) {
    return Status::Error(model_path + ".tree_info has " + std::to_string(tree_info.value().size()) +
                         " entries for " + std::to_string(trees.value()->size()) + " trees");
  }
  for (size_t i = 0; i < tree_info.value().size(); ++i) {
    if (tree_info.value()[i] != 0) {
      return Status::Error(
          model_path + ".tree_info[" + std::to_string(i) + "] puts the tree in output group " +
          std::to_string(tree_info.value()[i]) + "; models with several outputs are not supported");
    }
  }
  for (size_t i = 0; i < trees.value()->size(); ++i) {
    LEADSCORE_RETURN_IF_ERROR(AddTree((*trees.value())[i], i, evaluator));
  }
  for (size_t first = 0; first + kTreesPerGroup <= evaluator.depths_.size();
       first += kTreesPerGroup) {
    evaluator.group_depths_.push_back(
        *std::max_element(evaluator.depths_.begin() + static_cast<ptrdiff_t>(first),
                          evaluator.depths_.begin() + static_cast<ptrdiff_t>(first) +
                              static_cast<ptrdiff_t>(kTreesPerGroup)));
  }
  return evaluator;
}

Status TreeEvaluatorBuilder::CheckSupported(const FloatJson& learner) {
  auto objective = Member(learner, "learner", "objective");
  if (!objective.ok()) return objective.status();
  auto objective_name = StringMember(*objective.value(), "learner.objective", "name");
  if (!objective_name.ok()) return objective_name.status();
  if (objective_name.value() != "binary:logistic") {
    return Status::Error("the model's objective is '" + objective_name.value() +
                         "'; the tree evaluator supports only binary:logistic (retrain with "
                         "objective=binary:logistic)");
  }
  auto booster = Member(learner, "learner", "gradient_booster");
  if (!booster.ok()) return booster.status();
  auto booster_name = StringMember(*booster.value(), "learner.gradient_booster", "name");
  if (!booster_name.ok()) return booster_name.status();
  if (booster_name.value() == "gblinear") {
    return Status::Error(
        "the model's booster is gblinear, a linear model; the tree evaluator supports only "
        "booster=gbtree");
  }
  if (booster_name.value() == "dart") {
    return Status::Error(
        "the model's booster is dart, whose trees are weighted by dropout; the tree evaluator "
        "supports only booster=gbtree");
  }
  if (booster_name.value() != "gbtree") {
    return Status::Error("the model's booster is '" + booster_name.value() +
                         "'; the tree evaluator supports only booster=gbtree");
  }
  auto param = Member(learner, "learner", "learner_model_param");
  if (!param.ok()) return param.status();
  auto num_class = IntegerParam(*param.value(), "learner.learner_model_param", "num_class");
  if (!num_class.ok()) return num_class.status();
  if (num_class.value() > 1) {
    return Status::Error("the model is multi-class (num_class " +
                         std::to_string(num_class.value()) +
                         "); the tree evaluator supports only binary:logistic");
  }
  if (param.value()->contains("num_target")) {
    auto num_target = IntegerParam(*param.value(), "learner.learner_model_param", "num_target");
    if (!num_target.ok()) return num_target.status();
    if (num_target.value() > 1) {
      return Status::Error("the model is multi-target (num_target " +
                           std::to_string(num_target.value()) +
                           "); the tree evaluator supports one target");
    }
  }
  return Status::Ok();
}

Status TreeEvaluatorBuilder::AddTree(const FloatJson& tree, size_t index, TreeEvaluator& out) {
  const std::string path = TreePath(index);
  auto left = IntegerArray(tree, path, "left_children");
  if (!left.ok()) return left.status();
  auto right = IntegerArray(tree, path, "right_children");
  if (!right.ok()) return right.status();
  auto feature = IntegerArray(tree, path, "split_indices");
  if (!feature.ok()) return feature.status();
  auto condition = FloatArray(tree, path, "split_conditions");
  if (!condition.ok()) return condition.status();
  auto default_left = FlagArray(tree, path, "default_left");
  if (!default_left.ok()) return default_left.status();

  const size_t n = left.value().size();
  if (n == 0) return Status::Error(path + " has no nodes");
  const std::pair<const char*, size_t> sizes[] = {
      {"right_children", right.value().size()},
      {"split_indices", feature.value().size()},
      {"split_conditions", condition.value().size()},
      {"default_left", default_left.value().size()},
  };
  for (const auto& [key, size] : sizes) {
    if (size != n) {
      return Status::Error(path + "." + key + " has " + std::to_string(size) +
                           " entries but left_children has " + std::to_string(n) +
                           "; every per-node array needs one entry per node");
    }
  }
  if (tree.contains("split_type")) {
    auto split_type = IntegerArray(tree, path, "split_type");
    if (!split_type.ok()) return split_type.status();
    for (size_t node = 0; node < split_type.value().size(); ++node) {
      if (split_type.value()[node] != 0) {
        return Status::Error(path + " node " + std::to_string(node) +
                             " is a categorical split; the tree evaluator supports only "
                             "numerical splits (train without enable_categorical)");
      }
    }
  }
  if (tree.contains("categories") && !tree["categories"].empty()) {
    return Status::Error(path +
                         " has categorical splits; the tree evaluator supports only numerical "
                         "splits (train without enable_categorical)");
  }
  if (tree.contains("tree_param")) {
    const FloatJson& param = tree["tree_param"];
    const std::string param_path = path + ".tree_param";
    if (param.contains("num_nodes")) {
      auto num_nodes = IntegerParam(param, param_path, "num_nodes");
      if (!num_nodes.ok()) return num_nodes.status();
      if (num_nodes.value() != static_cast<int64_t>(n)) {
        return Status::Error(param_path + ".num_nodes is " + std::to_string(num_nodes.value()) +
                             " but the tree's arrays have " + std::to_string(n) + " nodes");
      }
    }
    if (param.contains("size_leaf_vector")) {
      auto leaf_vector = IntegerParam(param, param_path, "size_leaf_vector");
      if (!leaf_vector.ok()) return leaf_vector.status();
      if (leaf_vector.value() > 1) {  // 0 (XGBoost 1.x) or 1: one value per leaf
        return Status::Error(path +
                             " has vector leaves; the tree evaluator supports one value "
                             "per leaf");
      }
    }
  }
  std::vector<Node>& nodes = out.nodes_;
  std::vector<uint8_t>& missing_right = out.missing_right_;
  if (n > kMaxNodes - nodes.size()) {
    return Status::Error(path + " brings the model over " + std::to_string(kMaxNodes) +
                         " nodes, more than the tree evaluator supports");
  }

  // Breadth-first from the root, each node compiled when first reached; a node reached again
  // means a cycle or a shared subtree, so a malformed tree is refused before it can loop.
  struct Pending {
    size_t source;    // index in the JSON arrays
    uint32_t target;  // index in nodes
    uint32_t depth;
  };
  std::vector<Pending> queue;
  std::vector<char> reached(n, 0);
  const auto root = static_cast<uint32_t>(nodes.size());
  nodes.push_back({});
  missing_right.push_back(0);
  queue.push_back({0, root, 0});
  reached[0] = 1;
  uint32_t depth = 0;
  const auto num_nodes = static_cast<int64_t>(n);
  for (size_t head = 0; head < queue.size(); ++head) {
    const Pending at = queue[head];
    const int64_t l = left.value()[at.source];
    const int64_t r = right.value()[at.source];
    const std::string where = path + " node " + std::to_string(at.source);
    if (l == -1) {
      if (r != -1) {
        return Status::Error(where + " has right child " + std::to_string(r) +
                             " but no left child; a leaf has -1 for both");
      }
      nodes[at.target] =
          Node{std::numeric_limits<float>::quiet_NaN(), 0, at.target, condition.value()[at.source]};
      missing_right[at.target] = 0;
      depth = std::max(depth, at.depth);
      continue;
    }
    if (l < 0 || l >= num_nodes || r < 0 || r >= num_nodes) {
      return Status::Error(where + " has children " + std::to_string(l) + " and " +
                           std::to_string(r) + ", out of range for a tree of " + std::to_string(n) +
                           " nodes");
    }
    if (r != l + 1) {
      return Status::Error(where + " has right child " + std::to_string(r) +
                           " not directly after its left child " + std::to_string(l) +
                           "; XGBoost writes them side by side and its predictor relies on it");
    }
    for (const int64_t child : {l, r}) {
      if (reached[static_cast<size_t>(child)] != 0) {
        return Status::Error(where + " leads to node " + std::to_string(child) +
                             ", which is reached a second time: the tree has a cycle or a "
                             "shared subtree");
      }
      reached[static_cast<size_t>(child)] = 1;
    }
    if (at.depth + 1 > static_cast<uint32_t>(kMaxTreeDepth)) {
      return Status::Error(path + " is deeper than " + std::to_string(kMaxTreeDepth) +
                           " levels, more than the tree evaluator supports");
    }
    const int64_t split_feature = feature.value()[at.source];
    if (split_feature < 0 || split_feature >= static_cast<int64_t>(out.num_features_)) {
      return Status::Error(where + " splits on feature " + std::to_string(split_feature) +
                           ", but the model has num_feature " + std::to_string(out.num_features_));
    }
    const auto child = static_cast<uint32_t>(nodes.size());
    nodes.resize(nodes.size() + 2);
    missing_right.resize(missing_right.size() + 2);
    nodes[at.target] =
        Node{condition.value()[at.source],
             static_cast<uint32_t>(split_feature) * TreeEvaluator::kBlockRows, child, 0.0f};
    missing_right[at.target] = default_left.value()[at.source] ? 0 : 1;
    queue.push_back({static_cast<size_t>(l), child, at.depth + 1});
    queue.push_back({static_cast<size_t>(r), child + 1, at.depth + 1});
  }
  out.roots_.push_back(root);
  out.depths_.push_back(depth);
  return Status::Ok();
}

Result<TreeEvaluator> TreeEvaluator::FromModelJson(std::string_view xgboost_model_json) {
  return TreeEvaluatorBuilder::Build(xgboost_model_json);
}

// One step down the tree from `index` for a row whose value for the node's feature is `value`:
// branch-free, so rows and trees can be walked in lockstep. For a present value,
// `value >= threshold` is XGBoost's !(value < split_condition); it is false for NaN (so a
// missing value goes left unless the node sends it right) and always false in a leaf.
template <bool kMayBeMissing>
inline uint32_t TreeEvaluator::Next(const Node& node, uint32_t index, float value,
                                    const uint8_t* missing_right) {
  auto right = static_cast<uint32_t>(value >= node.threshold);
  if constexpr (kMayBeMissing) {
    right |= static_cast<uint32_t>(std::isnan(value)) & missing_right[index];
  }
  return node.left + right;
}

template <bool kMayBeMissing>
float TreeEvaluator::MarginOfRow(const float* row) const {
  const Node* nodes = nodes_.data();
  const uint8_t* missing_right = missing_right_.data();
  const auto step = [&](uint32_t index) {
    const Node& node = nodes[index];
    return Next<kMayBeMissing>(node, index, row[node.column / kBlockRows], missing_right);
  };
  float margin = base_margin_;
  size_t tree = 0;
  for (const uint32_t group_depth : group_depths_) {
    uint32_t index[kTreesPerGroup];
    for (size_t k = 0; k < kTreesPerGroup; ++k) index[k] = roots_[tree + k];
    for (uint32_t s = 0; s < group_depth; ++s) {
      for (uint32_t& at : index) at = step(at);
    }
    // One add per tree, in tree order: float addition is not associative.
    for (const uint32_t at : index) margin += nodes[at].leaf_value;
    tree += kTreesPerGroup;
  }
  for (; tree < roots_.size(); ++tree) {
    uint32_t at = roots_[tree];
    for (uint32_t s = 0; s < depths_[tree]; ++s) at = step(at);
    margin += nodes[at].leaf_value;
  }
  return margin;
}

template <bool kMayBeMissing>
void TreeEvaluator::WalkBlock(const float* block, float* margin) const {
  const Node* nodes = nodes_.data();
  const uint8_t* missing_right = missing_right_.data();
  for (size_t tree = 0; tree < roots_.size(); ++tree) {
    uint32_t index[kBlockRows];
    std::fill(std::begin(index), std::end(index), roots_[tree]);
    for (uint32_t s = 0; s < depths_[tree]; ++s) {
      for (size_t r = 0; r < kBlockRows; ++r) {
        const Node& node = nodes[index[r]];
        index[r] = Next<kMayBeMissing>(node, index[r], block[node.column + r], missing_right);
      }
    }
    for (size_t r = 0; r < kBlockRows; ++r) margin[r] += nodes[index[r]].leaf_value;
  }
}

float TreeEvaluator::PredictMargin(std::span<const float> row) const {
  if (row.size() != num_features_) [[unlikely]] {
    PreconditionFailed("PredictMargin: row.size() != num_features()");
  }
  const bool missing = std::any_of(row.begin(), row.end(), [](float v) { return std::isnan(v); });
  return missing ? MarginOfRow<true>(row.data()) : MarginOfRow<false>(row.data());
}

double TreeEvaluator::PredictProbability(std::span<const float> row) const {
  return XgboostSigmoid(PredictMargin(row));
}

void TreeEvaluator::PredictRange(const float* matrix, size_t begin, size_t end, double* out) const {
  // Each block is copied column-major, so a step finds a row's value at node.column + r.
  std::vector<float> block(num_features_ * kBlockRows);
  size_t first = begin;
  for (; first + kBlockRows <= end; first += kBlockRows) {
    bool missing = false;
    for (size_t r = 0; r < kBlockRows; ++r) {
      const float* row = matrix + (first + r) * num_features_;
      for (size_t f = 0; f < num_features_; ++f) {
        block[f * kBlockRows + r] = row[f];
        missing |= std::isnan(row[f]);
      }
    }
    float margin[kBlockRows];
    std::fill(std::begin(margin), std::end(margin), base_margin_);
    if (missing) {
      WalkBlock<true>(block.data(), margin);
    } else {
      WalkBlock<false>(block.data(), margin);
    }
    for (size_t r = 0; r < kBlockRows; ++r) out[first + r] = XgboostSigmoid(margin[r]);
  }
  for (; first < end; ++first) {  // fewer rows than a block
    out[first] = PredictProbability({matrix + first * num_features_, num_features_});
  }
}

void TreeEvaluator::PredictProbabilities(std::span<const float> matrix, size_t rows,
                                         std::span<double> out, int threads) const {
  if (matrix.size() / num_features_ != rows || matrix.size() % num_features_ != 0) {
    PreconditionFailed("PredictProbabilities: matrix.size() != rows * num_features()");
  }
  if (out.size() != rows) PreconditionFailed("PredictProbabilities: out.size() != rows");
  const size_t workers = std::min(static_cast<size_t>(std::max(threads, 1)),
                                  std::max<size_t>(rows / kMinRowsPerThread, 1));
  const auto bound = [&](size_t worker) {
    return rows / workers * worker + std::min(worker, rows % workers);
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (size_t worker = 1; worker < workers; ++worker) {
    try {
      pool.emplace_back([this, &matrix, &out, begin = bound(worker), end = bound(worker + 1)] {
        PredictRange(matrix.data(), begin, end, out.data());
      });
    } catch (const std::system_error&) {
      // No thread to be had: this share is computed on the calling thread instead.
      PredictRange(matrix.data(), bound(worker), bound(worker + 1), out.data());
    }
  }
  PredictRange(matrix.data(), 0, bound(1), out.data());
  for (std::thread& thread : pool) thread.join();
}

}  // namespace leadscore
