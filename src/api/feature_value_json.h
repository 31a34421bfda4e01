// A lead's feature value as JSON, in the request's own terms: counts as integers, flags as
// booleans, categories as their spec value. Shared by the explained /score response and the
// score log, so a recorded lead reads exactly like the one the client sent.
#pragma once

#include "api/json_writer.h"
#include "features/feature_spec.h"

namespace leadscore::api {

// `value` as FeatureEncoder holds it (a category as its index into feature.values; a channel
// outside the vocabulary was mapped to the spec's unknown value before scoring).
void WriteFeatureValue(JsonWriter& json, const Feature& feature, double value);

}  // namespace leadscore::api
