#include "sync/jsonl_store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/file_text.h"
#include "tests/temp_dir_fixture.h"

namespace leadscore {
namespace {

CrmObject Object(const std::string& id, const std::string& email, bool archived = false) {
  return CrmObject{id, R"({"id":")" + id + R"(","properties":{"email":")" + email + R"("}})", 0,
                   archived};
}

TEST(NumericIdLess, OrdersDecimalIdsByValue) {
  ObjectLines lines;
  for (const char* id : {"10", "9", "100", "1", "abc"}) lines[id] = id;
  std::vector<std::string> order;
  for (const auto& [id, line] : lines) order.push_back(id);
  EXPECT_EQ(order, (std::vector<std::string>{"1", "9", "10", "100", "abc"}));
}

TEST(MergeObjects, ReplacesByIdAddsNewAndRemovesArchived) {
  ObjectLines lines;
  MergeObjects(lines, {Object("1", "a"), Object("2", "b"), Object("3", "c")});
  MergeCounts counts = MergeObjects(
      lines,
      {Object("2", "b2"), Object("1", "a"), Object("4", "d"), Object("3", "c", /*archived=*/true)},
      {"99"});
  EXPECT_EQ(counts.added, 1u);
  EXPECT_EQ(counts.updated, 1u);
  EXPECT_EQ(counts.unchanged, 1u);
  EXPECT_EQ(counts.removed, 1u);  // 3; 99 was never there
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines["2"], Object("2", "b2").json);
}

class JsonlStoreTest : public TempDirTest {};

TEST_F(JsonlStoreTest, WritesSortedLinesThatReadBack) {
  ObjectLines lines;
  MergeObjects(lines, {Object("20", "x"), Object("3", "y")});
  {
    AtomicFileSet files;
    auto out = files.Open(dir_ / "contacts.jsonl");
    ASSERT_TRUE(out.ok());
    WriteObjectLines(lines, *out.value());
    ASSERT_TRUE(files.Commit().ok());
  }
  EXPECT_EQ(FileText(dir_ / "contacts.jsonl"),
            Object("3", "y").json + "\n" + Object("20", "x").json + "\n");
  auto read = ReadObjectLines(dir_ / "contacts.jsonl");
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read.value(), lines);
}

TEST_F(JsonlStoreTest, MissingFileIsEmptyAndABadLineNamesFileAndLine) {
  auto missing = ReadObjectLines(dir_ / "none.jsonl");
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing.value().empty());
  std::ofstream(dir_ / "deals.jsonl") << R"({"id":"1"})"
                                      << "\n"
                                      << R"({"id":2})"
                                      << "\n";
  auto bad = ReadObjectLines(dir_ / "deals.jsonl");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("deals.jsonl:2:"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace leadscore
