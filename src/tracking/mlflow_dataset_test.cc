#include "tracking/mlflow_dataset.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

namespace leadscore {
namespace {

using nlohmann::json;

TEST(ColSpecJson, WritesMlflowsColumnSpecsInItsKeyOrder) {
  EXPECT_EQ(ColSpecJson({{"lead_id", ColumnType::kString}, {"sessions", ColumnType::kLong}}),
            R"([{"type":"string","name":"lead_id","required":true},)"
            R"({"type":"long","name":"sessions","required":true}])");
  // An unnamed column, as a model's single output may be.
  EXPECT_EQ(ColSpecJson({{"", ColumnType::kFloat}}), R"([{"type":"float","required":true}])");
  EXPECT_EQ(ColSpecJson({}), "[]");
}

TEST(ColumnTypeName, IsMlflowsDataTypeName) {
  EXPECT_EQ(ColumnTypeName(ColumnType::kDouble), "double");
  EXPECT_EQ(ColumnTypeName(ColumnType::kFloat), "float");
  EXPECT_EQ(ColumnTypeName(ColumnType::kLong), "long");
  EXPECT_EQ(ColumnTypeName(ColumnType::kString), "string");
  EXPECT_EQ(ColumnTypeName(ColumnType::kDatetime), "datetime");
}

TEST(LocalFileDataset, DescribesTheFileAsMlflowDataFromPandasDoes) {
  const Dataset dataset =
      LocalFileDataset("data/../data/features.csv", "features", "cc38b7d50ab25972",
                       {{"lead_id", ColumnType::kString}, {"sessions", ColumnType::kLong}}, 10);
  EXPECT_EQ(dataset.name, "features");
  EXPECT_EQ(dataset.digest, "cc38b7d50ab25972");
  EXPECT_EQ(dataset.source_type, "local");
  const std::string expected_uri =
      (std::filesystem::current_path() / "data/features.csv").lexically_normal().string();
  EXPECT_EQ(json::parse(dataset.source), json({{"uri", expected_uri}}));
  EXPECT_EQ(json::parse(dataset.schema),
            json::parse(R"({"mlflow_colspec":[{"type":"string","name":"lead_id","required":true},
                            {"type":"long","name":"sessions","required":true}]})"));
  EXPECT_EQ(json::parse(dataset.profile), json({{"num_rows", 10}, {"num_elements", 20}}));
}

TEST(LocalFileDataset, KeepsAnAbsolutePathAsItIs) {
  const Dataset dataset = LocalFileDataset("/srv/leads.csv", "leads", "d", {}, 0);
  EXPECT_EQ(json::parse(dataset.source), json({{"uri", "/srv/leads.csv"}}));
  EXPECT_EQ(json::parse(dataset.profile), json({{"num_rows", 0}, {"num_elements", 0}}));
}

}  // namespace
}  // namespace leadscore
