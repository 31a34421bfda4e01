// A short, stable fingerprint of bytes or a file (FNV-1a, 64 bit, as 16 hex digits). Used to
// tag MLflow runs with the data they saw and to name unregistered models; not a security hash.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace leadscore {

std::string ContentHash(std::string_view bytes);
Result<std::string> FileContentHash(const std::filesystem::path& path);

}  // namespace leadscore
