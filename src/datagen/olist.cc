#include "datagen/olist.h"

#include <charconv>
#include <cmath>
#include <unordered_map>

#include "common/civil_time.h"
#include "common/csv_reader.h"

namespace leadscore {
namespace {

constexpr const char* kLeadsFile = "olist_marketing_qualified_leads_dataset.csv";
constexpr const char* kDealsFile = "olist_closed_deals_dataset.csv";

Status MissingFile(const std::filesystem::path& dir, const char* file) {
  return Status::Error("Olist file " + (dir / file).string() +
                       " not found; download \"Marketing Funnel by Olist\" (CC BY-NC-SA 4.0) from "
                       "https://www.kaggle.com/datasets/olistbr/marketing-funnel-olist, unzip "
                       "its two CSVs into " +
                       dir.string() +
                       " or point --olist-dir (or LEADSCORE_OLIST_DIR) at the folder holding "
                       "them (docs/data.md)");
}

}  // namespace

Result<std::vector<OlistLead>> ReadOlistLeads(const std::filesystem::path& dir) {
  for (const char* file : {kLeadsFile, kDealsFile}) {
    if (!std::filesystem::exists(dir / file)) return MissingFile(dir, file);
  }
  std::vector<OlistLead> leads;
  std::unordered_map<std::string, size_t> index;
  {
    auto opened = CsvReader::Open(dir / kLeadsFile, {"mql_id", "first_contact_date", "origin"});
    if (!opened.ok()) return opened.status();
    CsvReader& reader = opened.value();
    const int id_col = reader.ColumnIndex("mql_id");
    const int date_col = reader.ColumnIndex("first_contact_date");
    const int origin_col = reader.ColumnIndex("origin");
    while (reader.Next()) {
      OlistLead lead;
      lead.mql_id = reader.Field(id_col);
      auto date = ParseTimestamp(reader.Field(date_col));
      if (!date.ok()) return reader.FieldError(date_col, date.status().message());
      lead.first_contact = date.value();
      lead.origin = reader.Field(origin_col);
      if (!index.emplace(lead.mql_id, leads.size()).second) {
        return reader.FieldError(id_col, "duplicate mql_id " + lead.mql_id);
      }
      leads.push_back(std::move(lead));
    }
    LEADSCORE_RETURN_IF_ERROR(reader.status());
  }
  auto opened =
      CsvReader::Open(dir / kDealsFile, {"mql_id", "won_date", "declared_monthly_revenue"});
  if (!opened.ok()) return opened.status();
  CsvReader& reader = opened.value();
  const int id_col = reader.ColumnIndex("mql_id");
  const int won_col = reader.ColumnIndex("won_date");
  const int revenue_col = reader.ColumnIndex("declared_monthly_revenue");
  while (reader.Next()) {
    auto it = index.find(std::string(reader.Field(id_col)));
    if (it == index.end()) {
      return reader.FieldError(id_col,
                               "closed deal for unknown lead " + std::string(reader.Field(id_col)));
    }
    OlistLead& lead = leads[it->second];
    auto won_at = ParseTimestamp(reader.Field(won_col));
    if (!won_at.ok()) return reader.FieldError(won_col, won_at.status().message());
    lead.won = true;
    lead.won_at = won_at.value();
    const std::string_view revenue = reader.Field(revenue_col);
    double value = 0.0;
    auto [ptr, ec] = std::from_chars(revenue.data(), revenue.data() + revenue.size(), value);
    if (ec == std::errc() && value > 0.0) lead.revenue_cents = std::llround(value * 100.0);
  }
  LEADSCORE_RETURN_IF_ERROR(reader.status());
  return leads;
}

}  // namespace leadscore
