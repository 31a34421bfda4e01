// Reads who a scoring request is about: the optional `lead_id` and `email` members of a lead
// object, which the request model does not name (FastAPI ignores them, and so does
// ParseScoreRequest). The score log (serve/score_log.h) records scores that carry one, so the
// warehouse can join them with the CRM's outcomes later.
//
// Never changes whether a request is valid: a member of another type or an over-long value is
// simply no identity (the lead is scored all the same, just not recorded). Call it only on a
// body ParseScoreRequest / ParseBatchRequest accepted; it does not throw and allocates only
// when a value outgrows the strings' capacity (reuse them across calls).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace leadscore::api {

// Longer values are not an identity (a CRM id or an address is far shorter).
inline constexpr size_t kMaxLeadIdLength = 128;  // bytes, decoded
inline constexpr size_t kMaxEmailLength = 254;   // RFC 5321's path limit

struct LeadIdentity {
  std::string lead_id;  // a JSON string, or a JSON integer's digits; empty: none
  std::string email;    // a JSON string containing '@'; empty: none
  bool empty() const { return lead_id.empty() && email.empty(); }
  void clear() {
    lead_id.clear();
    email.clear();
  }
};

// POST /score: the lead object's identity (cleared when it has none).
void ReadLeadIdentity(std::string_view body, LeadIdentity& identity);

// POST /score/batch: one identity per element of `leads`, in order (resized to the list's
// length; a lead without one gets an empty identity).
void ReadBatchIdentities(std::string_view body, std::vector<LeadIdentity>& identities);

}  // namespace leadscore::api
