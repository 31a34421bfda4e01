// The POST /score response body, {"score":0.84,"label":"high","model_version":"3"}, exactly
// as the FastAPI service printed it (the score as Python's float repr).
#pragma once

#include <string_view>

#include "api/json_writer.h"

namespace leadscore::api {

// Writes one score object to `writer` (alone for /score, or as a list item for a batch).
// The caller picks `label` (DESIGN.md: "high" iff score > 0.8); a non-finite score writes
// null, so never pass one (nothing invalid is ever scored).
void WriteScoreResponse(JsonWriter& writer, double score, std::string_view label,
                        std::string_view model_version);

}  // namespace leadscore::api
