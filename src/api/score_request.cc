#include "api/score_request.h"

#include <algorithm>
#include <array>

#include "api/json_echo.h"
#include "api/json_scanner.h"
#include "api/lax_coercion.h"

namespace leadscore::api {
namespace {

// The batch body's one field (the API contract, not a feature).
constexpr std::string_view kLeadsField = "leads";

// pydantic v2's error types and messages (pydantic_core), verified against pydantic 2.14.
constexpr std::string_view kMissingMsg = "Field required";
constexpr std::string_view kIntTypeMsg = "Input should be a valid integer";
constexpr std::string_view kIntParsingMsg =
    "Input should be a valid integer, unable to parse string as an integer";
constexpr std::string_view kIntParsingSizeMsg =
    "Unable to parse input string as an integer, exceeded maximum size";
constexpr std::string_view kIntFromFloatMsg =
    "Input should be a valid integer, got a number with a fractional part";
constexpr std::string_view kFiniteNumberMsg = "Input should be a finite number";
constexpr std::string_view kBoolTypeMsg = "Input should be a valid boolean";
constexpr std::string_view kBoolParsingMsg =
    "Input should be a valid boolean, unable to interpret input";
constexpr std::string_view kStringTypeMsg = "Input should be a valid string";
constexpr std::string_view kListTypeMsg = "Input should be a valid list";
constexpr std::string_view kModelAttributesTypeMsg =
    "Input should be a valid dictionary or object to extract fields from";

// What is wrong with one field of a lead; kMissing until the field is seen.
enum class Problem : uint8_t {
  kMissing,
  kValid,
  kIntType,
  kIntParsing,
  kIntParsingSize,
  kIntFromFloat,
  kFiniteNumber,
  kBoolType,
  kBoolParsing,
  kStringType,
  kNegative,
  kTooLarge,
  kTooLong,
};

// A value's type error as pydantic reports it (none has a ctx).
struct TypeError {
  std::string_view type;
  std::string_view msg;
};

TypeError TypeErrorOf(Problem problem) {
  switch (problem) {
    case Problem::kIntType:
      return {"int_type", kIntTypeMsg};
    case Problem::kIntParsing:
      return {"int_parsing", kIntParsingMsg};
    case Problem::kIntParsingSize:
      return {"int_parsing_size", kIntParsingSizeMsg};
    case Problem::kIntFromFloat:
      return {"int_from_float", kIntFromFloatMsg};
    case Problem::kFiniteNumber:
      return {"finite_number", kFiniteNumberMsg};
    case Problem::kBoolType:
      return {"bool_type", kBoolTypeMsg};
    case Problem::kBoolParsing:
      return {"bool_parsing", kBoolParsingMsg};
    case Problem::kStringType:
    case Problem::kMissing:  // not type errors: never asked
    case Problem::kValid:
    case Problem::kNegative:
    case Problem::kTooLarge:
    case Problem::kTooLong:
      break;
  }
  return {"string_type", kStringTypeMsg};
}

// The error of a lax coercion that failed.
Problem ProblemOf(Coercion coercion) {
  switch (coercion) {
    case Coercion::kIntParsing:
      return Problem::kIntParsing;
    case Coercion::kIntParsingSize:
      return Problem::kIntParsingSize;
    case Coercion::kIntFromFloat:
      return Problem::kIntFromFloat;
    case Coercion::kFiniteNumber:
      return Problem::kFiniteNumber;
    case Coercion::kBoolParsing:
      return Problem::kBoolParsing;
    case Coercion::kBoolType:
      return Problem::kBoolType;
    case Coercion::kValue:
      break;
  }
  return Problem::kValid;
}

// A field's state and where its (last) value lies in the body, for the error's echo.
struct Slot {
  Problem problem = Problem::kMissing;
  size_t begin = 0;
  size_t end = 0;
};

// One Slot per spec feature, on the stack for specs of up to 16 features so a valid request
// allocates nothing.
class SlotTable {
 public:
  explicit SlotTable(size_t count) : count_(count) {
    if (count_ > kInline) heap_.resize(count_);
  }
  Slot* data() { return count_ > kInline ? heap_.data() : inline_.data(); }
  void Reset() { std::fill_n(data(), count_, Slot{}); }

