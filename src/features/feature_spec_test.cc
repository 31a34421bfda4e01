#include "features/feature_spec.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/whole_file.h"

namespace leadscore {
namespace {

using nlohmann::json;

std::vector<std::string> Names(const std::vector<const Feature*>& features) {
  std::vector<std::string> names;
  names.reserve(features.size());
  for (const Feature* feature : features)
    names.push_back(feature == nullptr ? "<null>" : feature->name);
  return names;
}

// The builtin spec as a JSON document, for tests that break one thing in it.
json BuiltinJson() { return json::parse(FeatureSpec::Builtin().ToJson()); }

json& FeatureNamed(json& doc, const std::string& name) {
  for (auto& feature : doc["features"]) {
    if (feature["name"] == name) return feature;
  }
  throw std::runtime_error("no feature " + name);
}

TEST(FeatureSpec, BuiltinHasTheDocumentedFeatures) {
  const FeatureSpec& spec = FeatureSpec::Builtin();
  EXPECT_EQ(spec.version, 1);
  EXPECT_EQ(spec.id_column, "lead_id");
  EXPECT_EQ(spec.label_column, "is_won");
  ASSERT_EQ(spec.features.size(), 7u);
  EXPECT_EQ(spec.features[0].name, "sessions");
  EXPECT_EQ(spec.features[0].type, FeatureType::kCount);
  EXPECT_EQ(spec.features[1].name, "engaged_sessions");
  EXPECT_EQ(spec.features[1].at_most, "sessions");
  EXPECT_EQ(spec.features[2].name, "page_views");
  EXPECT_EQ(spec.features[3].name, "is_first_visit");
  EXPECT_EQ(spec.features[3].type, FeatureType::kFlag);
  const Feature* channel = spec.Find("channel");
  ASSERT_NE(channel, nullptr);
  EXPECT_EQ(channel->type, FeatureType::kCategory);
  EXPECT_EQ(channel->unknown, "Unassigned");
  EXPECT_EQ(channel->values.size(), 19u);
  EXPECT_EQ(channel->values.front(), "Direct");
  EXPECT_EQ(channel->values.back(), "Unassigned");
  EXPECT_EQ(spec.columns,
            (std::vector<std::string>{"lead_id", "email", "channel", "sessions", "engaged_sessions",
                                      "page_views", "is_first_visit", "is_won"}));
  EXPECT_EQ(spec.Find("nope"), nullptr);
  // Recency: counts that a table or request may leave out, meaning 0 (the lead at creation).
  for (const char* name : {"days_since_last_session", "days_since_created"}) {
    const Feature* recency = spec.Find(name);
    ASSERT_NE(recency, nullptr) << name;
    EXPECT_EQ(recency->type, FeatureType::kCount);
    EXPECT_EQ(recency->default_value, 0.0);
  }
  EXPECT_FALSE(spec.Find("sessions")->default_value.has_value());
}

TEST(FeatureSpec, BuiltinRecencySetAddsRecencyToBasePlusChannel) {
  auto recency = FeatureSpec::Builtin().FeatureSet("base+channel+recency");
  ASSERT_TRUE(recency.ok()) << recency.status().message();
  EXPECT_EQ(
      Names(recency.value()),
      (std::vector<std::string>{"sessions", "engaged_sessions", "page_views", "is_first_visit",
                                "channel", "days_since_last_session", "days_since_created"}));
}

TEST(FeatureSpec, RejectsADefaultThatIsNotAValueOfTheFeaturesType) {
  for (const char* bad : {R"("name":"sessions","type":"count","default":-1)",
                          R"("name":"sessions","type":"count","default":1.5)",
                          R"("name":"sessions","type":"count","default":"0")",
                          R"("name":"sessions","type":"flag","default":2)",
                          R"("name":"sessions","type":"category","values":["a"],"default":0)"}) {
    const std::string json = R"({"version":1,"id":"lead_id","label":"is_won","columns":[],)"
                             R"("feature_sets":{},"features":[{)" +
                             std::string(bad) + "}]}";
    auto parsed = FeatureSpec::FromJson(json);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("default"), std::string::npos)
        << parsed.status().message();
  }
}

TEST(FeatureSpec, CategoryIndexMapsUnknownValuesToTheUnknownCategory) {
  const Feature& channel = *FeatureSpec::Builtin().Find("channel");
  EXPECT_EQ(CategoryIndex(channel, "Direct"), 0);
  EXPECT_EQ(CategoryIndex(channel, "Paid Search"), 2);
  EXPECT_EQ(CategoryIndex(channel, "Unassigned"), 18);
  EXPECT_EQ(CategoryIndex(channel, "paid search"), 18);  // exact match only
  EXPECT_EQ(CategoryIndex(channel, ""), 18);
}

TEST(FeatureSpec, BuiltinHasBaseAndBasePlusChannelSets) {
  const FeatureSpec& spec = FeatureSpec::Builtin();
  auto base = spec.FeatureSet("base");
  ASSERT_TRUE(base.ok()) << base.status().message();
  EXPECT_EQ(Names(base.value()), (std::vector<std::string>{"sessions", "engaged_sessions",
                                                           "page_views", "is_first_visit"}));
  auto with_channel = spec.FeatureSet("base+channel");
  ASSERT_TRUE(with_channel.ok()) << with_channel.status().message();
  EXPECT_EQ(Names(with_channel.value()),
            (std::vector<std::string>{"sessions", "engaged_sessions", "page_views",
                                      "is_first_visit", "channel"}));
}

TEST(FeatureSpec, BuiltinIsTheSpecFileInTheRepository) {
  auto text = ReadWholeFile(std::filesystem::path(LEADSCORE_SOURCE_DIR) / "spec/feature_spec.json");
  ASSERT_TRUE(text.ok()) << text.status().message();
  auto parsed = FeatureSpec::FromJson(text.value());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed.value().ToJson(), FeatureSpec::Builtin().ToJson());
}

