// MLflow's column schema (mlflow.types.Schema of ColSpecs) as JSON, shared by a model's
// signature in MLmodel and a dataset's schema in a run's inputs. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace leadscore {

// MLflow DataType names: "double", "float", "long", "string", "datetime".
enum class ColumnType { kDouble, kFloat, kLong, kString, kDatetime };

struct ColumnSpec {
  std::string name;  // empty: an unnamed column (e.g. a model's single output)
  ColumnType type = ColumnType::kDouble;
};

std::string_view ColumnTypeName(ColumnType type);

// Schema.to_dict() as compact JSON: [{"type":"long","name":"sessions","required":true},...],
// keys in MLflow's order.
std::string ColSpecJson(const std::vector<ColumnSpec>& columns);

}  // namespace leadscore