 private:
  static constexpr size_t kInline = 16;
  size_t count_;
  std::array<Slot, kInline> inline_{};
  std::vector<Slot> heap_;
};

// Where a lead sits: the body itself (/score) or item `index` of the batch's list.
struct LeadLocation {
  bool in_batch = false;
  size_t index = 0;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The body as Python's json reads it: json.loads(bytes) decodes with utf-8-sig, dropping a BOM.
std::string_view WithoutBom(std::string_view body) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  return body.substr(0, kBom.size()) == kBom ? body.substr(kBom.size()) : body;
}

// A string's (a member's key, a count's text) decoded text. Unescaped ones (nearly all) are
// used in place; escaped ones are decoded into `buffer`, or into `spill` in the rare case they
// do not fit.
std::string_view StringText(const JsonString& text, std::array<char, 128>& buffer,
                            std::string& spill) {
  if (!text.has_escapes) return text.raw;
  const DecodedPrefix decoded = DecodeJsonString(text.raw, buffer.data(), buffer.size());
  if (decoded.complete) return std::string_view(buffer.data(), decoded.length);
  AppendDecodedJsonString(text.raw, spill);
  return spill;
}

// A count's range checks (ge=0, le=kMaxCount) on an integer however it was read. Zero may be
// negative ("-0", -0.0), which Python reads as 0; a saturated magnitude is just "too large".
Problem CheckCount(const LaxInt& number, double& value) {
  if (number.magnitude == 0) {
    value = 0;
    return Problem::kValid;
  }
  if (number.negative) return Problem::kNegative;
  if (number.magnitude > static_cast<uint64_t>(kMaxCount)) return Problem::kTooLarge;
  value = static_cast<double>(number.magnitude);
  return Problem::kValid;
}

// Lax mode: a count sent as a JSON float or string.
Problem CountFromFloat(const JsonNumber& number, double& value) {
  LaxInt parsed;
  const Coercion coercion = IntFromFloat(JsonNumberToDouble(number.text), parsed);
  return coercion == Coercion::kValue ? CheckCount(parsed, value) : ProblemOf(coercion);
}

Problem CountFromString(const JsonString& text, double& value) {
  std::array<char, 128> buffer;
  std::string spill;  // only for escaped strings beyond the buffer, never a plausible count
  LaxInt parsed;
  const Coercion coercion = IntFromString(StringText(text, buffer, spill), parsed);
  return coercion == Coercion::kValue ? CheckCount(parsed, value) : ProblemOf(coercion);
}

// Lax mode: a flag sent as a JSON number or string.
Problem FlagFromNumber(const JsonNumber& number, double& value) {
  bool flag = false;
  const Coercion coercion = number.is_integer
                                ? BoolFromInteger(ReadJsonInteger(number.text), flag)
                                : BoolFromFloat(JsonNumberToDouble(number.text), flag);
  value = flag ? 1 : 0;
  return coercion == Coercion::kValue ? Problem::kValid : ProblemOf(coercion);
}

Problem FlagFromString(const JsonString& text, double& value) {
  // No word is longer than 5 bytes: a longer text is not one of them, decoded or not.
  std::array<char, 8> buffer;
  std::string_view decoded = text.raw;
  if (text.has_escapes) {
    const DecodedPrefix prefix = DecodeJsonString(text.raw, buffer.data(), buffer.size());
    if (!prefix.complete) return Problem::kBoolParsing;
    decoded = std::string_view(buffer.data(), prefix.length);
  }
  bool flag = false;
  const Coercion coercion = BoolFromString(decoded, flag);
  value = flag ? 1 : 0;
  return coercion == Coercion::kValue ? Problem::kValid : ProblemOf(coercion);
}

std::string CtxObject(std::string_view key, int64_t value) {
  std::string ctx;
  JsonWriter writer(ctx);
  writer.BeginObject();
  writer.Key(key);
  writer.Int(value);
  writer.EndObject();
  return ctx;
}

class RequestParser {
 public:
  RequestParser(std::string_view text, const FeatureSpec& spec, InputMode mode,
                std::vector<FieldError>& errors)
      : text_(text),
        spec_(spec),
        lax_(mode == InputMode::kLax),
        errors_(errors),
        scanner_(text),
        slots_(spec.features.size()) {}

