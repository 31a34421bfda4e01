// Reads the real Olist marketing funnel (docs/data.md says where to download it): the
// marketing qualified leads and which of them closed. Only columns known before the sale are
// kept; the deal-side columns (segment, revenue...) are filled in while selling and would leak.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace leadscore {

struct OlistLead {
  std::string mql_id;
  int64_t first_contact = 0;  // epoch seconds of the first-contact date (midnight UTC)
  std::string origin;         // Olist's channel; see Ga4GroupForOlistOrigin
  bool won = false;
  int64_t won_at = -1;         // epoch seconds, -1 when not won
  int64_t revenue_cents = -1;  // declared monthly revenue when won and > 0, else -1
};

// Fails when a file or column is missing, a date does not parse (naming file, line and
// column), or a closed deal names no lead.
Result<std::vector<OlistLead>> ReadOlistLeads(const std::filesystem::path& dir);

}  // namespace leadscore
