// Google Benchmark of the scoring API's request and response handling (src/api), with
// nlohmann::json parsing the same bodies as the reference measured in the same run.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/json_writer.h"
#include "api/score_request.h"
#include "api/score_response.h"

namespace leadscore::api {
namespace {

constexpr std::string_view kExample =
    R"({"sessions": 5, "engaged_sessions": 3, "page_views": 12, "channel": "Paid Search", )"
    R"("is_first_visit": false})";
// What a HubSpot-fed client sends (its API returns every property as a string): lax mode's
// coercions on every field.
constexpr std::string_view kStrings =
    R"({"sessions": "5", "engaged_sessions": "3", "page_views": "12", "channel": "Paid Search", )"
    R"("is_first_visit": "false"})";
// Five errors in strict mode.
constexpr std::string_view kInvalid =
    R"({"sessions": "5", "engaged_sessions": 5.0, "page_views": null, "channel": 3, )"
    R"("is_first_visit": 1})";

std::string Batch(size_t leads) {
  std::string body = R"({"leads": [)";
  for (size_t i = 0; i < leads; ++i) body += (i > 0 ? ", " : "") + std::string(kExample);
  return body + "]}";
}

void BM_ParseScoreRequest(benchmark::State& state) {
  const FeatureSpec& spec = FeatureSpec::Builtin();
  LeadValues values;
  for (auto _ : state) {
    ParseOutcome outcome = ParseScoreRequest(kExample, spec, values);
    benchmark::DoNotOptimize(outcome);
    benchmark::DoNotOptimize(values.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kExample.size()));
}
BENCHMARK(BM_ParseScoreRequest);

void BM_ParseScoreRequestOfStrings(benchmark::State& state) {
  const FeatureSpec& spec = FeatureSpec::Builtin();
  LeadValues values;
  for (auto _ : state) {
    ParseOutcome outcome = ParseScoreRequest(kStrings, spec, values);
    benchmark::DoNotOptimize(outcome);
    benchmark::DoNotOptimize(values.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kStrings.size()));
}
BENCHMARK(BM_ParseScoreRequestOfStrings);

// The reference: a general DOM parse of the same body, no validation at all.
void BM_NlohmannParseReference(benchmark::State& state) {
  for (auto _ : state) {
    nlohmann::json doc = nlohmann::json::parse(kExample, nullptr, false);
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kExample.size()));
}
BENCHMARK(BM_NlohmannParseReference);

// The error path: five errors (strict mode) and their 422 body.
void BM_ParseInvalidRequestAndWrite422(benchmark::State& state) {
  const FeatureSpec& spec = FeatureSpec::Builtin();
  LeadValues values;
  for (auto _ : state) {
    ParseOutcome outcome = ParseScoreRequest(kInvalid, spec, values, InputMode::kStrict);
    std::string body = ValidationErrorBody(outcome.errors);
    benchmark::DoNotOptimize(body);
  }
}
BENCHMARK(BM_ParseInvalidRequestAndWrite422);

void BM_WriteScoreResponse(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    JsonWriter writer(out);
    WriteScoreResponse(writer, 0.8412345678901234, "high", "3");
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_WriteScoreResponse);

void BM_ParseBatchRequest(benchmark::State& state) {
  const FeatureSpec& spec = FeatureSpec::Builtin();
  const std::string body = Batch(static_cast<size_t>(state.range(0)));
  std::vector<LeadValues> leads;
  for (auto _ : state) {
    ParseOutcome outcome = ParseBatchRequest(body, spec, leads);
    benchmark::DoNotOptimize(outcome);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_ParseBatchRequest)->Arg(100)->Arg(10'000);

void BM_NlohmannParseBatchReference(benchmark::State& state) {
  const std::string body = Batch(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
    benchmark::DoNotOptimize(doc);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_NlohmannParseBatchReference)->Arg(10'000);

}  // namespace
}  // namespace leadscore::api

BENCHMARK_MAIN();
