#include "serve/openapi.h"

#include <nlohmann/json.hpp>

#include "api/score_request.h"

namespace leadscore::serve {
namespace {

using Json = nlohmann::ordered_json;

Json Ref(const std::string& schema) { return {{"$ref", "#/components/schemas/" + schema}}; }

Json JsonContent(const Json& schema) { return {{"application/json", {{"schema", schema}}}}; }

Json Reply(const std::string& description, const std::string& schema) {
  return {{"description", description}, {"content", JsonContent(Ref(schema))}};
}

// One lead, exactly as the request parser validates it (api/score_request.h).
Json LeadSchema(const FeatureSpec& spec) {
  Json properties = Json::object();
  Json required = Json::array();
  for (const Feature& feature : spec.features) {
    Json property = {{"description", feature.description}};
    switch (feature.type) {
      case FeatureType::kCount:
        property["type"] = "integer";
        property["minimum"] = 0;
        property["maximum"] = api::kMaxCount;
        if (!feature.at_most.empty()) {
          property["description"] =
              feature.description + " At most `" + feature.at_most + "` (else 422).";
        }
        break;
      case FeatureType::kFlag:
        property["type"] = "boolean";
        break;
      case FeatureType::kCategory:
        property["type"] = "string";
        property["maxLength"] = api::kMaxCategoryLength;
        property["examples"] = feature.values;
        property["description"] =
            feature.description + " Values outside the list score as `" + feature.unknown + "`.";
        break;
    }
    properties[feature.name] = property;
    required.push_back(feature.name);
  }
  return {{"type", "object"},
          {"description",
           "A lead's behaviour. Every field is required and strictly typed (no strings for "
           "numbers, no 0/1 for booleans). Fields not listed are ignored, as FastAPI does."},
          {"properties", properties},
          {"required", required},
          {"example",
           {{"sessions", 5},
            {"engaged_sessions", 3},
            {"page_views", 12},
            {"channel", "Paid Search"},
            {"is_first_visit", false}}}};
}

Json Schemas(const FeatureSpec& spec) {
  Json schemas;
  schemas["Lead"] = LeadSchema(spec);
  schemas["Reason"] = {
      {"type", "object"},
      {"description", "One feature's SHAP contribution to the score, in log-odds."},
      {"properties",
       {{"feature", {{"type", "string"}}},
        {"value", {{"description", "The lead's value of the feature, as sent."}}},
        {"direction", {{"type", "string"}, {"enum", {"raises", "lowers"}}}},
        {"contribution", {{"type", "number"}}}}},
      {"required", {"feature", "value", "direction", "contribution"}}};
  schemas["Score"] = {
      {"type", "object"},
      {"description",
       "The seed's response. `label` is \"high\" iff `score` > the model's threshold (0.8). "
       "With ?explain=true also `reasons` (every feature of the model, largest effect first), "
       "`bias` and `margin`: bias + the contributions = margin, the log-odds of the booster's "
       "raw probability, which the calibration maps to `score`."},
      {"properties",
       {{"score", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
        {"label", {{"type", "string"}, {"enum", {"high", "low"}}}},
        {"model_version", {{"type", "string"}}},
        {"reasons", {{"type", "array"}, {"items", Ref("Reason")}}},
        {"bias", {{"type", "number"}}},
        {"margin", {{"type", "number"}}}}},
      {"required", {"score", "label", "model_version"}}};
  schemas["BatchRequest"] = {
      {"type", "object"},
      {"properties",
       {{"leads", {{"type", "array"}, {"items", Ref("Lead")}, {"maxItems", api::kMaxBatchLeads}}}}},
      {"required", {"leads"}}};
  schemas["BatchResponse"] = {
      {"type", "object"},
      {"description", "One score per lead, in the order of the request."},
      {"properties", {{"scores", {{"type", "array"}, {"items", Ref("Score")}}}}},
      {"required", {"scores"}}};
  schemas["ValidationError"] = {
      {"type", "object"},
      {"properties",
       {{"loc",
         {{"type", "array"},
          {"items", {{"anyOf", Json::array({{{"type", "string"}}, {{"type", "integer"}}})}}}}},
        {"msg", {{"type", "string"}}},
        {"type", {{"type", "string"}}},
        {"input", Json::object()},
        {"ctx", {{"type", "object"}}}}},
      {"required", {"loc", "msg", "type"}}};
  schemas["HTTPValidationError"] = {
      {"type", "object"},
      {"description", "FastAPI's 422 body: every problem of the request."},
      {"properties", {{"detail", {{"type", "array"}, {"items", Ref("ValidationError")}}}}},
      {"required", {"detail"}}};
  schemas["Detail"] = {{"type", "object"},
                       {"properties", {{"detail", {{"type", "string"}}}}},
                       {"required", {"detail"}}};
  schemas["Health"] = {{"type", "object"},
                       {"properties", {{"status", {{"type", "string"}, {"const", "ok"}}}}},
                       {"required", {"status"}}};
  schemas["Ready"] = {{"type", "object"},
                      {"properties",
                       {{"status", {{"type", "string"}, {"const", "ready"}}},
                        {"model_version", {{"type", "string"}}}}},
                      {"required", {"status", "model_version"}}};
  schemas["Feature"] = {{"type", "object"},
                        {"properties",
                         {{"name", {{"type", "string"}}},
                          {"type", {{"type", "string"}}},
                          {"description", {{"type", "string"}}}}},
                        {"required", {"name", "type", "description"}}};
  schemas["ModelInfo"] = {
      {"type", "object"},
      {"properties",
       {{"model_version", {{"type", "string"}}},
        {"feature_set", {{"type", "string"}}},
        {"features", {{"type", "array"}, {"items", Ref("Feature")}}},
        {"threshold", {{"type", "number"}}},
        {"calibration", {{"type", "string"}, {"enum", {"none", "isotonic", "platt"}}}},
        {"metrics", {{"type", "object"}, {"additionalProperties", {{"type", "number"}}}}},
        {"params", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}},
        {"trained_at", {{"type", "string"}}},
        {"data_hash", {{"type", "string"}}}}},
      {"required",
       {"model_version", "feature_set", "features", "threshold", "calibration", "metrics", "params",
        "trained_at", "data_hash"}}};
  schemas["Reload"] = {{"type", "object"},
                       {"properties",
                        {{"status", {{"type", "string"}, {"const", "reloaded"}}},
                         {"model_version", {{"type", "string"}}},
                         {"previous_model_version", {{"type", Json::array({"string", "null"})}}}}},
                       {"required", {"status", "model_version", "previous_model_version"}}};
  return schemas;
}

// Responses every protected JSON POST can give besides its 200.
Json PostErrors(bool api_key_required, const std::string& body_limit) {
  Json responses;
  if (api_key_required) responses["401"] = Reply("Missing or wrong X-API-Key.", "Detail");
  responses["413"] = Reply("Body over " + body_limit + ".", "Detail");
  responses["415"] = Reply("Content-Type is not application/json.", "Detail");
  responses["422"] =
      Reply("Invalid request (FastAPI's shape); nothing is scored.", "HTTPValidationError");
  responses["503"] = Reply("No model loaded yet.", "Detail");
  return responses;
}

Json ExplainParameter() {
  return {{"name", "explain"},
          {"in", "query"},
          {"required", false},
          {"description", "Add the reason codes (SHAP contributions) to each score."},
          {"schema", {{"type", "boolean"}, {"default", false}}}};
}

}  // namespace

std::string BuildOpenApiDocument(const FeatureSpec& spec, const OpenApiOptions& options) {
  Json doc;
  doc["openapi"] = "3.1.0";
  doc["info"] = {
      {"title", "leadscore"},
      {"version", options.version},
      {"description",
       "Scores website visitors by the probability that they become a closed-won deal. "
       "Calibrated XGBoost model trained by leadscore; see GET /model for its version and "
       "test metrics."}};
  Json security = Json::array();
  if (options.api_key_required) security.push_back({{"ApiKey", Json::array()}});

  Json score_post = {{"summary", "Score one lead"},
                     {"operationId", "score"},
                     {"parameters", {ExplainParameter()}},
                     {"requestBody", {{"required", true}, {"content", JsonContent(Ref("Lead"))}}},
                     {"responses", PostErrors(options.api_key_required, "64 KiB")}};
  score_post["responses"]["200"] = Reply("The lead's score.", "Score");
  Json batch_post = {
      {"summary", "Score up to 10,000 leads"},
      {"operationId", "score_batch"},
      {"parameters", {ExplainParameter()}},
      {"requestBody", {{"required", true}, {"content", JsonContent(Ref("BatchRequest"))}}},
      {"responses", PostErrors(options.api_key_required, "8 MiB")}};
  batch_post["responses"]["200"] = Reply("Scores in request order.", "BatchResponse");
  Json reload_post = {
      {"summary", "Reload the champion model"},
      {"description",
       "Loads and validates the model source the server was started with (file or registry "
       "URI) off the request path and swaps it in atomically. In-flight requests finish on the "
       "old model; a model that fails to load leaves the old one serving (500)."},
      {"operationId", "admin_reload"},
      {"responses",
       {{"200", Reply("The new model serves.", "Reload")},
        {"500", Reply("The new model failed to load; the old one still serves.", "Detail")}}}};
  if (options.api_key_required) {
    for (Json* op : {&score_post, &batch_post, &reload_post}) (*op)["security"] = security;
    reload_post["responses"]["401"] = Reply("Missing or wrong X-API-Key.", "Detail");
  }

  doc["paths"] = {
      {"/score", {{"post", score_post}}},
      {"/score/batch", {{"post", batch_post}}},
      {"/health",
       {{"get",
         {{"summary", "Liveness"},
          {"operationId", "health"},
          {"responses", {{"200", Reply("The process is up.", "Health")}}}}}}},
      {"/ready",
       {{"get",
         {{"summary", "Readiness: a valid model is loaded"},
          {"operationId", "ready"},
          {"responses",
           {{"200", Reply("Ready to score.", "Ready")},
            {"503", Reply("No model loaded yet.", "Detail")}}}}}}},
      {"/model",
       {{"get",
         {{"summary", "The serving model"},
          {"operationId", "model"},
          {"responses",
           {{"200", Reply("Version, features, threshold, metrics.", "ModelInfo")},
            {"503", Reply("No model loaded yet.", "Detail")}}}}}}},
      {"/metrics",
       {{"get",
         {{"summary", "Prometheus metrics"},
          {"operationId", "metrics"},
          {"responses",
           {{"200",
             {{"description", "Prometheus text format 0.0.4."},
              {"content", {{"text/plain", {{"schema", {{"type", "string"}}}}}}}}}}}}}}},
      {"/admin/reload", {{"post", reload_post}}},
  };
  doc["components"]["schemas"] = Schemas(spec);
  if (options.api_key_required) {
    doc["components"]["securitySchemes"] = {
        {"ApiKey", {{"type", "apiKey"}, {"in", "header"}, {"name", "X-API-Key"}}}};
  }
  return doc.dump();
}

}  // namespace leadscore::serve
