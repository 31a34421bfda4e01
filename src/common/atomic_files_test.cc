#include "common/atomic_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "tests/file_text.h"
#include "tests/gzip_reader.h"
#include "tests/temp_dir_fixture.h"

namespace leadscore {
namespace {

namespace fs = std::filesystem;

class AtomicFilesTest : public TempDirTest {
 protected:
  // Names of every entry in `dir`, hidden temporaries included.
  static std::set<std::string> Entries(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename());
    return names;
  }
};

TEST_F(AtomicFilesTest, FilesAppearOnlyAfterCommit) {
  AtomicFileSet files;
  auto a = files.Open(dir_ / "a.csv");
  auto b = files.Open(dir_ / "b.csv");
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  a.value()->Append("x,y\n");
  a.value()->Append("1,2\n");
  b.value()->buffer().append("only\n");
  b.value()->MaybeFlush();

  EXPECT_FALSE(fs::exists(dir_ / "a.csv"));
  EXPECT_FALSE(fs::exists(dir_ / "b.csv"));

  const Status committed = files.Commit();
  ASSERT_TRUE(committed.ok()) << committed.message();
  EXPECT_EQ(FileText(dir_ / "a.csv"), "x,y\n1,2\n");
  EXPECT_EQ(FileText(dir_ / "b.csv"), "only\n");
  EXPECT_EQ(Entries(dir_), (std::set<std::string>{"a.csv", "b.csv"}));  // no temporaries left
}

TEST_F(AtomicFilesTest, CommitWritesContentLargerThanTheBufferExactly) {
  std::string expected;
  {
    AtomicFileSet files;
    auto file = files.Open(dir_ / "big.txt");
    ASSERT_TRUE(file.ok());
    for (int i = 0; expected.size() < size_t{3} << 20; ++i) {  // three buffer flushes and more
      const std::string line = "line " + std::to_string(i) + "\n";
      file.value()->Append(line);
      expected += line;
    }
    EXPECT_FALSE(fs::exists(dir_ / "big.txt"));
    ASSERT_TRUE(files.Commit().ok());
  }
  EXPECT_EQ(FileText(dir_ / "big.txt"), expected);
  EXPECT_EQ(Entries(dir_), (std::set<std::string>{"big.txt"}));
}

TEST_F(AtomicFilesTest, CommitReplacesPreviousContent) {
  std::ofstream(dir_ / "a.csv") << "old\n";
  AtomicFileSet files;
  auto file = files.Open(dir_ / "a.csv");
  ASSERT_TRUE(file.ok());
  file.value()->Append("new\n");
  EXPECT_EQ(FileText(dir_ / "a.csv"), "old\n");
  ASSERT_TRUE(files.Commit().ok());
  EXPECT_EQ(FileText(dir_ / "a.csv"), "new\n");
}

TEST_F(AtomicFilesTest, DestroyingAnUncommittedSetKeepsOldFilesAndRemovesTemporaries) {
  std::ofstream(dir_ / "a.csv") << "old a\n";
  {
    AtomicFileSet files;
    auto a = files.Open(dir_ / "a.csv");
    auto b = files.Open(dir_ / "b.csv");
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    // Past the flush threshold, so the temporary really holds data on disk.
    a.value()->Append(std::string(size_t{2} << 20, 'n'));
    b.value()->Append("new b\n");
    EXPECT_EQ(Entries(dir_).size(), 3u);  // a.csv and two temporaries
  }
  EXPECT_EQ(FileText(dir_ / "a.csv"), "old a\n");
  EXPECT_FALSE(fs::exists(dir_ / "b.csv"));
  EXPECT_EQ(Entries(dir_), (std::set<std::string>{"a.csv"}));
}

TEST_F(AtomicFilesTest, OpenFailsBelowARegularFileNamingThePath) {
  std::ofstream(dir_ / "file") << "keep\n";
  AtomicFileSet files;
  auto file = files.Open(dir_ / "file" / "sub" / "a.csv");
  ASSERT_FALSE(file.ok());
  const std::string& message = file.status().message();
  EXPECT_NE(message.find((dir_ / "file").string()), std::string::npos) << message;
  EXPECT_NE(message.find("writable"), std::string::npos) << message;
}

TEST_F(AtomicFilesTest, MissingFoldersAppearWithTheFilesAndGoAwayWithoutACommit) {
  {
    AtomicFileSet files;
    auto file = files.Open(dir_ / "a" / "b" / "x.jsonl");
    ASSERT_TRUE(file.ok()) << file.status().message();
    file.value()->Append("x\n");
    EXPECT_TRUE(fs::is_directory(dir_ / "a" / "b"));
  }  // not committed
  EXPECT_TRUE(fs::is_empty(dir_)) << "the folders the set created are gone";

  AtomicFileSet files;
  auto file = files.Open(dir_ / "a" / "b" / "x.jsonl");
  ASSERT_TRUE(file.ok()) << file.status().message();
  file.value()->Append("x\n");
  ASSERT_TRUE(files.Commit().ok());
  EXPECT_EQ(FileText(dir_ / "a" / "b" / "x.jsonl"), "x\n");
  EXPECT_EQ(Entries(dir_ / "a" / "b"), (std::set<std::string>{"x.jsonl"}));
}

TEST_F(AtomicFilesTest, GzipFilesRoundTripAndAreByteIdenticalForEqualInput) {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "{\"row\":\"" + std::to_string(i) + "\"}\n";
  for (const char* name : {"a.jsonl.gz", "b.jsonl.gz"}) {
    AtomicFileSet files;
    auto file = files.OpenGzip(dir_ / name, GzipOptions{.level = 1, .mem_level = 6});
    ASSERT_TRUE(file.ok()) << file.status().message();
    for (size_t at = 0; at < text.size(); at += 1000) file.value()->Append(text.substr(at, 1000));
    ASSERT_TRUE(files.Commit().ok());
  }
  const std::string a = FileText(dir_ / "a.jsonl.gz");
  EXPECT_EQ(a, FileText(dir_ / "b.jsonl.gz"));
  ASSERT_GT(a.size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>(a[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(a[1]), 0x8b);
  EXPECT_EQ(a.substr(4, 4), std::string(4, '\0')) << "mtime 0: no build-time bytes";
  EXPECT_LT(a.size(), text.size() / 4);
  const GzipText read = ReadGzipFile(dir_ / "a.jsonl.gz");
  ASSERT_TRUE(read.ok);
  EXPECT_TRUE(read.text == text);
}

TEST_F(AtomicFilesTest, AnEmptyGzipFileIsAValidEmptyStream) {
  AtomicFileSet files;
  ASSERT_TRUE(files.OpenGzip(dir_ / "empty.gz", GzipOptions{}).ok());
  ASSERT_TRUE(files.Commit().ok());
  const GzipText read = ReadGzipFile(dir_ / "empty.gz");
  EXPECT_TRUE(read.ok);
  EXPECT_TRUE(read.text.empty());
}

TEST_F(AtomicFilesTest, EnsureWritableDirectoryCreatesNestedDirectoriesAndLeavesNoProbe) {
  const fs::path out = dir_ / "x" / "y";
  const Status status = EnsureWritableDirectory(out);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_TRUE(fs::is_directory(out));
  EXPECT_TRUE(fs::is_empty(out));
  // An existing directory is fine too.
  EXPECT_TRUE(EnsureWritableDirectory(out).ok());
  EXPECT_TRUE(fs::is_empty(out));
}

TEST_F(AtomicFilesTest, EnsureWritableDirectoryFailsBelowARegularFile) {
  // Tests may run as root, which ignores permission bits: a path below a regular file cannot
  // be a directory for anyone.
  std::ofstream(dir_ / "file") << "keep\n";
  const fs::path out = dir_ / "file" / "sub";
  const Status status = EnsureWritableDirectory(out);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(out.string()), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("--out"), std::string::npos) << status.message();
  EXPECT_EQ(FileText(dir_ / "file"), "keep\n");
  EXPECT_EQ(Entries(dir_), (std::set<std::string>{"file"}));
}

TEST_F(AtomicFilesTest, EnsureWritableDirectoryFailsBelowEtcPasswd) {
  const Status status = EnsureWritableDirectory("/etc/passwd/sub");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/etc/passwd/sub"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace leadscore
