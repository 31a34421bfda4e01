// Formats rows of the raw tables (docs/raw-data.md) into OutputFiles. Numbers go through
// std::to_chars, so the bytes depend on the values only, never on locale or platform.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "common/atomic_files.h"
#include "datagen/story.h"

namespace leadscore {

enum class DealStage { kClosedWon, kClosedLost, kOpen };

class RawWriter {
 public:
  // Opens sessions.csv, contacts.csv, deals.csv and truth.csv in `dir` within `files`.
  static Result<RawWriter> Open(AtomicFileSet& files, const std::filesystem::path& dir);

  void WriteSession(std::string_view visitor_id, const Session& session, std::string_view channel);
  void WriteContact(std::string_view contact_id, std::string_view visitor_id,
                    std::string_view email, int64_t created_at);
  // amount_cents < 0 and close_date < 0 write empty fields.
  void WriteDeal(int64_t deal_number, std::string_view contact_id, DealStage stage,
                 int64_t amount_cents, int64_t close_date);
  void WriteTruth(std::string_view visitor_id, double p_won);

 private:
  OutputFile* sessions_ = nullptr;
  OutputFile* contacts_ = nullptr;
  OutputFile* deals_ = nullptr;
  OutputFile* truth_ = nullptr;
};

// "V0000000042"-style ids: a letter and ten digits.
std::string NumberedId(char prefix, int64_t number);

}  // namespace leadscore
