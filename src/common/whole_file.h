// Reads a whole file into memory: for the small files the engine reads at once (a model's
// JSON, web assets, a sync state), not for data, which is streamed (csv_reader.h).
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"

namespace leadscore {

// The file's bytes, or an error naming the file and the system's reason ("cannot open
// PATH: No such file or directory", "cannot read PATH: …"). Callers add what to do.
Result<std::string> ReadWholeFile(const std::filesystem::path& path);

}  // namespace leadscore
