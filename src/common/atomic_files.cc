#include "common/atomic_files.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace leadscore {
namespace {

std::filesystem::path TemporaryFor(const std::filesystem::path& final_path) {
  return final_path.parent_path() /
         ("." + final_path.filename().string() + ".tmp-" + std::to_string(::getpid()));
}

}  // namespace

void OutputFile::Flush() {
  if (!buffer_.empty() && !write_failed_) {
    write_failed_ = std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size();
  }
  buffer_.clear();
}

AtomicFileSet::~AtomicFileSet() {
  if (!committed_) RemoveTemporaries();
}

Result<OutputFile*> AtomicFileSet::Open(const std::filesystem::path& final_path) {
  auto file = std::make_unique<OutputFile>();
  file->final_path_ = final_path;
  file->temp_path_ = TemporaryFor(final_path);
  file->file_ = std::fopen(file->temp_path_.c_str(), "wb");
  if (file->file_ == nullptr) {
    return Status::Error("cannot create " + file->temp_path_.string() + ": " +
                         std::strerror(errno) + "; check that the directory is writable");
  }
  file->buffer_.reserve(OutputFile::kFlushAt + 4096);
  files_.push_back(std::move(file));
  return files_.back().get();
}

Status AtomicFileSet::Commit() {
  for (auto& file : files_) {
    file->Flush();
    const bool close_failed = std::fclose(file->file_) != 0;
    file->file_ = nullptr;
    if (file->write_failed_ || close_failed) {
      RemoveTemporaries();
      return Status::Error("writing " + file->final_path_.string() +
                           " failed (disk full?); nothing was replaced");
    }
  }
  for (auto& file : files_) {
    std::error_code ec;
    std::filesystem::rename(file->temp_path_, file->final_path_, ec);
    if (ec) {
      RemoveTemporaries();
      return Status::Error("cannot move " + file->temp_path_.string() + " to " +
                           file->final_path_.string() + ": " + ec.message());
    }
  }
  committed_ = true;
  return Status::Ok();
}

void AtomicFileSet::RemoveTemporaries() {
  for (auto& file : files_) {
    if (file->file_ != nullptr) {
      std::fclose(file->file_);
      file->file_ = nullptr;
    }
    std::error_code ignored;  // best effort: the temporary may already be renamed or gone
    std::filesystem::remove(file->temp_path_, ignored);
  }
}

Status EnsureWritableDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status::Error("cannot create output directory " + dir.string() + ": " + ec.message() +
                         "; choose another directory with --out");
  }
  const auto probe = dir / (".write-probe-" + std::to_string(::getpid()));
  std::FILE* file = std::fopen(probe.c_str(), "wb");
  if (file == nullptr) {
    return Status::Error("output directory " + dir.string() + " is not writable (" +
                         std::strerror(errno) + "); choose another directory with --out");
  }
  std::fclose(file);
  std::filesystem::remove(probe, ec);
  return Status::Ok();
}

}  // namespace leadscore
