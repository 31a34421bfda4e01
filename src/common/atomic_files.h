// Writes a set of output files so that readers see either all of the new files or none:
// each file is written to a hidden temporary beside its target and renamed into place only
// by Commit(). Destroying an uncommitted set deletes its temporaries, so a failed or
// interrupted command leaves the previous outputs intact.
// Not thread-safe; one writer per set.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace leadscore {

// A buffered output file. Append() copies into a large buffer; write errors (disk full)
// are remembered and reported by AtomicFileSet::Commit().
class OutputFile {
 public:
  void Append(std::string_view text) {
    buffer_.append(text);
    if (buffer_.size() >= kFlushAt) Flush();
  }
  std::string& buffer() { return buffer_; }  // for in-place formatting; call MaybeFlush() after
  void MaybeFlush() {
    if (buffer_.size() >= kFlushAt) Flush();
  }

 private:
  friend class AtomicFileSet;
  static constexpr size_t kFlushAt = 1 << 20;
  void Flush();

  std::FILE* file_ = nullptr;
  std::filesystem::path temp_path_;
  std::filesystem::path final_path_;
  std::string buffer_;
  bool write_failed_ = false;
};

class AtomicFileSet {
 public:
  AtomicFileSet() = default;
  AtomicFileSet(const AtomicFileSet&) = delete;
  AtomicFileSet& operator=(const AtomicFileSet&) = delete;
  ~AtomicFileSet();

  // Creates the temporary for `final_path`. The returned pointer stays owned by the set and
  // valid until the set is destroyed.
  Result<OutputFile*> Open(const std::filesystem::path& final_path);

  // Flushes and closes every file, then renames all temporaries into place.
  Status Commit();

 private:
  void RemoveTemporaries();
  std::vector<std::unique_ptr<OutputFile>> files_;
  bool committed_ = false;
};

// Checks that `dir` exists (creating it if needed) and that a file can be created in it,
// so a command fails before doing any work when its output cannot be written.
Status EnsureWritableDirectory(const std::filesystem::path& dir);

}  // namespace leadscore
