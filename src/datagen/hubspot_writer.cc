#include "datagen/hubspot_writer.h"

#include <charconv>

#include "common/civil_time.h"
#include "datagen/json_text.h"

namespace leadscore {
namespace {

void AppendQuotedTime(int64_t epoch_ms, std::string& out) {
  out.push_back('"');
  AppendIsoMillis(epoch_ms, out);
  out.push_back('"');
}

void AppendQuotedId(int64_t id, std::string& out) { AppendQuotedInt(id, out); }

}  // namespace

std::string_view HubSpotDealStageName(HubSpotDealStage stage) {
  static constexpr std::string_view kNames[] = {"closedwon", "closedlost", "appointmentscheduled",
                                                "contractsent"};
  return kNames[static_cast<int>(stage)];
}

Result<HubSpotWriter> HubSpotWriter::Open(AtomicFileSet& files, const std::filesystem::path& dir) {
  HubSpotWriter writer;
  struct Target {
    std::filesystem::path path;
    OutputFile** slot;
  };
  const Target targets[] = {{dir / "hubspot" / "contacts.jsonl", &writer.contacts_},
                            {dir / "hubspot" / "deals.jsonl", &writer.deals_},
                            {dir / "truth.csv", &writer.truth_}};
  for (const auto& target : targets) {
    auto file = files.Open(target.path);
    if (!file.ok()) return file.status();
    *target.slot = file.value();
  }
  writer.truth_->Append("lead_id,p_won\n");
  return writer;
}

void HubSpotWriter::WriteContact(const HubSpotContact& contact) {
  std::string& out = contacts_->buffer();
  out.append(R"({"id":)");
  AppendQuotedId(contact.id, out);
  out.append(R"(,"properties":{"createdate":)");
  AppendQuotedTime(contact.created_ms, out);
  out.append(R"(,"email":)");
  AppendJsonString(contact.email, out);
  out.append(R"(,"ga_client_id":)");
  AppendJsonString(contact.ga_client_id, out);
  out.append(R"(,"hs_object_id":)");
  AppendQuotedId(contact.id, out);
  out.append(R"(,"lastmodifieddate":)");
  AppendQuotedTime(contact.modified_ms, out);
  if (!contact.olist_mql_id.empty()) {
    out.append(R"(,"olist_mql_id":)");
    AppendJsonString(contact.olist_mql_id, out);
  }
  out.append(R"(},"createdAt":)");
  AppendQuotedTime(contact.created_ms, out);
  out.append(R"(,"updatedAt":)");
  AppendQuotedTime(contact.modified_ms, out);
  out.append(R"(,"archived":false})");
  out.push_back('\n');
  contacts_->MaybeFlush();
}

void HubSpotWriter::WriteDeal(const HubSpotDeal& deal) {
  std::string& out = deals_->buffer();
  out.append(R"({"id":)");
  AppendQuotedId(deal.id, out);
  out.append(R"(,"properties":{"amount":)");
  if (deal.amount_cents >= 0) {
    AppendQuotedCents(deal.amount_cents, out);
  } else {
    out.append("null");
  }
  out.append(R"(,"closedate":)");
  if (deal.close_ms >= 0) {
    AppendQuotedTime(deal.close_ms, out);
  } else {
    out.append("null");
  }
  out.append(R"(,"createdate":)");
  AppendQuotedTime(deal.created_ms, out);
  out.append(R"(,"dealname":"Lead )");
  AppendInt(deal.contact_id, out);
  out.append(R"(","dealstage":)");
  AppendJsonString(HubSpotDealStageName(deal.stage), out);
  out.append(R"(,"hs_lastmodifieddate":)");
  AppendQuotedTime(deal.modified_ms, out);
  out.append(R"(,"hs_object_id":)");
  AppendQuotedId(deal.id, out);
  out.append(R"(,"pipeline":"default"},"createdAt":)");
  AppendQuotedTime(deal.created_ms, out);
  out.append(R"(,"updatedAt":)");
  AppendQuotedTime(deal.modified_ms, out);
  out.append(R"(,"archived":false,"associations":{"contacts":{"results":[{"id":)");
  AppendQuotedId(deal.contact_id, out);
  out.append(R"(,"type":"deal_to_contact"}]}}})");
  out.push_back('\n');
  deals_->MaybeFlush();
}

void HubSpotWriter::WriteTruth(int64_t contact_id, double p_won) {
  std::string& out = truth_->buffer();
  AppendInt(contact_id, out);
  out.push_back(',');
  char digits[32];
  auto [end, ec] =
      std::to_chars(digits, digits + sizeof digits, p_won, std::chars_format::fixed, 6);
  out.append(digits, end);
  out.push_back('\n');
  truth_->MaybeFlush();
}

}  // namespace leadscore