  // Parses the whole body with `parse_value` (which scans the top-level value); a syntax
  // error anywhere replaces every other error, as Python's json fails before pydantic runs.
  template <typename ParseValue>
  void ParseBody(ParseValue&& parse_value) {
    scanner_.SkipWhitespace();
    if (parse_value() && scanner_.ExpectEnd()) return;
    errors_.clear();
    const JsonSyntaxError& error = scanner_.error();
    std::string ctx;
    JsonWriter writer(ctx);
    writer.BeginObject();
    writer.Key("error");
    writer.String(error.reason);
    writer.EndObject();
    errors_.push_back(FieldError{{std::string("body"), CodePointOffset(text_, error.offset)},
                                 "json_invalid",
                                 "JSON decode error",
                                 "{}",
                                 std::move(ctx)});
  }

  // Scans one lead value at the cursor into `values`, recording its validation errors.
  // False only on a syntax error.
  bool ParseLead(LeadLocation where, LeadValues& values) {
    const size_t begin = scanner_.offset();
    if (scanner_.Peek() != '{') {
      if (!scanner_.SkipValue()) return false;
      AddError(Loc(where), "model_attributes_type", kModelAttributesTypeMsg,
               Echo(begin, scanner_.offset()), "");
      return true;
    }
    Slot* slots = slots_.data();
    slots_.Reset();
    if (!scanner_.EnterObject()) return false;
    for (size_t i = 0;; ++i) {
      bool more = false;
      JsonString key;
      if (!scanner_.NextMember(i, more, key)) return false;
      if (!more) break;
      const size_t feature = FeatureIndex(key);
      const size_t value_begin = scanner_.offset();
      if (feature == kNoFeature) {
        if (!scanner_.SkipValue()) return false;
        continue;
      }
      Slot& slot = slots[feature];
      if (!ParseField(spec_.features[feature], slot.problem, values[feature])) return false;
      slot.begin = value_begin;
      slot.end = scanner_.offset();
    }
    // An optional field left out means its default, like a pydantic field with a default.
    for (size_t f = 0; f < spec_.features.size(); ++f) {
      const Feature& feature = spec_.features[f];
      if (slots[f].problem == Problem::kMissing && feature.default_value.has_value()) {
        slots[f].problem = Problem::kValid;
        values[f] = *feature.default_value;
      }
    }
    ReportLead(where, begin, scanner_.offset(), values);
    return true;
  }

  // Scans the batch body {"leads": [...]} at the cursor. False only on a syntax error.
  bool ParseBatch(std::vector<LeadValues>& leads) {
    const size_t begin = scanner_.offset();
    if (scanner_.Peek() != '{') {
      if (!scanner_.SkipValue()) return false;
      AddError({std::string("body")}, "model_attributes_type", kModelAttributesTypeMsg,
               Echo(begin, scanner_.offset()), "");
      return true;
    }
    bool seen = false;
    bool is_list = false;
    size_t count = 0;
    size_t list_begin = 0;
    size_t list_end = 0;
    if (!scanner_.EnterObject()) return false;
    for (size_t i = 0;; ++i) {
      bool more = false;
      JsonString key;
      if (!scanner_.NextMember(i, more, key)) return false;
      if (!more) break;
      std::array<char, 128> buffer;
      std::string spill;
      if (StringText(key, buffer, spill) != kLeadsField) {
        if (!scanner_.SkipValue()) return false;
        continue;
      }
      // A repeated "leads" replaces the earlier one, errors included (the last key wins).
      seen = true;
      errors_.clear();
      list_begin = scanner_.offset();
      is_list = scanner_.Peek() == '[';
      if (!(is_list ? ParseLeadList(leads, count) : scanner_.SkipValue())) return false;
      list_end = scanner_.offset();
    }
    const std::vector<LocPart> loc = {std::string("body"), std::string(kLeadsField)};
    if (!seen) {
      AddError(loc, "missing", kMissingMsg, Echo(begin, scanner_.offset()), "");
    } else if (!is_list) {
      AddError(loc, "list_type", kListTypeMsg, Echo(list_begin, list_end), "");
    } else if (count > kMaxBatchLeads) {
      // pydantic stops at the length check: the leads' own errors are not reported.
      errors_.clear();
      std::string ctx;
      JsonWriter writer(ctx);
      writer.BeginObject();
      writer.Key("field_type");
      writer.String("List");
      writer.Key("max_length");
      writer.Int(static_cast<int64_t>(kMaxBatchLeads));
      writer.Key("actual_length");
      writer.Int(static_cast<int64_t>(count));
      writer.EndObject();
      AddError(loc, "too_long",
               "List should have at most " + std::to_string(kMaxBatchLeads) +
                   " items after validation, not " + std::to_string(count),
               Echo(list_begin, list_end), std::move(ctx));
    }
    leads.resize(seen && is_list ? std::min(count, kMaxBatchLeads) : 0);
    return true;
  }

