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

// One lead, exactly as the request parser validates it (api/score_request.h). The types are
// what FastAPI publishes for the seed's model in either mode ("integer" also where a lax count
// takes "5"); the description says how they coerce.
Json LeadSchema(const FeatureSpec& spec, bool strict_input) {
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
    if (feature.default_value.has_value()) {
      // Optional, like a pydantic field with a default: the seed's requests omit it.
      property["default"] = static_cast<int64_t>(*feature.default_value);
      property["description"] = property["description"].get<std::string>() +
                                " Optional: missing means " +
                                std::to_string(static_cast<int64_t>(*feature.default_value)) + ".";
    } else {
      required.push_back(feature.name);
    }
    properties[feature.name] = property;
  }
  const char* description =
      strict_input
          ? "A lead's behaviour. Every field without a default is required; all are strictly typed "
            "(pydantic's strict "
            "mode: no strings or floats for integers, no 0/1 for booleans). Fields not listed "
            "are ignored, as FastAPI does."
          : "A lead's behaviour. Every field without a default is required. Values coerce as in "
            "the seed's FastAPI "
            "service (pydantic's lax mode): an integer also as a whole float (5.0) or a string "
            "(\"5\", \" 5 \", \"5_000\"), a boolean also as 0/1 or a string such as \"true\", "
            "\"0\" or \"no\" (docs/serving.md lists every form). Fields not listed are "
            "ignored, as FastAPI does.";
  return {{"type", "object"},
          {"description", description},
          {"properties", properties},
          {"required", required},
          {"example",
           {{"sessions", 5},
            {"engaged_sessions", 3},
            {"page_views", 12},
            {"channel", "Paid Search"},
            {"is_first_visit", false}}}};
}

