#include "model/feature_encoder.h"

#include <algorithm>

namespace leadscore {

Result<FeatureEncoder> FeatureEncoder::ForSet(const FeatureSpec& spec, std::string_view set_name) {
  auto set = spec.FeatureSet(set_name);
  if (!set.ok()) return set.status();
  FeatureEncoder encoder;
  encoder.spec_ = &spec;
  encoder.set_name_ = set_name;
  for (const Feature* feature : set.value()) {
    const auto index = static_cast<size_t>(feature - spec.features.data());
    encoder.features_.push_back(index);
    encoder.first_column_.push_back(encoder.column_names_.size());
    if (feature->type == FeatureType::kCategory) {
      for (const auto& value : feature->values) {
        encoder.column_names_.push_back(feature->name + "=" + value);
        encoder.column_feature_.push_back(index);
      }
    } else {
      encoder.column_names_.push_back(feature->name);
      encoder.column_feature_.push_back(index);
    }
  }
  return encoder;
}

void FeatureEncoder::Encode(const LeadValues& values, std::span<float> out) const {
  std::fill(out.begin(), out.end(), 0.0f);
  for (size_t i = 0; i < features_.size(); ++i) {
    const Feature& feature = spec_->features[features_[i]];
    const double value = values[features_[i]];
    if (feature.type == FeatureType::kCategory) {
      // An index outside the vocabulary is a caller bug; treat it as the unknown value
      // rather than write past the row.
      const auto category = static_cast<size_t>(value) < feature.values.size()
                                ? static_cast<size_t>(value)
                                : CategoryIndex(feature, feature.unknown);
      out[first_column_[i] + category] = 1.0f;
    } else {
      out[first_column_[i]] = static_cast<float>(value);
    }
  }
}

void FeatureEncoder::EncodeTableRow(const FeatureTable& table, size_t row,
                                    std::span<float> out) const {
  std::fill(out.begin(), out.end(), 0.0f);
  for (size_t i = 0; i < features_.size(); ++i) {
    const FeatureColumn& column = table.columns[features_[i]];
    if (column.feature->type == FeatureType::kCategory) {
      out[first_column_[i] + column.categories[row]] = 1.0f;
    } else {
      out[first_column_[i]] = static_cast<float>(column.numbers[row]);
    }
  }
}

std::vector<float> FeatureEncoder::EncodeTableRows(const FeatureTable& table,
                                                   std::span<const size_t> rows) const {
  std::vector<float> matrix(rows.size() * width());
  for (size_t i = 0; i < rows.size(); ++i) {
    EncodeTableRow(table, rows[i], std::span<float>(matrix).subspan(i * width(), width()));
  }
  return matrix;
}

}  // namespace leadscore
