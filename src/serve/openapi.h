// The OpenAPI 3.1 document of `leadscore serve`, generated from the feature spec and the
// request limits the parser enforces, so the published schema cannot drift from what the
// server accepts. Served at GET /openapi.json and read by Swagger UI at /docs.
#pragma once

#include <string>

#include "features/feature_spec.h"

namespace leadscore::serve {

struct OpenApiOptions {
  std::string version;              // the leadscore version
  bool api_key_required = false;    // LEADSCORE_API_KEY set: /score* need X-API-Key
  bool strict_input = false;        // request bodies in pydantic's strict mode, not the seed's lax
  bool admin_key_required = false;  // LEADSCORE_ADMIN_KEY set: /admin/* need X-Admin-Key
  bool admin_closed = false;        // no admin key off loopback: /admin/* answer 403
};

// The document as JSON text. Pure; thread-safe.
std::string BuildOpenApiDocument(const FeatureSpec& spec, const OpenApiOptions& options);

}  // namespace leadscore::serve
