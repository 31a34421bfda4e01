#include "tracking/mlflow_schema.h"

#include <nlohmann/json.hpp>

namespace leadscore {

std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kFloat:
      return "float";
    case ColumnType::kLong:
      return "long";
    case ColumnType::kString:
      return "string";
    case ColumnType::kDatetime:
      return "datetime";
    case ColumnType::kDouble:
      break;
  }
  return "double";
}

std::string ColSpecJson(const std::vector<ColumnSpec>& columns) {
  nlohmann::ordered_json specs = nlohmann::ordered_json::array();
  for (const ColumnSpec& column : columns) {
    nlohmann::ordered_json spec = {{"type", ColumnTypeName(column.type)}};
    if (!column.name.empty()) spec["name"] = column.name;
    spec["required"] = true;
    specs.push_back(std::move(spec));
  }
  return specs.dump();
}

}  // namespace leadscore
