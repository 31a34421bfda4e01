// Turns lead features into the model's numeric columns, following the feature spec: counts
// and flags are one column each; a category is one-hot over its vocabulary (unknown values
// map to the spec's `unknown`). The same encoder serves training and scoring, so the two
// cannot drift apart. Immutable; safe to share between threads.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "features/feature_spec.h"
#include "features/feature_table.h"

namespace leadscore {

// One lead's feature values, indexed like FeatureSpec::features: the number for counts and
// flags, the vocabulary index for categories.
using LeadValues = std::vector<double>;

class FeatureEncoder {
 public:
  // `spec` must outlive the encoder. Fails on an unknown feature set.
  static Result<FeatureEncoder> ForSet(const FeatureSpec& spec, std::string_view set_name);

  const std::string& set_name() const { return set_name_; }
  // Column names as the booster knows them: "sessions", ..., "channel=Paid Search".
  const std::vector<std::string>& column_names() const { return column_names_; }
  size_t width() const { return column_names_.size(); }
  // For each column, the index of the spec feature it encodes (reason codes group by it).
  const std::vector<size_t>& column_feature() const { return column_feature_; }
  // The spec indices of the features this set uses, in set order.
  const std::vector<size_t>& features() const { return features_; }

  // Writes width() floats for one lead to `out`.
  void Encode(const LeadValues& values, std::span<float> out) const;
  void EncodeTableRow(const FeatureTable& table, size_t row, std::span<float> out) const;
  // Row-major matrix of the given table rows.
  std::vector<float> EncodeTableRows(const FeatureTable& table, std::span<const size_t> rows) const;

 private:
  const FeatureSpec* spec_ = nullptr;
  std::string set_name_;
  std::vector<size_t> features_;
  std::vector<size_t> first_column_;  // per entry of features_
  std::vector<std::string> column_names_;
  std::vector<size_t> column_feature_;
};

}  // namespace leadscore
