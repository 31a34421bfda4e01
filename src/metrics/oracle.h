// The oracle report: how well could any model do on this data? The generator writes each
// lead's true probability (truth.csv); its AUC bounds every model. The Bayes AUC of a feature
// set estimates the best any model restricted to those features can reach: the mean true
// probability per distinct feature vector, fitted on half the rows, ranked on the other half.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "features/feature_table.h"

namespace leadscore {

// lead_id (the HubSpot contact id) -> p_won. Fails naming file, line and column on a bad row.
Result<std::unordered_map<std::string, double>> ReadTruth(const std::filesystem::path& path);

// truth's p_won for every table row (joined on the table's id column, lead_id). Fails naming
// the first lead without a truth row.
Result<std::vector<double>> AlignTruth(const FeatureTable& table,
                                       const std::unordered_map<std::string, double>& truth);

struct OracleReport {
  size_t rows = 0;
  double positive_rate = 0.0;
  double auc_truth = 0.0;                   // the oracle AUC: truth p_won against is_won
  std::map<std::string, double> auc_bayes;  // per feature set
};

// Fails when a lead has no truth row.
Result<OracleReport> ComputeOracle(const FeatureTable& table, const FeatureSpec& spec,
                                   const std::unordered_map<std::string, double>& truth);

}  // namespace leadscore
