#include "serve/access_policy.h"

#include <arpa/inet.h>

#include <array>
#include <string>

namespace leadscore::serve {

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "localhost.") return true;
  const std::string text(host);
  std::array<unsigned char, 16> address{};
  if (inet_pton(AF_INET, text.c_str(), address.data()) == 1) return address[0] == 127;
  if (inet_pton(AF_INET6, text.c_str(), address.data()) != 1) return false;
  // ::1, or an IPv4-mapped loopback (::ffff:127.x.y.z).
  static constexpr std::array<unsigned char, 16> kLoopback6 = {0, 0, 0, 0, 0, 0, 0, 0,
                                                               0, 0, 0, 0, 0, 0, 0, 1};
  if (address == kLoopback6) return true;
  for (size_t i = 0; i < 10; ++i) {
    if (address[i] != 0) return false;
  }
  return address[10] == 0xff && address[11] == 0xff && address[12] == 127;
}

Result<AccessPolicy> DecideAccess(std::string_view host, std::string api_key, std::string admin_key,
                                  bool allow_unauthenticated) {
  AccessPolicy policy;
  policy.loopback = IsLoopbackHost(host);
  if (!policy.loopback && api_key.empty() && !allow_unauthenticated) {
    return Status::Error(
        "--host " + std::string(host) +
        " is reachable from other machines, and LEADSCORE_API_KEY is not set: anyone there "
        "could score. Set LEADSCORE_API_KEY (clients send it as X-API-Key), listen on "
        "127.0.0.1, or pass --allow-unauthenticated when a gateway in front authenticates");
  }
  policy.api_key = std::move(api_key);
  policy.admin_key = std::move(admin_key);
  return policy;
}

}  // namespace leadscore::serve