 private:
  static constexpr size_t kNoFeature = static_cast<size_t>(-1);

  // Scans the list at the cursor; leads past the limit are only checked for syntax and counted.
  bool ParseLeadList(std::vector<LeadValues>& leads, size_t& count) {
    count = 0;
    if (!scanner_.EnterArray()) return false;
    for (size_t i = 0;; ++i) {
      bool more = false;
      if (!scanner_.NextElement(i, more)) return false;
      if (!more) return true;
      ++count;
      if (i >= kMaxBatchLeads) {
        if (!scanner_.SkipValue()) return false;
        continue;
      }
      if (i >= leads.size()) leads.emplace_back();
      leads[i].resize(spec_.features.size());
      if (!ParseLead(LeadLocation{true, i}, leads[i])) return false;
    }
  }

  size_t FeatureIndex(const JsonString& key) const {
    std::array<char, 128> buffer;
    std::string spill;
    const std::string_view name = StringText(key, buffer, spill);
    for (size_t i = 0; i < spec_.features.size(); ++i) {
      if (spec_.features[i].name == name) return i;
    }
    return kNoFeature;
  }

  // Scans one field's value at the cursor. False only on a syntax error.
  bool ParseField(const Feature& feature, Problem& problem, double& value) {
    const char first = scanner_.Peek();
    const bool number = first == '-' || IsDigit(first);
    const bool boolean = first == 't' || first == 'f';
    switch (feature.type) {
      case FeatureType::kCount:
        if (number) {
          JsonNumber scanned;
          if (!scanner_.ScanNumber(scanned)) return false;
          problem = scanned.is_integer ? CheckCount(ReadJsonInteger(scanned.text), value)
                    : lax_             ? CountFromFloat(scanned, value)
                                       : Problem::kIntType;
          return true;
        }
        if (lax_ && first == '"') {
          JsonString text;
          if (!scanner_.ScanString(text)) return false;
          problem = CountFromString(text, value);
          return true;
        }
        if (lax_ && boolean) return ScanBoolean(problem, value);
        problem = Problem::kIntType;
        return scanner_.SkipValue();
      case FeatureType::kFlag:
        if (boolean) return ScanBoolean(problem, value);
        if (lax_ && number) {
          JsonNumber scanned;
          if (!scanner_.ScanNumber(scanned)) return false;
          problem = FlagFromNumber(scanned, value);
          return true;
        }
        if (lax_ && first == '"') {
          JsonString text;
          if (!scanner_.ScanString(text)) return false;
          problem = FlagFromString(text, value);
          return true;
        }
        problem = Problem::kBoolType;
        return scanner_.SkipValue();
      case FeatureType::kCategory: {
        if (first != '"') {
          problem = Problem::kStringType;
          return scanner_.SkipValue();
        }
        JsonString text;
        if (!scanner_.ScanString(text)) return false;
        if (text.code_points > kMaxCategoryLength) {
          problem = Problem::kTooLong;
          return true;
        }
        // At most 64 characters of at most 4 bytes each: the buffer always suffices.
        std::array<char, kMaxCategoryLength * 4> buffer;
        std::string_view name = text.raw;
        if (text.has_escapes) {
          name = std::string_view(buffer.data(),
                                  DecodeJsonString(text.raw, buffer.data(), buffer.size()).length);
        }
        value = CategoryIndex(feature, name);
        problem = Problem::kValid;
        return true;
      }
    }
    return false;
  }

