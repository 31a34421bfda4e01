// The flags that decide how a model is fitted — feature set, split and XGBoost parameters —
// shared by `leadscore train` and `leadscore split`, so that an external trainer's plan and
// the run importing its booster are configured by the same flags with the same defaults.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "train/trainer.h"

namespace leadscore::cli {

// The raw text of the flags CLI11 cannot store directly; Apply turns it into TrainOptions.
struct FitFlags {
  std::string time_split;
  std::string split_kind = "random";
  std::vector<std::string> extra_params;

  // Adds --features, --time-split, --split, the seed's XGBoost parameters, --tree-method and
  // --param.
  void Add(CLI::App& cmd, TrainOptions& options);
  // Parses --time-split and every --param key=value into `options`; an error names the flag.
  Status Apply(TrainOptions& options) const;
};

}  // namespace leadscore::cli
