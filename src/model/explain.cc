#include "model/explain.h"

#include <algorithm>
#include <cmath>

namespace leadscore {

Result<std::vector<Explanation>> Explain(const LeadModel& model, std::span<const float> matrix,
                                         size_t rows) {
  auto contributions = model.Contributions(matrix, rows);
  if (!contributions.ok()) return contributions.status();
  const FeatureEncoder& encoder = model.encoder();
  const size_t width = encoder.width() + 1;  // + bias
  const std::vector<float>& values = contributions.value();
  if (values.size() != rows * width) {
    return Status::Error("XGBoost returned " + std::to_string(values.size()) +
                         " contributions, expected " + std::to_string(rows * width));
  }

  std::vector<Explanation> out(rows);
  for (size_t row = 0; row < rows; ++row) {
    const float* row_values = values.data() + row * width;
    Explanation& explanation = out[row];
    explanation.bias = row_values[width - 1];
    explanation.margin = explanation.bias;
    for (size_t feature : encoder.features()) {
      double sum = 0.0;
      for (size_t column = 0; column < encoder.width(); ++column) {
        if (encoder.column_feature()[column] == feature) sum += row_values[column];
      }
      explanation.reasons.push_back({model.spec().features[feature].name, sum});
      explanation.margin += sum;
    }
    std::stable_sort(explanation.reasons.begin(), explanation.reasons.end(),
                     [](const Reason& a, const Reason& b) {
                       return std::fabs(a.contribution) > std::fabs(b.contribution);
                     });
  }
  return out;
}

}  // namespace leadscore
