#include "api/score_response.h"

namespace leadscore::api {

void WriteScoreResponse(JsonWriter& writer, double score, std::string_view label,
                        std::string_view model_version) {
  writer.BeginObject();
  writer.Key("score");
  writer.Double(score);
  writer.Key("label");
  writer.String(label);
  writer.Key("model_version");
  writer.String(model_version);
  writer.EndObject();
}

}  // namespace leadscore::api
