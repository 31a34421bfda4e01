// The two files of a resumable HubSpot write-back (`leadscore push hubspot`):
//  - the outbox: one contact per line, {"id": "<HubSpot record id>", "properties": {"name":
//    "value", ...}} (values strings, as HubSpot stores them), written whole by whoever
//    prepared the changes; its batches are fixed by line order and the batch size, so a rerun
//    cuts the same batches;
//  - the journal: one line per batch HubSpot acknowledged, appended and fsync'ed after the
//    2xx and before the next batch is sent, carrying the outbox's content hash so a journal
//    is never applied to another outbox. A torn last line (a crash while appending) counts as
//    not written and is cut off before the next append.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace leadscore {

struct OutboxContact {
  std::string id;                                 // HubSpot record id: decimal digits
  std::map<std::string, std::string> properties;  // at least one
};

struct Outbox {
  std::vector<OutboxContact> contacts;  // in file order
  std::string content_hash;             // ContentHash of the file's bytes
};

// Reads and checks the whole outbox; errors name the file, the line and the field.
Result<Outbox> ReadOutbox(const std::filesystem::path& path);

// Batch `index` (from 0) of `batch_size` contacts: [index * size, min(+size, count)).
size_t BatchCount(size_t contacts, size_t batch_size);

struct AckedBatch {
  size_t index = 0;                 // batch number, from 0
  size_t first = 0;                 // its first contact's position in the outbox, from 0
  size_t contacts = 0;              // contacts sent in it
  std::vector<std::string> failed;  // ids HubSpot rejected inside a 2xx (207 multi-status)
};

// Batch index -> what was acknowledged. A missing journal is empty. Errors (a line that is
// not a journal record, a record of another outbox) name the file and line and what to do.
Result<std::map<size_t, AckedBatch>> ReadJournal(const std::filesystem::path& path,
                                                 const std::string& outbox_hash);

// Appends one acknowledged batch as a line and fsyncs the file before returning; first cuts
// off a torn last line. Not thread-safe: one writer per journal.
Status AppendJournal(const std::filesystem::path& path, const std::string& outbox_hash,
                     const AckedBatch& batch);

}  // namespace leadscore
