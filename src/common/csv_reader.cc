#include "common/csv_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace leadscore {

CsvReader::~CsvReader() {
  if (file_ != nullptr) std::fclose(file_);
}

CsvReader::CsvReader(CsvReader&& other) noexcept
    : file_(other.file_),
      path_(std::move(other.path_)),
      header_(std::move(other.header_)),
      storage_(std::move(other.storage_)),
      line_(other.line_),
      next_line_(other.next_line_),
      status_(std::move(other.status_)) {
  other.file_ = nullptr;
}

Result<CsvReader> CsvReader::Open(const std::filesystem::path& path,
                                  const std::vector<std::string>& required_columns) {
  CsvReader reader;
  reader.path_ = path;
  reader.file_ = std::fopen(path.c_str(), "rb");
  if (reader.file_ == nullptr) {
    return Status::Error(path.string() + ": cannot open (" + std::strerror(errno) +
                         "); check the path");
  }
  if (!reader.ReadRecord(reader.header_) ||
      (reader.header_.size() == 1 && reader.header_[0].empty())) {
    return Status::Error(path.string() + " is empty: it needs a header line and data rows");
  }
  // A UTF-8 byte order mark would otherwise become part of the first column's name.
  if (reader.header_[0].starts_with("\xEF\xBB\xBF")) reader.header_[0].erase(0, 3);
  std::string missing;
  for (const auto& column : required_columns) {
    if (reader.ColumnIndex(column) < 0) missing += (missing.empty() ? "" : ", ") + column;
  }
  if (!missing.empty()) {
    std::string found;
    for (const auto& column : reader.header_) found += (found.empty() ? "" : ", ") + column;
    return Status::Error(path.string() + ": missing column(s) " + missing + " (found: " + found +
                         ")");
  }
  return reader;
}

int CsvReader::GetChar() { return getc_unlocked(file_); }  // single-threaded by contract

bool CsvReader::ReadRecord(std::vector<std::string>& out) {
  out.clear();
  int c = GetChar();
  if (c == EOF) return false;
  line_ = next_line_;
  std::string field;
  bool quoted = false;
  for (;; c = GetChar()) {
    if (quoted) {
      if (c == EOF) {
        status_ = Status::Error(path_.string() + " line " + std::to_string(line_) +
                                ": a quoted field is never closed");
        return false;
      }
      if (c != '"') {
        if (c == '\n') ++next_line_;
        field.push_back(static_cast<char>(c));
        continue;
      }
      c = GetChar();  // a doubled quote is a literal quote; anything else closes the field
      if (c == '"') {
        field.push_back('"');
        continue;
      }
      quoted = false;  // fall through: `c` is the character after the closing quote
    }
    if (c == '"' && field.empty()) {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == EOF) {
      out.push_back(std::move(field));
      ++next_line_;
      return true;
    } else if (c != '\r') {
      field.push_back(static_cast<char>(c));
    }
  }
}

bool CsvReader::Next() {
  if (!status_.ok()) return false;
  do {
    if (!ReadRecord(storage_)) return false;
  } while (storage_.size() == 1 && storage_[0].empty());  // blank lines carry no row
  if (storage_.size() != header_.size()) {
    status_ = Status::Error(path_.string() + " line " + std::to_string(line_) + ": has " +
                            std::to_string(storage_.size()) + " fields, the header has " +
                            std::to_string(header_.size()));
    return false;
  }
  fields_.assign(storage_.begin(), storage_.end());
  return true;
}

int CsvReader::ColumnIndex(std::string_view name) const {
  auto it = std::find(header_.begin(), header_.end(), name);
  return it == header_.end() ? -1 : static_cast<int>(it - header_.begin());
}

Status CsvReader::FieldError(int column, const std::string& what) const {
  return Status::Error(path_.string() + " line " + std::to_string(line_) + ", column " +
                       header_[static_cast<size_t>(column)] + ": " + what);
}

}  // namespace leadscore
