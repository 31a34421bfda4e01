#include "serve/dashboard_data.h"

#include <nlohmann/json.hpp>

#include "common/whole_file.h"

namespace leadscore::serve {
namespace {

using nlohmann::json;

constexpr const char* kRemedy = "; rebuild it with scripts/build_dashboard";

Result<json> ReadJson(const std::filesystem::path& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return Status::Error("dashboard data: " + text.status().message() + kRemedy);
  json data = json::parse(text.value(), nullptr, false);
  if (data.is_discarded()) {
    return Status::Error("dashboard data " + path.string() + " is not valid JSON" + kRemedy);
  }
  return data;
}

}  // namespace

Status ValidateDashboardData(const json& data) {
  if (!data.is_object()) return Status::Error(std::string("is not a JSON object") + kRemedy);
  if (!data.contains("format") || data["format"] != kDashboardFormat) {
    return Status::Error(std::string("field 'format' is not \"") + kDashboardFormat + "\"" +
                         kRemedy + " (this leadscore reads only that format)");
  }
  for (const char* key : {"channel_attribution", "funnel", "score_distribution"}) {
    if (!data.contains(key) || !data[key].is_array()) {
      return Status::Error(std::string("field '") + key + "' is missing or not a list" + kRemedy);
    }
    for (const json& row : data[key]) {
      if (!row.is_object()) {
        return Status::Error(std::string("field '") + key + "' has a row that is not an object" +
                             kRemedy);
      }
    }
  }
  if (!data.contains("totals") || !data["totals"].is_object()) {
    return Status::Error(std::string("field 'totals' is missing or not an object") + kRemedy);
  }
  return Status::Ok();
}

DashboardData::DashboardData(std::filesystem::path path) : path_(std::move(path)) {
  if (path_.empty()) {
    current_.problem =
        "no dashboard data configured: start leadscore serve with --dashboard-data "
        "data/dashboard.json (written by scripts/build_dashboard)";
  }
}

DashboardData::~DashboardData() = default;

DashboardData::Snapshot DashboardData::Current() {
  std::lock_guard lock(mutex_);
  if (path_.empty()) return current_;
  std::error_code error;
  const auto mtime = std::filesystem::last_write_time(path_, error);
  const uintmax_t size = error ? 0 : std::filesystem::file_size(path_, error);
  if (error) {
    current_.problem = "dashboard data " + path_.string() + " is missing" + kRemedy +
                       " (after scripts/score_warehouse)";
    seen_ = false;
    return current_;
  }
  if (seen_ && mtime == seen_mtime_ && size == seen_size_) return current_;
  seen_ = true;
  seen_mtime_ = mtime;
  seen_size_ = size;
  auto data = ReadJson(path_);
  Status valid = data.ok() ? ValidateDashboardData(data.value()) : data.status();
  if (!valid.ok()) {
    current_.problem =
        data.ok() ? "dashboard data " + path_.string() + ": " + valid.message() : valid.message();
    if (current_.data) current_.problem += " (showing the previous file's figures)";
    return current_;
  }
  current_.data = std::make_shared<const json>(std::move(data).value());
  current_.problem.clear();
  return current_;
}

}  // namespace leadscore::serve
