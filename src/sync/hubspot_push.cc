#include "sync/hubspot_push.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sync/push_outbox.h"

namespace leadscore {
namespace {

constexpr char kBatchUpdate[] = "/crm/v3/objects/contacts/batch/update";

std::string BatchBody(const std::vector<OutboxContact>& contacts, size_t begin, size_t end) {
  nlohmann::json inputs = nlohmann::json::array();
  for (size_t i = begin; i < end; ++i) {
    inputs.push_back({{"id", contacts[i].id}, {"properties", contacts[i].properties}});
  }
  return nlohmann::json{{"inputs", std::move(inputs)}}.dump();
}

// Ids HubSpot rejected inside a 2xx answer: a 207 multi-status lists them in
// errors[].context.ids (e.g. OBJECT_NOT_FOUND for a contact deleted in HubSpot).
std::vector<std::string> RejectedIds(const std::string& answer) {
  std::vector<std::string> ids;
  nlohmann::json json = nlohmann::json::parse(answer, nullptr, false);
  if (!json.is_object() || !json.contains("errors") || !json["errors"].is_array()) return ids;
  for (const auto& error : json["errors"]) {
    if (!error.is_object() || !error.contains("context") || !error["context"].is_object()) {
      continue;
    }
    const auto& context = error["context"];
    if (context.contains("ids") && context["ids"].is_array()) {
      for (const auto& id : context["ids"]) {
        if (id.is_string()) ids.push_back(id.get<std::string>());
      }
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace

std::filesystem::path JournalPath(const HubSpotPushOptions& options) {
  if (!options.journal.empty()) return options.journal;
  std::filesystem::path journal = options.outbox;
  journal += ".acked";
  return journal;
}

Result<HubSpotPushSummary> PushToHubSpot(const HubSpotPushOptions& options) {
  if (options.batch_size == 0 || options.batch_size > kHubSpotBatchLimit) {
    return Status::Error(fmt::format("batch size {} must be 1 to {} (HubSpot's batch limit)",
                                     options.batch_size, kHubSpotBatchLimit));
  }
  const auto started = options.client.clock.now();
  HubSpotPushSummary summary;
  summary.journal = JournalPath(options);
  auto outbox = ReadOutbox(options.outbox);
  if (!outbox.ok()) return outbox.status().WithContext("reading the outbox");
  const std::vector<OutboxContact>& contacts = outbox.value().contacts;
  auto acked = ReadJournal(summary.journal, outbox.value().content_hash);
  if (!acked.ok()) return acked.status();
  summary.contacts = contacts.size();
  summary.batches = BatchCount(contacts.size(), options.batch_size);
  for (const auto& [index, batch] : acked.value()) summary.rejected += batch.failed.size();

  HubSpotClient client(options.client);
  for (const auto& [index, batch] : acked.value()) {
    const size_t begin = index * options.batch_size;
    const size_t end = std::min(begin + options.batch_size, contacts.size());
    if (index >= summary.batches || batch.first != begin || batch.contacts != end - begin) {
      return Status::Error(fmt::format(
          "{}: batch {} covers contacts {} to {} of the outbox, which batches of {} do not cut; "
          "rerun with the batch size the journal was written with",
          summary.journal.string(), index + 1, batch.first + 1, batch.first + batch.contacts,
          options.batch_size));
    }
  }
  for (size_t index = 0; index < summary.batches; ++index) {
    if (acked.value().count(index) != 0) {
      ++summary.already_acked;
      continue;
    }
    const size_t begin = index * options.batch_size;
    const size_t end = std::min(begin + options.batch_size, contacts.size());
    auto answer = client.Post(kBatchUpdate, BatchBody(contacts, begin, end));
    if (!answer.ok()) {
      summary.calls = client.stats();
      return answer.status().WithContext(fmt::format(
          "batch {} of {} (contacts {} to {}, lines {} to {} of {}) was not written; {} "
          "batch(es) before it are acknowledged in {}; rerun to continue with this batch",
          index + 1, summary.batches, contacts[begin].id, contacts[end - 1].id, begin + 1, end,
          options.outbox.string(), summary.already_acked + summary.sent, summary.journal.string()));
    }
    AckedBatch done{index, begin, end - begin, RejectedIds(answer.value())};
    summary.rejected += done.failed.size();
    LEADSCORE_RETURN_IF_ERROR(AppendJournal(summary.journal, outbox.value().content_hash, done));
    ++summary.sent;
  }
  summary.calls = client.stats();
  summary.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(options.client.clock.now() - started);
  return summary;
}

}  // namespace leadscore