TEST(FeatureSpec, ToJsonFromJsonRoundTrips) {
  const FeatureSpec& builtin = FeatureSpec::Builtin();
  const std::string text = builtin.ToJson();
  auto parsed = FeatureSpec::FromJson(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const FeatureSpec& spec = parsed.value();
  EXPECT_EQ(spec.ToJson(), text);
  EXPECT_EQ(spec.version, builtin.version);
  EXPECT_EQ(spec.id_column, builtin.id_column);
  EXPECT_EQ(spec.label_column, builtin.label_column);
  EXPECT_EQ(spec.columns, builtin.columns);
  EXPECT_EQ(spec.feature_sets, builtin.feature_sets);
  ASSERT_EQ(spec.features.size(), builtin.features.size());
  for (size_t i = 0; i < spec.features.size(); ++i) {
    const Feature& a = spec.features[i];
    const Feature& b = builtin.features[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.at_most, b.at_most);
    EXPECT_EQ(a.values, b.values);
    EXPECT_EQ(a.unknown, b.unknown);
    EXPECT_EQ(a.description, b.description);
    EXPECT_FALSE(a.description.empty()) << a.name;
  }
}

TEST(FeatureSpec, RejectsAtMostNamingANonCount) {
  json doc = BuiltinJson();
  FeatureNamed(doc, "engaged_sessions")["at_most"] = "is_first_visit";
  auto parsed = FeatureSpec::FromJson(doc.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(
      parsed.status().message(),
      "feature engaged_sessions: at_most names 'is_first_visit', which is not a count feature");
}

TEST(FeatureSpec, RejectsAtMostNamingAMissingFeature) {
  json doc = BuiltinJson();
  FeatureNamed(doc, "page_views")["at_most"] = "clicks";
  auto parsed = FeatureSpec::FromJson(doc.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(),
            "feature page_views: at_most names 'clicks', which is not a count feature");
}

TEST(FeatureSpec, RejectsAFeatureSetNamingAnUnknownFeature) {
  json doc = BuiltinJson();
  doc["feature_sets"]["base"].push_back("time_on_site");
  auto parsed = FeatureSpec::FromJson(doc.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "feature set base names unknown feature time_on_site");
}

TEST(FeatureSpec, RejectsAnUnknownType) {
  json doc = BuiltinJson();
  FeatureNamed(doc, "sessions")["type"] = "integer";
  auto parsed = FeatureSpec::FromJson(doc.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(),
            "feature sessions: unknown feature type 'integer' (expected count, flag or category)");
}

TEST(FeatureSpec, RejectsACategoryWithoutValues) {
  json doc = BuiltinJson();
  FeatureNamed(doc, "channel").erase("values");
  auto parsed = FeatureSpec::FromJson(doc.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "feature channel: a category needs values");
}

TEST(FeatureSpec, RejectsMissingKeysAndWrongJsonTypes) {
  json missing_label = BuiltinJson();
  missing_label.erase("label");
  auto parsed = FeatureSpec::FromJson(missing_label.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message().rfind("feature spec: ", 0), 0u) << parsed.status().message();
  EXPECT_NE(parsed.status().message().find("label"), std::string::npos)
      << parsed.status().message();

  json string_version = BuiltinJson();
  string_version["version"] = "one";
  EXPECT_FALSE(FeatureSpec::FromJson(string_version.dump()).ok());

  json numeric_at_most = BuiltinJson();
  FeatureNamed(numeric_at_most, "engaged_sessions")["at_most"] = 3;
  EXPECT_FALSE(FeatureSpec::FromJson(numeric_at_most.dump()).ok());
}

TEST(FeatureSpec, RejectsTextThatIsNotAJsonObject) {
  for (const char* text : {"", "{", "[]", "42", "{\"version\": 1,}"}) {
    auto parsed = FeatureSpec::FromJson(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().message(), "feature spec is not a JSON object") << text;
  }
}

TEST(FeatureSpec, UnknownFeatureSetErrorListsTheKnownSets) {
  auto set = FeatureSpec::Builtin().FeatureSet("nope");
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().message(),
            "unknown feature set 'nope' (known: base, base+channel, base+channel+recency)");
}

TEST(FeatureSpec, TypeNames) {
  EXPECT_STREQ(FeatureTypeName(FeatureType::kCount), "count");
  EXPECT_STREQ(FeatureTypeName(FeatureType::kFlag), "flag");
  EXPECT_STREQ(FeatureTypeName(FeatureType::kCategory), "category");
}

}  // namespace
}  // namespace leadscore
