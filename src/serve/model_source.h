// Where `leadscore serve` gets its model: a model file written by leadscore train /
// promote (ml/lead_scoring_model.json), or a registered version in MLflow's registry
// ("models:/lead-scoring@champion"), downloaded through the tracking server's REST API.
// Each (re)load reads the source again, so a reload picks up a newly promoted champion.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/status.h"
#include "model/lead_model.h"

namespace leadscore::serve {

struct ModelSource {
  std::filesystem::path file;  // used when model_uri is empty
  std::string model_uri;       // models:/<name>@<alias> or models:/<name>/<version>
  std::string tracking_uri;    // MLflow server for model_uri

  std::string Describe() const;  // for logs and errors
};

// Loads and validates the model (XGBoost JSON, leadscore attributes, feature spec, flat
// evaluator). Blocking (file or network I/O): call it off the request path. Thread-safe.
Result<std::shared_ptr<const LeadModel>> LoadModel(const ModelSource& source);

}  // namespace leadscore::serve
