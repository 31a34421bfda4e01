// Writes a set of output files so that readers see either all of the new files or none:
// each file is written to a hidden temporary beside its target and renamed into place only
// by Commit(). Destroying an uncommitted set deletes its temporaries, so a failed or
// interrupted command leaves the previous outputs intact.
// Files may be gzip-compressed on the fly (OpenGzip) and may lie in subfolders the set
// creates; a failed set removes the folders it created (when empty).
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

// zlib's deflate stream of a gzip OutputFile (defined in atomic_files.cc: zlib stays there).
struct GzipStream;

// How OpenGzip compresses: zlib's level (1 fastest .. 9 smallest) and memLevel (1..9: the
// match-finder's memory, (1 << (memLevel + 9)) bytes, plus a 128 KiB window per file).
// The gzip header has mtime 0 and no name, so equal input gives equal bytes.
struct GzipOptions {
  int level = 6;
  int mem_level = 8;
  size_t buffer_bytes = 64 << 10;  // uncompressed bytes collected before each deflate call
};

// A buffered output file. Append() copies into a buffer; write errors (disk full) are
// remembered and reported by AtomicFileSet::Commit().
class OutputFile {
 public:
  OutputFile();
  ~OutputFile();
  void Append(std::string_view text) {
    buffer_.append(text);
    MaybeFlush();
  }
  std::string& buffer() { return buffer_; }  // for in-place formatting; call MaybeFlush() after
  // Writes `bytes` after what is buffered without copying them into the buffer: for writers
  // that assemble large blocks themselves (Parquet column chunks). On a gzip file: Append().
  void WriteThrough(std::string_view bytes);
  void MaybeFlush() {
    if (buffer_.size() >= flush_at_) Flush();
  }
  const std::filesystem::path& final_path() const { return final_path_; }
  uint64_t bytes_written() const { return bytes_written_; }  // on disk so far (compressed)

 private:
  friend class AtomicFileSet;
  static constexpr size_t kFlushAt = 1 << 20;
  void Flush();
  void Finish();  // flushes; ends the gzip stream
  void Write(const char* data, size_t size);

  std::FILE* file_ = nullptr;
  std::filesystem::path temp_path_;
  std::filesystem::path final_path_;
  std::string buffer_;
  size_t flush_at_ = kFlushAt;
  std::unique_ptr<GzipStream> gzip_;
  uint64_t bytes_written_ = 0;
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
  // Missing parent folders are created (and removed again if the set is not committed).
  Result<OutputFile*> Open(const std::filesystem::path& final_path);
  // Like Open, but the bytes appended are written gzip-compressed (RFC 1952).
  Result<OutputFile*> OpenGzip(const std::filesystem::path& final_path, const GzipOptions& options);

  // Flushes and closes every file, then renames all temporaries into place.
  Status Commit();

 private:
  void RemoveTemporaries();
  Status CreateParents(const std::filesystem::path& final_path);
  std::vector<std::unique_ptr<OutputFile>> files_;
  std::vector<std::filesystem::path> created_dirs_;  // in creation order
  bool committed_ = false;
};

// Checks that `dir` exists (creating it if needed) and that a file can be created in it,
// so a command fails before doing any work when its output cannot be written.
Status EnsureWritableDirectory(const std::filesystem::path& dir);

}  // namespace leadscore
