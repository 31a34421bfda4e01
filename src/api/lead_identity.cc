#include "api/lead_identity.h"

#include "api/json_scanner.h"

namespace leadscore::api {
namespace {

constexpr std::string_view kLeadIdField = "lead_id";
constexpr std::string_view kEmailField = "email";
constexpr std::string_view kLeadsField = "leads";

// A member key, decoded only when it has escapes (a plain key is compared in place).
bool KeyIs(const JsonString& key, std::string_view name, std::string& scratch) {
  if (!key.has_escapes) return key.raw == name;
  scratch.clear();
  AppendDecodedJsonString(key.raw, scratch);
  return scratch == name;
}

// The member value at the cursor as text: a string (decoded) or, when `integers` is set, an
// integer's digits. Anything else, or a text longer than `limit`, leaves `out` empty.
bool ReadText(JsonScanner& scanner, bool integers, size_t limit, std::string& out) {
  out.clear();
  if (scanner.Peek() == '"') {
    JsonString text;
    if (!scanner.ScanString(text)) return false;
    if (text.raw.size() > limit * 6) return true;  // even fully escaped, too long
    AppendDecodedJsonString(text.raw, out);
    if (out.size() > limit) out.clear();
    return true;
  }
  if (integers && (scanner.Peek() == '-' || (scanner.Peek() >= '0' && scanner.Peek() <= '9'))) {
    JsonNumber number;
    if (!scanner.ScanNumber(number)) return false;
    if (number.is_integer && number.text.size() <= limit) out.assign(number.text);
    return true;
  }
  return scanner.SkipValue();
}

// One lead value at the cursor; false only on a syntax error.
bool ReadLead(JsonScanner& scanner, LeadIdentity& identity, std::string& scratch) {
  identity.clear();
  if (scanner.Peek() != '{') return scanner.SkipValue();
  if (!scanner.EnterObject()) return false;
  for (size_t i = 0;; ++i) {
    bool more = false;
    JsonString key;
    if (!scanner.NextMember(i, more, key)) return false;
    if (!more) break;
    bool ok = true;
    // A repeated key takes its last value, as Python's json does.
    if (KeyIs(key, kLeadIdField, scratch)) {
      ok = ReadText(scanner, true, kMaxLeadIdLength, identity.lead_id);
    } else if (KeyIs(key, kEmailField, scratch)) {
      ok = ReadText(scanner, false, kMaxEmailLength, identity.email);
      if (ok && identity.email.find('@') == std::string::npos) identity.email.clear();
    } else {
      ok = scanner.SkipValue();
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void ReadLeadIdentity(std::string_view body, LeadIdentity& identity) {
  identity.clear();
  JsonScanner scanner(body);
  std::string scratch;
  scanner.SkipWhitespace();
  if (!ReadLead(scanner, identity, scratch)) identity.clear();
}

void ReadBatchIdentities(std::string_view body, std::vector<LeadIdentity>& identities) {
  JsonScanner scanner(body);
  std::string scratch;
  size_t count = 0;
  const auto finish = [&](size_t leads) { identities.resize(leads); };
  scanner.SkipWhitespace();
  if (scanner.Peek() != '{' || !scanner.EnterObject()) return finish(0);
  for (size_t i = 0;; ++i) {
    bool more = false;
    JsonString key;
    if (!scanner.NextMember(i, more, key)) return finish(0);
    if (!more) break;
    if (!KeyIs(key, kLeadsField, scratch) || scanner.Peek() != '[') {
      if (!scanner.SkipValue()) return finish(0);
      continue;
    }
    // The last "leads" member counts, as in ParseBatchRequest.
    count = 0;
    if (!scanner.EnterArray()) return finish(0);
    for (size_t j = 0;; ++j) {
      bool next = false;
      if (!scanner.NextElement(j, next)) return finish(0);
      if (!next) break;
      if (identities.size() <= count) identities.emplace_back();
      if (!ReadLead(scanner, identities[count], scratch)) return finish(0);
      ++count;
    }
  }
  finish(count);
}

}  // namespace leadscore::api
