#include "serve/openapi.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/score_request.h"

namespace leadscore::serve {
namespace {

nlohmann::json Document(bool api_key, bool strict_input = false, bool admin_key = false,
                        bool admin_closed = false) {
  const OpenApiOptions options{.version = "9.9.9",
                               .api_key_required = api_key,
                               .strict_input = strict_input,
                               .admin_key_required = admin_key,
                               .admin_closed = admin_closed};
  auto doc =
      nlohmann::json::parse(BuildOpenApiDocument(FeatureSpec::Builtin(), options), nullptr, false);
  EXPECT_FALSE(doc.is_discarded());
  return doc;
}

TEST(OpenApi, IsVersion31WithEveryRoute) {
  const auto doc = Document(false);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  EXPECT_EQ(doc["info"]["version"], "9.9.9");
  for (const char* path :
       {"/score", "/score/batch", "/health", "/ready", "/model", "/model/drift", "/metrics",
        "/admin/reload", "/dashboard", "/dashboard/data", "/dashboard/live"}) {
    EXPECT_TRUE(doc["paths"].contains(path)) << path;
  }
}

TEST(OpenApi, LeadSchemaFollowsTheFeatureSpec) {
  const auto doc = Document(false);
  const auto& lead = doc["components"]["schemas"]["Lead"];
  const FeatureSpec& spec = FeatureSpec::Builtin();
  // Every feature is a property; the ones with a default (recency) are optional, like a
  // pydantic field with a default, so the seed's five-field request stays valid.
  std::vector<std::string> required;
  for (const Feature& feature : spec.features) {
    if (!feature.default_value.has_value()) required.push_back(feature.name);
  }
  EXPECT_EQ(lead["required"], required);
  EXPECT_EQ(lead["required"].size(), 5u);
  EXPECT_EQ(lead["properties"]["days_since_created"]["default"], 0);
  EXPECT_FALSE(lead["properties"]["sessions"].contains("default"));
  for (const Feature& feature : spec.features) {
    const auto& property = lead["properties"][feature.name];
    switch (feature.type) {
      case FeatureType::kCount:
        EXPECT_EQ(property["type"], "integer");
        EXPECT_EQ(property["minimum"], 0);
        EXPECT_EQ(property["maximum"], api::kMaxCount);
        break;
      case FeatureType::kFlag:
        EXPECT_EQ(property["type"], "boolean");
        break;
      case FeatureType::kCategory:
        EXPECT_EQ(property["type"], "string");
        EXPECT_EQ(property["maxLength"], api::kMaxCategoryLength);
        break;
    }
  }
  EXPECT_EQ(doc["components"]["schemas"]["BatchRequest"]["properties"]["leads"]["maxItems"],
            api::kMaxBatchLeads);
}

TEST(OpenApi, LeadTypesAreFastApisInBothInputModesAndTheDescriptionSaysWhichMode) {
  const auto lax = Document(false);
  const auto strict = Document(false, true);
  const auto& lax_lead = lax["components"]["schemas"]["Lead"];
  const auto& strict_lead = strict["components"]["schemas"]["Lead"];
  // FastAPI publishes "integer" and "boolean" for a lax model too.
  EXPECT_EQ(lax_lead["properties"], strict_lead["properties"]);
  EXPECT_NE(lax_lead["description"].get<std::string>().find("lax mode"), std::string::npos);
  EXPECT_NE(strict_lead["description"].get<std::string>().find("strict mode"), std::string::npos);
}

TEST(OpenApi, ApiKeySecurityOnlyWhenAKeyIsRequired) {
  const auto open = Document(false);
  EXPECT_FALSE(open["components"].contains("securitySchemes"));
  EXPECT_FALSE(open["paths"]["/score"]["post"].contains("security"));
  EXPECT_FALSE(open["paths"]["/score"]["post"]["responses"].contains("401"));
  const auto guarded = Document(true);
  EXPECT_EQ(guarded["components"]["securitySchemes"]["ApiKey"]["name"], "X-API-Key");
  for (const char* path : {"/score", "/score/batch"}) {
    EXPECT_TRUE(guarded["paths"][path]["post"].contains("security")) << path;
    EXPECT_TRUE(guarded["paths"][path]["post"]["responses"].contains("401")) << path;
  }
  EXPECT_FALSE(guarded["paths"]["/health"]["get"].contains("security"));
  // The scoring key never opens /admin.
  EXPECT_FALSE(guarded["paths"]["/admin/reload"]["post"].contains("security"));
}

TEST(OpenApi, AdminHasItsOwnKeyOrSaysItIsClosed) {
  const auto keyed = Document(true, false, true);
  EXPECT_EQ(keyed["components"]["securitySchemes"]["AdminKey"]["name"], "X-Admin-Key");
  EXPECT_EQ(keyed["paths"]["/admin/reload"]["post"]["security"][0].begin().key(), "AdminKey");
  EXPECT_TRUE(keyed["paths"]["/admin/reload"]["post"]["responses"].contains("401"));
  const auto closed = Document(true, false, false, true);
  EXPECT_TRUE(closed["paths"]["/admin/reload"]["post"]["responses"].contains("403"));
  EXPECT_FALSE(closed["paths"]["/admin/reload"]["post"].contains("security"));
}

TEST(OpenApi, EveryReferenceResolves) {
  const auto doc = Document(true);
  std::vector<const nlohmann::json*> stack = {&doc};
  int references = 0;
  while (!stack.empty()) {
    const nlohmann::json* node = stack.back();
    stack.pop_back();
    if (node->is_object()) {
      if (node->contains("$ref")) {
        const std::string ref = (*node)["$ref"];
        ASSERT_TRUE(ref.starts_with("#/components/schemas/")) << ref;
        EXPECT_TRUE(doc["components"]["schemas"].contains(ref.substr(21))) << ref;
        ++references;
      }
      for (const auto& item : node->items()) stack.push_back(&item.value());
    } else if (node->is_array()) {
      for (const auto& item : *node) stack.push_back(&item);
    }
  }
  EXPECT_GT(references, 10);
}

}  // namespace
}  // namespace leadscore::serve
