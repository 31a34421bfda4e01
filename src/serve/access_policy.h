// Who may use what, decided once at start from where the server listens and which keys the
// environment holds: safe by default, because a scoring API bound to a public address with
// no key, or an admin endpoint any scoring client can call, is an open door.
//
// - Scoring (/score, /score/batch) needs X-API-Key when LEADSCORE_API_KEY is set. A
//   non-loopback --host with no scoring key refuses to start unless the operator passes
//   --allow-unauthenticated (a gateway in front authenticates).
// - Admin (/admin/*) has its own key, LEADSCORE_ADMIN_KEY, sent as X-Admin-Key; the scoring
//   key never opens it. With no admin key it is open on a loopback --host (only this machine
//   can connect) and closed (403) otherwise: SIGHUP still reloads.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace leadscore::serve {

struct AccessPolicy {
  std::string api_key;    // non-empty: /score* need X-API-Key equal to it
  std::string admin_key;  // non-empty: /admin/* need X-Admin-Key equal to it
  bool loopback = true;   // the host is a loopback address (only this machine connects)

  // No admin key on a loopback host: /admin/* need no key.
  bool admin_open() const { return admin_key.empty() && loopback; }
  // No admin key beyond loopback: /admin/* answer 403.
  bool admin_closed() const { return admin_key.empty() && !loopback; }
};

// Whether `host` (--host) names only this machine: localhost, 127.0.0.0/8, ::1 or
// ::ffff:127.x.y.z. Any other name or address, 0.0.0.0 and :: included, is not.
bool IsLoopbackHost(std::string_view host);

// The policy for `host` and the keys (empty: unset). Fails, naming the remedies, for a
// non-loopback host without a scoring key unless `allow_unauthenticated`.
Result<AccessPolicy> DecideAccess(std::string_view host, std::string api_key, std::string admin_key,
                                  bool allow_unauthenticated);

}  // namespace leadscore::serve
