// The MLflow half of `leadscore train`: one run in the experiment with params, metrics, tags
// and artifacts (the model in MLflow's xgboost flavor, the reliability table, feature
// importance), a new registered version with alias "challenger", and the promotion gate:
// alias "champion" moves to the new version only if its AUC on this run's test rows is at
// least the champion's AUC on the same rows minus the tolerance. Only then is the model file
// replaced. Any failure marks the run FAILED and leaves champion and file as they were.
#pragma once

#include <memory>
#include <vector>

#include "common/status.h"
#include "features/feature_table.h"
#include "train/train_run.h"
#include "train/trainer.h"

namespace leadscore {

class MlflowClient;

class MlflowSession {
 public:
  // Fails, naming the URI and how to start the server, when MLflow does not answer.
  static Result<std::unique_ptr<MlflowSession>> Connect(const TrainRunOptions& options);
  ~MlflowSession();

  Result<TrainRunReport> LogAndGate(const FeatureTable& table, const TrainOutcome& outcome,
                                    const std::vector<double>& truth,
                                    const TrainRunOptions& options);

 private:
  explicit MlflowSession(std::unique_ptr<MlflowClient> client);
  std::unique_ptr<MlflowClient> client_;
};

}  // namespace leadscore
