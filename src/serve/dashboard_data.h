// The warehouse figures of GET /dashboard/data: the JSON file scripts/build_dashboard exports
// from the dashboard marts (data/dashboard.json, format "leadscore-dashboard/1", see
// docs/dashboards.md). The server never opens DuckDB itself; it reads this file, validates
// it, and reads it again whenever its modification time or size changes (the exporter
// replaces it by rename, so a read never sees half a file).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "common/status.h"

namespace leadscore::serve {

inline constexpr const char* kDashboardFormat = "leadscore-dashboard/1";

// Checks that `data` has the sections the dashboard page reads; the error names the field
// and what to run.
Status ValidateDashboardData(const nlohmann::json& data);

class DashboardData {
 public:
  // `path` empty: no file configured (every Current() says so).
  explicit DashboardData(std::filesystem::path path);
  ~DashboardData();
  DashboardData(const DashboardData&) = delete;
  DashboardData& operator=(const DashboardData&) = delete;

  struct Snapshot {
    std::shared_ptr<const nlohmann::json> data;  // null when no valid file was read yet
    std::string problem;  // why data is null or stale (file gone, invalid); empty when fine
  };
  // The file's figures, re-read first if it changed since the last call. A file that became
  // unreadable or invalid keeps the last valid figures and reports the problem. Thread-safe
  // (one stat per call, under a mutex: meant for the dashboard's routes, not the hot path).
  Snapshot Current();

 private:
  const std::filesystem::path path_;
  std::mutex mutex_;
  std::filesystem::file_time_type seen_mtime_{};
  uintmax_t seen_size_ = 0;
  bool seen_ = false;
  Snapshot current_;
};

}  // namespace leadscore::serve
