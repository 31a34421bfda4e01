// The MLflow tag keys and values leadscore writes that MLflow itself defines
// (mlflow/utils/mlflow_tags.py) or that its UI reads.
#pragma once

#include <string_view>

namespace leadscore {

// Run and logged-model tags: who and what produced them ("Created by" and "Source" in the UI).
inline constexpr std::string_view kUserTag = "mlflow.user";
inline constexpr std::string_view kSourceNameTag = "mlflow.source.name";
inline constexpr std::string_view kSourceTypeTag = "mlflow.source.type";
inline constexpr std::string_view kSourceTypeLocal = "LOCAL";  // a program on this machine
inline constexpr std::string_view kGitCommitTag = "mlflow.source.git.commit";

// Experiment tag classifying an experiment as model training rather than GenAI development
// (traces); the values are the UI's ExperimentKind. MLflow 3.17's UI chooses its view from a
// sidebar switch and the link's workflowType instead (mlflow_uri.h, UiRunUrl).
inline constexpr std::string_view kExperimentKindTag = "mlflow.experimentKind";
inline constexpr std::string_view kModelTrainingKind = "custom_model_development";

// Dataset input tag saying what a run did with the dataset, and the value for training data
// (what MLflow's xgboost and sklearn autologging write).
inline constexpr std::string_view kDatasetContextTag = "mlflow.data.context";
inline constexpr std::string_view kTrainingContext = "train";

}  // namespace leadscore
