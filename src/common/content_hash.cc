#include "common/content_hash.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace leadscore {
namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

uint64_t Update(uint64_t hash, std::string_view bytes) {
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= kFnvPrime;
  }
  return hash;
}

std::string Hex(uint64_t hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4) out[static_cast<size_t>(i)] = kDigits[hash & 0xF];
  return out;
}

}  // namespace

std::string ContentHash(std::string_view bytes) { return Hex(Update(kFnvOffset, bytes)); }

Result<std::string> FileContentHash(const std::filesystem::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return Status::Error("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  uint64_t hash = kFnvOffset;
  char buffer[1 << 16];
  size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
    hash = Update(hash, std::string_view(buffer, read));
  }
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return Status::Error("error reading " + path.string());
  return Hex(hash);
}

}  // namespace leadscore
