// A whole file as text, for tests that compare what a command wrote: a file that cannot be
// read fails the test (naming it) and reads as "".
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/whole_file.h"

namespace leadscore {

inline std::string FileText(const std::filesystem::path& path) {
  auto text = ReadWholeFile(path);
  EXPECT_TRUE(text.ok()) << text.status().message();
  return text.ok() ? std::move(text).value() : std::string();
}

}  // namespace leadscore
