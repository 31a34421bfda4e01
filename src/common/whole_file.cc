#include "common/whole_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace leadscore {

Result<std::string> ReadWholeFile(const std::filesystem::path& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return Status::Error("cannot read " + path.string() + ": it is a folder, not a file");
  }
  // stdio rather than iostreams: ferror() tells a failed read from the end of the file.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return Status::Error("cannot open " + path.string() + ": " + std::strerror(errno));
  std::string bytes;
  char chunk[1 << 16];
  size_t got = 0;
  while ((got = std::fread(chunk, 1, sizeof chunk, file.get())) > 0) bytes.append(chunk, got);
  if (std::ferror(file.get())) {
    return Status::Error("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  return bytes;
}

}  // namespace leadscore
