#include "common/atomic_files.h"

#include <unistd.h>
#include <zlib.h>

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

struct GzipStream {
  z_stream z{};
  std::string out;  // compressed bytes of one deflate call
  bool initialised = false;
  ~GzipStream() {
    if (initialised) deflateEnd(&z);
  }
};

OutputFile::OutputFile() = default;
OutputFile::~OutputFile() = default;

void OutputFile::Write(const char* data, size_t size) {
  if (size == 0 || write_failed_) return;
  write_failed_ = std::fwrite(data, 1, size, file_) != size;
  bytes_written_ += size;
}

void OutputFile::Flush() {
  if (gzip_ == nullptr) {
    Write(buffer_.data(), buffer_.size());
    buffer_.clear();
    return;
  }
  z_stream& z = gzip_->z;
  z.next_in = reinterpret_cast<Bytef*>(buffer_.data());
  z.avail_in = static_cast<uInt>(buffer_.size());
  do {  // Z_NO_FLUSH: deflate keeps what it cannot emit yet; loop until it took all input
    z.next_out = reinterpret_cast<Bytef*>(gzip_->out.data());
    z.avail_out = static_cast<uInt>(gzip_->out.size());
    deflate(&z, Z_NO_FLUSH);
    Write(gzip_->out.data(), gzip_->out.size() - z.avail_out);
  } while (z.avail_out == 0);
  buffer_.clear();
}

void OutputFile::WriteThrough(std::string_view bytes) {
  if (gzip_ != nullptr) {  // the bytes must go through the compressor like any others
    Append(bytes);
    return;
  }
  Flush();
  Write(bytes.data(), bytes.size());
}

void OutputFile::Finish() {
  Flush();
  if (gzip_ == nullptr) return;
  z_stream& z = gzip_->z;
  int result = Z_OK;
  while (result == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(gzip_->out.data());
    z.avail_out = static_cast<uInt>(gzip_->out.size());
    result = deflate(&z, Z_FINISH);
    Write(gzip_->out.data(), gzip_->out.size() - z.avail_out);
  }
  if (result != Z_STREAM_END) write_failed_ = true;
  gzip_.reset();
}

AtomicFileSet::~AtomicFileSet() {
  if (!committed_) RemoveTemporaries();
}

Status AtomicFileSet::CreateParents(const std::filesystem::path& final_path) {
  std::vector<std::filesystem::path> missing;
  for (auto dir = final_path.parent_path(); !dir.empty() && !std::filesystem::exists(dir);
       dir = dir.parent_path()) {
    missing.push_back(dir);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    std::error_code ec;
    std::filesystem::create_directory(*it, ec);
    if (ec) {
      return Status::Error("cannot create directory " + it->string() + ": " + ec.message() +
                           "; check that the output directory is writable");
    }
    created_dirs_.push_back(*it);
  }
  return Status::Ok();
}

Result<OutputFile*> AtomicFileSet::OpenGzip(const std::filesystem::path& final_path,
                                            const GzipOptions& options) {
  auto opened = Open(final_path);
  if (!opened.ok()) return opened.status();
  OutputFile* file = opened.value();
  auto gzip = std::make_unique<GzipStream>();
  // windowBits 15 + 16: a gzip wrapper; zlib writes mtime 0 and no file name.
  if (deflateInit2(&gzip->z, options.level, Z_DEFLATED, 15 + 16, options.mem_level,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Error("zlib cannot start a gzip stream for " + final_path.string() + " (level " +
                         std::to_string(options.level) + ", memLevel " +
                         std::to_string(options.mem_level) + ")");
  }
  gzip->initialised = true;
  gzip->out.resize(options.buffer_bytes / 2 + 1024);
  file->gzip_ = std::move(gzip);
  file->flush_at_ = options.buffer_bytes;
  file->buffer_ = std::string();
  file->buffer_.reserve(options.buffer_bytes + 4096);
  return file;
}

Result<OutputFile*> AtomicFileSet::Open(const std::filesystem::path& final_path) {
  LEADSCORE_RETURN_IF_ERROR(CreateParents(final_path));
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
    file->Finish();
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
  for (auto it = created_dirs_.rbegin(); it != created_dirs_.rend(); ++it) {
    std::error_code ignored;  // only empty folders go: remove() refuses others
    std::filesystem::remove(*it, ignored);
  }
  created_dirs_.clear();
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
