#include "common/whole_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/temp_dir_fixture.h"

namespace leadscore {
namespace {

namespace fs = std::filesystem;

class WholeFileTest : public TempDirTest {};

TEST_F(WholeFileTest, ReadsEveryByteOfAFileLargerThanOneChunk) {
  std::string bytes;
  for (int i = 0; i < 200000; ++i) bytes += static_cast<char>(i % 251);  // NULs included
  const fs::path path = dir_ / "big.bin";
  std::ofstream(path, std::ios::binary) << bytes;

  auto read = ReadWholeFile(path);

  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read.value(), bytes);
}

TEST_F(WholeFileTest, AnEmptyFileIsEmptyNotAnError) {
  const fs::path path = dir_ / "empty";
  std::ofstream empty(path);
  empty.close();

  auto read = ReadWholeFile(path);

  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read.value(), "");
}

TEST_F(WholeFileTest, AMissingFileIsNamedWithTheReason) {
  auto read = ReadWholeFile(dir_ / "absent.json");

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(),
            "cannot open " + (dir_ / "absent.json").string() + ": No such file or directory");
}

TEST_F(WholeFileTest, AFolderIsRefusedNotReadAsEmpty) {
  auto read = ReadWholeFile(dir_);

  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(),
            "cannot read " + dir_.string() + ": it is a folder, not a file");
}

}  // namespace
}  // namespace leadscore
