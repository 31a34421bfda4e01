// A streaming CSV reader (RFC 4180: quoted fields, doubled quotes, CRLF or LF) that knows the
// header and the current line number, so every error can name file, line and column.
// Not thread-safe. Fields returned by Row() stay valid until the next call to Next().
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace leadscore {

class CsvReader {
 public:
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;
  CsvReader(CsvReader&& other) noexcept;

  // Opens `path` and reads its header. Fails when the file is missing, empty, or lacks any
  // of `required_columns` (the message lists what is missing and what was found).
  static Result<CsvReader> Open(const std::filesystem::path& path,
                                const std::vector<std::string>& required_columns);

  // Advances to the next data row; false at end of file or on error (see status()).
  bool Next();
  const Status& status() const { return status_; }

  // Index of a header column, or -1.
  int ColumnIndex(std::string_view name) const;
  std::string_view Field(int column) const { return fields_[static_cast<size_t>(column)]; }
  size_t field_count() const { return fields_.size(); }
  // 1-based line number of the current row in the file (the header is line 1).
  size_t line() const { return line_; }
  const std::filesystem::path& path() const { return path_; }

  // "FILE line N, column C: <what>" — the prefix every field error uses.
  Status FieldError(int column, const std::string& what) const;

 private:
  CsvReader() = default;
  bool ReadRecord(std::vector<std::string>& out);
  int GetChar();

  std::FILE* file_ = nullptr;
  std::filesystem::path path_;
  std::vector<std::string> header_;
  std::vector<std::string> storage_;
  std::vector<std::string_view> fields_;
  size_t line_ = 0;
  size_t next_line_ = 1;
  Status status_;
};

}  // namespace leadscore
