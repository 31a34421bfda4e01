// Feeds arbitrary bytes to the /score and /score/batch parsers, in lax and in strict mode, and
// checks what api/score_request.h promises: no crash, leak or undefined behaviour; ok() exactly
// when there are no errors; valid leads within the spec's limits; every error well formed, with
// a bounded JSON `input`; a syntax error reported alone; the 422 body valid JSON. It also checks
// that a body parsed as /score gives the same values and errors as item 0 of a batch, and that
// lax mode only adds to strict mode: what strict mode accepts, lax mode accepts as the same lead,
// and a syntax error is one in both.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/json_scanner.h"
#include "api/score_request.h"

namespace leadscore::api {
namespace {

void Require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

void CheckLead(const FeatureSpec& spec, const LeadValues& values) {
  Require(values.size() == spec.features.size(), "one value per feature");
  for (size_t i = 0; i < values.size(); ++i) {
    const Feature& feature = spec.features[i];
    const double value = values[i];
    Require(value == static_cast<double>(static_cast<int64_t>(value)), "values are integral");
    switch (feature.type) {
      case FeatureType::kCount:
        Require(value >= 0 && value <= static_cast<double>(kMaxCount), "count in range");
        if (!feature.at_most.empty()) {
          const Feature* bound = spec.Find(feature.at_most);
          Require(value <= values[static_cast<size_t>(bound - spec.features.data())],
                  "at_most holds");
        }
        break;
      case FeatureType::kFlag:
        Require(value == 0 || value == 1, "flag is 0 or 1");
        break;
      case FeatureType::kCategory:
        Require(value >= 0 && value < static_cast<double>(feature.values.size()),
                "category index in the vocabulary");
        break;
    }
  }
}

void CheckErrors(const ParseOutcome& outcome) {
  static const std::set<std::string> kTypes = {
      "json_invalid",     "missing",         "int_type",           "int_parsing",
      "int_parsing_size", "int_from_float",  "finite_number",      "bool_type",
      "bool_parsing",     "string_type",     "list_type",          "model_attributes_type",
      "value_error",      "less_than_equal", "greater_than_equal", "string_too_long",
      "too_long"};
  Require(outcome.ok() == outcome.errors.empty(), "ok() iff no errors");
  for (const FieldError& error : outcome.errors) {
    Require(kTypes.count(error.type) == 1, "a known pydantic type");
    Require(!error.msg.empty(), "a message");
    Require(!error.loc.empty() && std::get_if<std::string>(&error.loc[0]) != nullptr &&
                std::get<std::string>(error.loc[0]) == "body",
            "loc starts with body");
    Require(IsValidJson(error.input), "input is JSON");
    Require(error.input.size() <= kMaxInputEchoBytes, "input echo is bounded");
    Require(error.ctx.empty() || (IsValidJson(error.ctx) && error.ctx[0] == '{'),
            "ctx is a JSON object");
    if (error.type == "json_invalid") Require(outcome.errors.size() == 1, "syntax error alone");
  }
  if (!outcome.ok()) {
    // nlohmann as the reference parser: no depth cap, so deep echoes do not confuse it.
    const std::string body = ValidationErrorBody(outcome.errors);
    Require(nlohmann::json::accept(body), "the 422 body is valid JSON");
  }
}

bool IsSyntaxError(const ParseOutcome& outcome) {
  return outcome.errors.size() == 1 && outcome.errors[0].type == "json_invalid";
}

// The same lead as item 0 of a batch: same values, same errors under ["body","leads",0].
void CheckBatchAgrees(std::string_view body, const FeatureSpec& spec, InputMode mode,
                      const ParseOutcome& single, const LeadValues& values) {
  if (body.empty() || body.substr(0, 3) == "\xEF\xBB\xBF" || IsSyntaxError(single)) return;
  const std::string wrapped = R"({"leads":[)" + std::string(body) + "]}";
  std::vector<LeadValues> leads;
  const ParseOutcome batch = ParseBatchRequest(wrapped, spec, leads, mode);
  if (IsSyntaxError(batch)) {
    // Only the two extra levels of nesting can make valid JSON invalid.
    Require(batch.errors[0].ctx == R"({"error":"Maximum nesting depth exceeded"})",
            "wrapping valid JSON keeps it valid");
    return;
  }
  Require(batch.errors.size() == single.errors.size(), "same number of errors in a batch");
  for (size_t i = 0; i < single.errors.size(); ++i) {
    const FieldError& a = single.errors[i];
    const FieldError& b = batch.errors[i];
    std::vector<LocPart> loc = {std::string("body"), std::string("leads"), size_t{0}};
    loc.insert(loc.end(), a.loc.begin() + 1, a.loc.end());
    Require(
        b.loc == loc && b.type == a.type && b.msg == a.msg && b.input == a.input && b.ctx == a.ctx,
        "the same error in a batch");
  }
  if (single.ok()) Require(leads.size() == 1 && leads[0] == values, "the same values in a batch");
}

// One mode's checks; returns the /score outcome and values, and the batch outcome and leads.
struct ModeResult {
  ParseOutcome single;
  LeadValues values;
  ParseOutcome batch;
  std::vector<LeadValues> leads;
};

ModeResult CheckMode(std::string_view body, const FeatureSpec& spec, InputMode mode) {
  ModeResult result;
  result.single = ParseScoreRequest(body, spec, result.values, mode);
  CheckErrors(result.single);
  if (result.single.ok()) CheckLead(spec, result.values);
  CheckBatchAgrees(body, spec, mode, result.single, result.values);

  result.batch = ParseBatchRequest(body, spec, result.leads, mode);
  CheckErrors(result.batch);
  if (result.batch.ok()) {
    Require(result.leads.size() <= kMaxBatchLeads, "at most kMaxBatchLeads leads");
    for (const LeadValues& lead : result.leads) CheckLead(spec, lead);
  }
  return result;
}

}  // namespace
}  // namespace leadscore::api

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace leadscore;
  using namespace leadscore::api;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const FeatureSpec& spec = FeatureSpec::Builtin();

  const ModeResult lax = CheckMode(body, spec, InputMode::kLax);
  const ModeResult strict = CheckMode(body, spec, InputMode::kStrict);
  Require(IsSyntaxError(lax.single) == IsSyntaxError(strict.single), "the same JSON in both modes");
  if (strict.single.ok()) {
    Require(lax.single.ok() && lax.values == strict.values, "lax accepts what strict accepts");
  }
  if (strict.batch.ok()) {
    Require(lax.batch.ok() && lax.leads == strict.leads, "lax accepts the batches strict accepts");
  }
  return 0;
}
