// A local data file as an MLflow dataset input of a run, described as
// mlflow.data.from_pandas(df, source=<path>, name=..., digest=...) describes one, so that
// MLflow's UI and mlflow.get_run(...).inputs.dataset_inputs show it like a Python-logged one.
// Tag the input with kDatasetContextTag (tracking/mlflow_tags.h).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "tracking/mlflow_client.h"
#include "tracking/mlflow_schema.h"

namespace leadscore {

// source_type "local", source {"uri": <absolute path>}, schema {"mlflow_colspec": columns},
// profile {"num_rows": rows, "num_elements": rows * columns}. Reads nothing but the working
// directory (to make `path` absolute); the file need not exist.
Dataset LocalFileDataset(const std::filesystem::path& path, std::string name, std::string digest,
                         const std::vector<ColumnSpec>& columns, size_t rows);

}  // namespace leadscore
