#include "sync/jsonl_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

namespace leadscore {
namespace {

bool IsDecimal(const std::string& id) {
  return !id.empty() &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool NumericIdLess::operator()(const std::string& a, const std::string& b) const {
  bool a_number = IsDecimal(a);
  bool b_number = IsDecimal(b);
  if (a_number != b_number) return a_number;
  if (a_number) {
    // Leading zeros do not occur in HubSpot ids; compare them away anyway.
    std::string_view x(a);
    std::string_view y(b);
    while (x.size() > 1 && x.front() == '0') x.remove_prefix(1);
    while (y.size() > 1 && y.front() == '0') y.remove_prefix(1);
    if (x.size() != y.size()) return x.size() < y.size();
    if (x != y) return x < y;
  }
  return a < b;
}

Result<ObjectLines> ReadObjectLines(const std::filesystem::path& path) {
  ObjectLines lines;
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return lines;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error("cannot open " + path.string());
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
    std::string id;
    if (json.is_object() && json.contains("id") && json["id"].is_string()) {
      id = json["id"].get<std::string>();
    }
    if (id.empty()) {
      return Status::Error(fmt::format(
          "{}:{}: not a HubSpot object with a string id; delete the file (or run with --full) "
          "to pull everything again",
          path.string(), number));
    }
    lines[id] = line;
  }
  if (in.bad()) return Status::Error("reading " + path.string() + " failed");
  return lines;
}

MergeCounts MergeObjects(ObjectLines& lines, const std::vector<CrmObject>& changed,
                         const std::vector<std::string>& removed_ids) {
  MergeCounts counts;
  auto remove = [&](const std::string& id) {
    if (lines.erase(id) > 0) ++counts.removed;
  };
  for (const CrmObject& object : changed) {
    if (object.archived) {
      remove(object.id);
      continue;
    }
    auto [it, inserted] = lines.try_emplace(object.id, object.json);
    if (inserted) {
      ++counts.added;
    } else if (it->second == object.json) {
      ++counts.unchanged;
    } else {
      it->second = object.json;
      ++counts.updated;
    }
  }
  for (const std::string& id : removed_ids) remove(id);
  return counts;
}

void WriteObjectLines(const ObjectLines& lines, OutputFile& out) {
  for (const auto& [id, line] : lines) {
    out.Append(line);
    out.Append("\n");
  }
}

}  // namespace leadscore