  // true or false at the cursor (a flag's value, or a count's 1 or 0 in lax mode).
  bool ScanBoolean(Problem& problem, double& value) {
    const bool truth = scanner_.Peek() == 't';
    value = truth ? 1 : 0;
    problem = Problem::kValid;
    return scanner_.ScanLiteral(truth ? "true" : "false");
  }

  // The lead's errors in spec order, or its `at_most` check once every field is valid.
  void ReportLead(LeadLocation where, size_t begin, size_t end, const LeadValues& values) {
    const std::vector<Feature>& features = spec_.features;
    Slot* slots = slots_.data();
    const bool all_valid = std::all_of(slots, slots + features.size(),
                                       [](const Slot& s) { return s.problem == Problem::kValid; });
    if (all_valid) {
      for (size_t i = 0; i < features.size(); ++i) {
        if (features[i].at_most.empty()) continue;
        const Feature* bound = spec_.Find(features[i].at_most);
        if (bound == nullptr) continue;  // FeatureSpec::FromJson rejects such a spec
        if (values[i] <= values[static_cast<size_t>(bound - features.data())]) continue;
        AddError(
            Loc(where), "value_error",
            "Value error, " + features[i].name + " must be less than or equal to " + bound->name,
            Echo(begin, end), R"({"error":{}})");
        return;  // one model validator, one error
      }
      return;
    }
    std::string lead_echo;  // for `missing`: pydantic echoes the whole object
    for (size_t i = 0; i < features.size(); ++i) {
      const Slot& slot = slots[i];
      if (slot.problem == Problem::kValid) continue;
      std::vector<LocPart> loc = Loc(where);
      loc.emplace_back(features[i].name);
      switch (slot.problem) {
        case Problem::kMissing:
          if (lead_echo.empty()) lead_echo = Echo(begin, end);
          AddError(std::move(loc), "missing", kMissingMsg, lead_echo, "");
          break;
        case Problem::kIntType:
        case Problem::kIntParsing:
        case Problem::kIntParsingSize:
        case Problem::kIntFromFloat:
        case Problem::kFiniteNumber:
        case Problem::kBoolType:
        case Problem::kBoolParsing:
        case Problem::kStringType: {
          const TypeError error = TypeErrorOf(slot.problem);
          AddError(std::move(loc), error.type, error.msg, Echo(slot.begin, slot.end), "");
          break;
        }
        case Problem::kNegative:
          AddError(std::move(loc), "greater_than_equal",
                   "Input should be greater than or equal to 0", Echo(slot.begin, slot.end),
                   CtxObject("ge", 0));
          break;
        case Problem::kTooLarge:
          AddError(std::move(loc), "less_than_equal",
                   "Input should be less than or equal to " + std::to_string(kMaxCount),
                   Echo(slot.begin, slot.end), CtxObject("le", kMaxCount));
          break;
        case Problem::kTooLong:
          AddError(
              std::move(loc), "string_too_long",
              "String should have at most " + std::to_string(kMaxCategoryLength) + " characters",
              Echo(slot.begin, slot.end),
              CtxObject("max_length", static_cast<int64_t>(kMaxCategoryLength)));
          break;
        case Problem::kValid:
          break;
      }
    }
  }

  static std::vector<LocPart> Loc(LeadLocation where) {
    if (!where.in_batch) return {std::string("body")};
    return {std::string("body"), std::string(kLeadsField), where.index};
  }

  std::string Echo(size_t begin, size_t end) const {
    return EchoJsonValue(text_.substr(begin, end - begin), kMaxInputEchoBytes);
  }

  void AddError(std::vector<LocPart> loc, std::string_view type, std::string_view msg,
                std::string input, std::string ctx) {
    errors_.push_back(FieldError{std::move(loc), std::string(type), std::string(msg),
                                 std::move(input), std::move(ctx)});
  }

