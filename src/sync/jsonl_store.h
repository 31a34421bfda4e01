// A CRM object file (hubspot/contacts.jsonl, hubspot/deals.jsonl): one JSON object per line,
// sorted by id in numeric order. Read whole into memory, merged with changed objects by id,
// written back through an AtomicFileSet.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/atomic_files.h"
#include "common/status.h"
#include "sync/crm_reader.h"

namespace leadscore {

// Orders decimal ids numerically ("9" < "10"); other ids after them, lexicographically.
struct NumericIdLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

// id -> the object's line (without its newline).
using ObjectLines = std::map<std::string, std::string, NumericIdLess>;

// The objects of `path`; a missing file is empty. Errors name the file and line.
Result<ObjectLines> ReadObjectLines(const std::filesystem::path& path);

struct MergeCounts {
  size_t added = 0;
  size_t updated = 0;    // present before with different content
  size_t unchanged = 0;  // fetched again, identical
  size_t removed = 0;    // archived objects that were in the file
};

// Replaces or adds each of `changed` by id (an archived one is removed instead), then removes
// `removed_ids`.
MergeCounts MergeObjects(ObjectLines& lines, const std::vector<CrmObject>& changed,
                         const std::vector<std::string>& removed_ids = {});

// Writes the lines in id order, one per line.
void WriteObjectLines(const ObjectLines& lines, OutputFile& out);

}  // namespace leadscore
