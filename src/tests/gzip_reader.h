// Test helper: the decompressed text of a gzip file, read with zlib as any gzip reader would;
// fails the calling test (through the returned flag) on a damaged or truncated file.
#pragma once

#include <zlib.h>

#include <filesystem>
#include <string>

namespace leadscore {

struct GzipText {
  bool ok = false;
  std::string text;
};

inline GzipText ReadGzipFile(const std::filesystem::path& path) {
  GzipText result;
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return result;
  char chunk[1 << 16];
  int read = 0;
  while ((read = gzread(file, chunk, sizeof chunk)) > 0) {
    result.text.append(chunk, static_cast<size_t>(read));
  }
  result.ok = read == 0 && gzclose(file) == Z_OK;
  return result;
}

}  // namespace leadscore