Json Schemas(const FeatureSpec& spec, bool strict_input) {
  Json schemas;
  schemas["Lead"] = LeadSchema(spec, strict_input);
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
       "With ?explain=true also `grade` (A-D by the model's cut points; null for a model "
       "trained before grades), `alert` (true for grade A or a score above the server's alert "
       "threshold, LEADSCORE_ALERT_THRESHOLD, default the model's threshold), `reasons` (every "
       "feature of the model, largest effect first), `bias` and `margin`: bias + the "
       "contributions = margin, the log-odds of the booster's raw probability, which the "
       "calibration maps to `score`."},
      {"properties",
       {{"score", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
        {"label", {{"type", "string"}, {"enum", {"high", "low"}}}},
        {"model_version", {{"type", "string"}}},
        {"grade",
         {{"type", Json::array({"string", "null"})},
          {"enum", Json::array({"A", "B", "C", "D", nullptr})}}},
        {"alert", {{"type", "boolean"}}},
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
        {"data_hash", {{"type", "string"}}},
        {"reliability", {{"type", "array"}, {"items", Ref("ReliabilityBin")}}},
        {"drift_reference",
         {{"type", Json::array({"object", "null"})},
          {"description",
           "The training distributions drift is measured against: per spec feature and for "
           "\"score\", the bins' labels and their shares of the reference rows. Null for "
           "models trained before leadscore stored it."},
          {"additionalProperties",
           {{"type", "object"},
            {"properties",
             {{"labels", {{"type", "array"}, {"items", {{"type", "string"}}}}},
              {"shares", {{"type", "array"}, {"items", {{"type", "number"}}}}}}},
            {"required", {"labels", "shares"}}}}}},
        {"grades",
         {{"type", Json::array({"array", "null"})},
          {"description",
           "What each grade means: A-D in order, each with its lowest score (a score >= A's "
           "min_score is A, else >= B's is B, and so on; D's is 0) and the share of training "
           "leads it was cut to hold. Null for models trained before grades."},
          {"items", Ref("GradeCut")}}},
        {"alert", Ref("AlertRule")}}},
      {"required",
       {"model_version", "feature_set", "features", "threshold", "calibration", "metrics", "params",
        "trained_at", "data_hash", "reliability", "drift_reference", "grades", "alert"}}};
  schemas["GradeCut"] = {{"type", "object"},
                         {"properties",
                          {{"grade", {{"type", "string"}, {"enum", {"A", "B", "C", "D"}}}},
                           {"min_score", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
                           {"target_share", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}}}},
                         {"required", {"grade", "min_score", "target_share"}}};
  schemas["AlertRule"] = {
      {"type", "object"},
      {"description",
       "Who the server's `alert` flags (explained responses, leadscore score, the n8n "
       "workflows): grade A, or a score above `threshold`."},
      {"properties",
       {{"threshold", {{"type", "number"}}},
        {"threshold_source",
         {{"type", "string"},
          {"enum", {"configured", "model"}},
          {"description",
           "configured: LEADSCORE_ALERT_THRESHOLD / --alert-threshold; model: the model's own "
           "threshold (the one behind `label`)."}}},
        {"rule",
         {{"type", "string"}, {"enum", {"grade A, or score > threshold", "score > threshold"}}}}}},
      {"required", {"threshold", "threshold_source", "rule"}}};
  schemas["DriftBin"] = {
      {"type", "object"},
      {"properties",
       {{"label", {{"type", "string"}}},
        {"reference", {{"type", "number"}, {"description", "Share of the reference rows."}}},
        {"live", {{"type", "number"}, {"description", "Share of the leads in the window."}}},
        {"live_count", {{"type", "integer"}, {"minimum", 0}}}}},
      {"required", {"label", "reference", "live", "live_count"}}};
  schemas["DriftShift"] = {
      {"type", "object"},
      {"properties",
       {{"label", {{"type", "string"}}},
        {"reference", {{"type", "number"}}},
        {"live", {{"type", "number"}}},
        {"psi_term", {{"type", "number"}, {"description", "The bin's part of the PSI."}}}}},
      {"required", {"label", "reference", "live", "psi_term"}}};
  schemas["DriftHistogram"] = {
      {"type", "object"},
      {"properties",
       {{"name", {{"type", "string"}}},
        {"kind", {{"type", "string"}, {"enum", {"count", "flag", "category", "score"}}}},
        {"psi",
         {{"type", Json::array({"number", "null"})},
          {"description", "Population stability index; null when nothing was scored."}}},
        {"status", {{"type", "string"}, {"enum", {"ok", "watch", "alert", "no data"}}}},
        {"bins", {{"type", "array"}, {"items", Ref("DriftBin")}}},
        {"top_shifts",
         {{"type", "array"},
          {"items", Ref("DriftShift")},
          {"description", "Up to three bins with the largest PSI terms, largest first."}}}}},
      {"required", {"name", "kind", "psi", "status", "bins", "top_shifts"}}};
  schemas["ModelDrift"] = {
      {"type", "object"},
      {"properties",
       {{"model_version", {{"type", "string"}}},
        {"window_seconds", {{"type", "integer"}, {"minimum", 1}}},
        {"leads",
         {{"type", "integer"}, {"minimum", 0}, {"description", "Leads scored in the window."}}},
        {"thresholds",
         {{"type", "object"},
          {"properties", {{"watch", {{"type", "number"}}}, {"alert", {{"type", "number"}}}}},
          {"required", {"watch", "alert"}}}},
        {"features", {{"type", "array"}, {"items", Ref("DriftHistogram")}}},
        {"score", Ref("DriftHistogram")}}},
      {"required",
       {"model_version", "window_seconds", "leads", "thresholds", "features", "score"}}};
  schemas["ReliabilityBin"] = {
      {"type", "object"},
      {"description",
       "Test leads whose served score is in [lower, upper) (1 falls in the last bin): their "
       "mean score against the share won. Empty for models trained before leadscore stored "
       "it."},
      {"properties",
       {{"lower", {{"type", "number"}}},
        {"upper", {{"type", "number"}}},
        {"count", {{"type", "integer"}, {"minimum", 0}}},
        {"mean_predicted", {{"type", "number"}}},
        {"observed_rate", {{"type", "number"}}}}},
      {"required", {"lower", "upper", "count", "mean_predicted", "observed_rate"}}};
  const Json nullable_string = {{"type", Json::array({"string", "null"})}};
  schemas["DashboardData"] = {
      {"type", "object"},
      {"description",
       "What /dashboard shows besides the live figures: the serving model (version, test "
       "metrics, training time, reliability) and the warehouse figures exported from the "
       "dashboard marts by scripts/build_dashboard (docs/dashboards.md has their fields). "
       "Either is null with a *_problem saying why and what to run."},
      {"properties",
       {{"model",
         {{"type", Json::array({"object", "null"})},
          {"properties",
           {{"model_version", {{"type", "string"}}},
            {"feature_set", {{"type", "string"}}},
            {"threshold", {{"type", "number"}}},
            {"trained_at", {{"type", "string"}}},
            {"metrics", {{"type", "object"}}},
            {"reliability", {{"type", "array"}, {"items", Ref("ReliabilityBin")}}}}},
          {"required",
           {"model_version", "feature_set", "threshold", "trained_at", "metrics", "reliability"}}}},
        {"model_problem", nullable_string},
        {"warehouse",
         {{"type", Json::array({"object", "null"})},
          {"properties",
           {{"format", {{"type", "string"}, {"const", "leadscore-dashboard/1"}}},
            {"totals", {{"type", "object"}}},
            {"channel_attribution", {{"type", "array"}, {"items", {{"type", "object"}}}}},
            {"funnel", {{"type", "array"}, {"items", {{"type", "object"}}}}},
            {"score_distribution", {{"type", "array"}, {"items", {{"type", "object"}}}}},
            // "Grades and movers" (exports since the grade marts; optional for older ones).
            {"grade_counts", {{"type", "array"}, {"items", {{"type", "object"}}}}},
            {"grade_conversion", {{"type", "array"}, {"items", {{"type", "object"}}}}},
            {"top_movers", {{"type", "array"}, {"items", {{"type", "object"}}}}},
            {"score_history", {{"type", "array"}, {"items", {{"type", "object"}}}}}}},
          {"description",
           "data/dashboard.json as scripts/build_dashboard wrote it; every section's rows and "
           "the optional ones (realized accuracy, grades and movers) are in docs/dashboards.md."},
          {"required",
           {"format", "totals", "channel_attribution", "funnel", "score_distribution"}}}},
        {"warehouse_problem", nullable_string}}},
      {"required", {"model", "model_problem", "warehouse", "warehouse_problem"}}};
  const Json count = {{"type", "integer"}, {"minimum", 0}};
  schemas["DashboardLive"] = {
      {"type", "object"},
      {"description",
       "Serving counters since the server started (summed over its workers), polled by "
       "/dashboard: requests per second and the recent p99 come from two polls' difference."},
      {"properties",
       {{"uptime_seconds", {{"type", "number"}, {"minimum", 0}}},
        {"model_version", nullable_string},
        {"requests_total", count},
        {"score_requests_total", count},
        {"scored_total", count},
        {"high_total", count},
        {"latency_bounds_seconds", {{"type", "array"}, {"items", {{"type", "number"}}}}},
        {"score_latency_counts",
         {{"type", "array"},
          {"items", count},
          {"description",
           "Requests on /score and /score/batch per latency bucket (not cumulative); the "
           "last one is above the last bound."}}},
        {"score_p99_seconds",
         {{"type", Json::array({"number", "null"})},
          {"description", "Since start, from the histogram; null before any scoring."}}}}},
      {"required",
       {"uptime_seconds", "model_version", "requests_total", "score_requests_total", "scored_total",
        "high_total", "latency_bounds_seconds", "score_latency_counts", "score_p99_seconds"}}};
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
          {"description",
           "Add the grade, the alert verdict and the reason codes (SHAP contributions) to each "
           "score."},
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
    for (Json* op : {&score_post, &batch_post}) (*op)["security"] = security;
  }
  if (options.admin_key_required) {
    reload_post["security"] = Json::array({{{"AdminKey", Json::array()}}});
    reload_post["responses"]["401"] = Reply("Missing or wrong X-Admin-Key.", "Detail");
  } else if (options.admin_closed) {
    reload_post["responses"]["403"] =
        Reply("Closed: the server listens beyond loopback without LEADSCORE_ADMIN_KEY.", "Detail");
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
           {{"200", Reply("Version, features, threshold, metrics, grade cut points, alert rule.",
                          "ModelInfo")},
            {"503", Reply("No model loaded yet.", "Detail")}}}}}}},
      {"/model/drift",
       {{"get",
         {{"summary", "Drift of the scored leads against the model's training data"},
          {"description",
           "Per spec feature and for the score: the PSI of what this replica scored in its "
           "sliding window (--drift-window) against the training reference stored in the "
           "model, its status (ok up to 0.1, watch up to 0.2, alert above), reference and live "
           "shares per bin, and the most shifted bins."},
          {"operationId", "modelDrift"},
          {"responses",
           {{"200", Reply("The window's drift.", "ModelDrift")},
            {"409", Reply("The model has no drift reference: retrain it.", "Detail")},
            {"503", Reply("No model loaded yet, or drift monitoring is off.", "Detail")}}}}}}},
      {"/metrics",
       {{"get",
         {{"summary", "Prometheus metrics"},
          {"operationId", "metrics"},
          {"responses",
           {{"200",
             {{"description", "Prometheus text format 0.0.4."},
              {"content", {{"text/plain", {{"schema", {{"type", "string"}}}}}}}}}}}}}}},
      {"/admin/reload", {{"post", reload_post}}},
      {"/dashboard",
       {{"get",
         {{"summary", "The dashboard page (HTML; its assets under /dashboard/)"},
          {"operationId", "dashboard"},
          {"responses",
           {{"200",
             {{"description", "The page."},
              {"content", {{"text/html", {{"schema", {{"type", "string"}}}}}}}}},
            {"503", Reply("The page's files are not installed.", "Detail")}}}}}}},
      {"/dashboard/data",
       {{"get",
         {{"summary", "The dashboard's model and warehouse figures"},
          {"operationId", "dashboardData"},
          {"responses",
           {{"200", Reply("Model and warehouse figures (null with a reason when missing).",
                          "DashboardData")}}}}}}},
      {"/dashboard/live",
       {{"get",
         {{"summary", "The dashboard's live serving figures"},
          {"operationId", "dashboardLive"},
          {"responses",
           {{"200", Reply("Counters and the scoring latency histogram.", "DashboardLive")}}}}}}},
  };
  doc["components"]["schemas"] = Schemas(spec, options.strict_input);
  if (options.api_key_required) {
    doc["components"]["securitySchemes"]["ApiKey"] = {
        {"type", "apiKey"}, {"in", "header"}, {"name", "X-API-Key"}};
  }
  if (options.admin_key_required) {
    doc["components"]["securitySchemes"]["AdminKey"] = {
        {"type", "apiKey"}, {"in", "header"}, {"name", "X-Admin-Key"}};
  }
  return doc.dump();
}

}  // namespace leadscore::serve
