// Writes HubSpot CRM v3 objects as `GET /crm/v3/objects/{contacts,deals}` returns them in
// `results` (docs/sources.md): hubspot/contacts.jsonl and hubspot/deals.jsonl, one object a
// line, plus the generator's truth.csv. Callers write objects in ascending id order.
// Not thread-safe; bytes depend only on the values written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/atomic_files.h"

namespace leadscore {

struct HubSpotContact {
  int64_t id = 0;
  std::string_view email;
  std::string_view ga_client_id;  // the visitor's GA4 user_pseudo_id
  int64_t created_ms = 0;         // createdate / createdAt, epoch milliseconds
  int64_t modified_ms = 0;        // lastmodifieddate / updatedAt
  std::string_view olist_mql_id;  // written as property olist_mql_id when not empty
};

// HubSpot's default pipeline: closedwon, closedlost, or an open stage.
enum class HubSpotDealStage { kClosedWon, kClosedLost, kAppointmentScheduled, kContractSent };
std::string_view HubSpotDealStageName(HubSpotDealStage stage);

struct HubSpotDeal {
  int64_t id = 0;
  int64_t contact_id = 0;
  HubSpotDealStage stage = HubSpotDealStage::kAppointmentScheduled;
  int64_t amount_cents = -1;  // < 0: amount null
  int64_t created_ms = 0;
  int64_t close_ms = -1;  // < 0: closedate null (open deals)
  int64_t modified_ms = 0;
};

class HubSpotWriter {
 public:
  // Opens `dir`/hubspot/contacts.jsonl, `dir`/hubspot/deals.jsonl and `dir`/truth.csv
  // (header lead_id,p_won) within `files`.
  static Result<HubSpotWriter> Open(AtomicFileSet& files, const std::filesystem::path& dir);

  void WriteContact(const HubSpotContact& contact);
  void WriteDeal(const HubSpotDeal& deal);
  void WriteTruth(int64_t contact_id, double p_won);

 private:
  OutputFile* contacts_ = nullptr;
  OutputFile* deals_ = nullptr;
  OutputFile* truth_ = nullptr;
};

}  // namespace leadscore