  std::string_view text_;
  const FeatureSpec& spec_;
  const bool lax_;
  std::vector<FieldError>& errors_;
  JsonScanner scanner_;
  SlotTable slots_;
};

// FastAPI reads an empty body as no body at all: the body itself is missing.
FieldError MissingBody() {
  return FieldError{{std::string("body")}, "missing", std::string(kMissingMsg), "null", ""};
}

}  // namespace

ParseOutcome ParseScoreRequest(std::string_view body, const FeatureSpec& spec, LeadValues& values,
                               InputMode mode) {
  ParseOutcome outcome;
  values.resize(spec.features.size());
  if (body.empty()) {
    outcome.errors.push_back(MissingBody());
    return outcome;
  }
  RequestParser parser(WithoutBom(body), spec, mode, outcome.errors);
  parser.ParseBody([&] { return parser.ParseLead(LeadLocation{}, values); });
  return outcome;
}

ParseOutcome ParseBatchRequest(std::string_view body, const FeatureSpec& spec,
                               std::vector<LeadValues>& leads, InputMode mode) {
  ParseOutcome outcome;
  if (body.empty()) {
    leads.clear();
    outcome.errors.push_back(MissingBody());
    return outcome;
  }
  RequestParser parser(WithoutBom(body), spec, mode, outcome.errors);
  parser.ParseBody([&] { return parser.ParseBatch(leads); });
  return outcome;
}

bool IsJsonContentType(std::string_view content_type) {
  // As Python's email.message reads the header (FastAPI uses it): type/subtype before any ';',
  // surrounding whitespace dropped, case ignored.
  std::string_view type = content_type.substr(0, content_type.find(';'));
  const size_t first = type.find_first_not_of(" \t");
  if (first == std::string_view::npos) return false;
  type = type.substr(first, type.find_last_not_of(" \t") + 1 - first);
  std::string lower(type);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  constexpr std::string_view kApplication = "application/";
  constexpr std::string_view kJsonSuffix = "+json";
  if (lower.substr(0, kApplication.size()) != kApplication) return false;
  const std::string_view subtype = std::string_view(lower).substr(kApplication.size());
  return subtype == "json" || (subtype.size() >= kJsonSuffix.size() &&
                               subtype.substr(subtype.size() - kJsonSuffix.size()) == kJsonSuffix);
}

ParseOutcome RejectNonJsonBody(std::string_view body) {
  ParseOutcome outcome;
  if (body.empty()) {
    outcome.errors.push_back(MissingBody());
    return outcome;
  }
  // pydantic echoes the body as text: a JSON string, cut to the echo bound like any other.
  std::string text;
  JsonWriter(text).String(body.substr(0, kMaxInputEchoBytes));
  outcome.errors.push_back(FieldError{{std::string("body")},
                                      "model_attributes_type",
                                      std::string(kModelAttributesTypeMsg),
                                      EchoJsonValue(text, kMaxInputEchoBytes),
                                      ""});
  return outcome;
}

void WriteValidationErrors(JsonWriter& writer, const std::vector<FieldError>& errors) {
  writer.BeginObject();
  writer.Key("detail");
  writer.BeginArray();
  for (const FieldError& error : errors) {
    writer.BeginObject();
    writer.Key("type");
    writer.String(error.type);
    writer.Key("loc");
    writer.BeginArray();
    for (const LocPart& part : error.loc) {
      if (const auto* key = std::get_if<std::string>(&part)) {
        writer.String(*key);
      } else {
        writer.Int(static_cast<int64_t>(std::get<size_t>(part)));
      }
    }
    writer.EndArray();
    writer.Key("msg");
    writer.String(error.msg);
    writer.Key("input");
    // Raw() checks the echo and writes null if it were ever not JSON: the body stays valid.
    (void)writer.Raw(error.input);
    if (!error.ctx.empty()) {
      writer.Key("ctx");
      (void)writer.Raw(error.ctx);
    }
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
}

std::string ValidationErrorBody(const std::vector<FieldError>& errors) {
  std::string body;
  JsonWriter writer(body);
  WriteValidationErrors(writer, errors);
  return body;
}

}  // namespace leadscore::api
