#include "tracking/mlflow_dataset.h"

#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

namespace leadscore {

Dataset LocalFileDataset(const std::filesystem::path& path, std::string name, std::string digest,
                         const std::vector<ColumnSpec>& columns, size_t rows) {
  using OrderedJson = nlohmann::ordered_json;
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error) absolute = path;  // only when the working directory is gone: keep what was given
  const OrderedJson schema = {{"mlflow_colspec", OrderedJson::parse(ColSpecJson(columns), nullptr,
                                                                    /*allow_exceptions=*/false)}};
  const OrderedJson profile = {{"num_rows", rows}, {"num_elements", rows * columns.size()}};
  return Dataset{std::move(name), std::move(digest),
                 "local",         OrderedJson{{"uri", absolute.lexically_normal().string()}}.dump(),
                 schema.dump(),   profile.dump()};
}

}  // namespace leadscore
