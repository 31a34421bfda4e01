#include "api/feature_value_json.h"

#include <cstddef>
#include <cstdint>

namespace leadscore::api {

void WriteFeatureValue(JsonWriter& json, const Feature& feature, double value) {
  switch (feature.type) {
    case FeatureType::kCount:
      json.Int(static_cast<int64_t>(value));
      break;
    case FeatureType::kFlag:
      json.Bool(value != 0.0);
      break;
    case FeatureType::kCategory:
      json.String(feature.values[static_cast<size_t>(value)]);
      break;
  }
}

}  // namespace leadscore::api
