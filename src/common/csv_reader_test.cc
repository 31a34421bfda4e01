#include "common/csv_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/temp_dir_fixture.h"

namespace leadscore {
namespace {

namespace fs = std::filesystem;

// Each test gets its own directory under the system temp dir, removed in TearDown.
class CsvReaderTest : public TempDirTest {
 protected:
  fs::path Write(const std::string& name, const std::string& bytes) {
    fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // The remaining rows as strings, and their line numbers when `lines` is given.
  static std::vector<std::vector<std::string>> ReadAll(CsvReader& reader,
                                                       std::vector<size_t>* lines = nullptr) {
    std::vector<std::vector<std::string>> rows;
    while (reader.Next()) {
      std::vector<std::string> row;
      for (size_t i = 0; i < reader.field_count(); ++i) {
        row.emplace_back(reader.Field(static_cast<int>(i)));
      }
      rows.push_back(std::move(row));
      if (lines != nullptr) lines->push_back(reader.line());
    }
    return rows;
  }
};

using Rows = std::vector<std::vector<std::string>>;

TEST_F(CsvReaderTest, ReadsPlainRowsWithLineNumbers) {
  const auto path = Write("plain.csv", "id,name\n1,a\n2,b\n");
  auto opened = CsvReader::Open(path, {"id", "name"});
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  CsvReader& reader = opened.value();
  EXPECT_EQ(reader.ColumnIndex("id"), 0);
  EXPECT_EQ(reader.ColumnIndex("name"), 1);
  EXPECT_EQ(reader.ColumnIndex("missing"), -1);
  std::vector<size_t> lines;
  EXPECT_EQ(ReadAll(reader, &lines), (Rows{{"1", "a"}, {"2", "b"}}));
  EXPECT_EQ(lines, (std::vector<size_t>{2, 3}));
  EXPECT_TRUE(reader.status().ok()) << reader.status().message();
  EXPECT_FALSE(reader.Next());  // stays at the end
}

TEST_F(CsvReaderTest, UnquotesCommasDoubledQuotesAndEmbeddedNewlines) {
  const auto path = Write("quoted.csv",
                          "id,name,note\n"
                          "1,\"Smith, John\",\"say \"\"hi\"\"\"\n"
                          "2,\"line one\nline two\",\"\"\n"
                          "3,plain,\"x\"\n");
  auto opened = CsvReader::Open(path, {"id"});
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  std::vector<size_t> lines;
  EXPECT_EQ(ReadAll(opened.value(), &lines), (Rows{{"1", "Smith, John", "say \"hi\""},
                                                   {"2", "line one\nline two", ""},
                                                   {"3", "plain", "x"}}));
  // The second record spans lines 3 and 4, so the third starts on line 5.
  EXPECT_EQ(lines, (std::vector<size_t>{2, 3, 5}));
  EXPECT_TRUE(opened.value().status().ok());
}

TEST_F(CsvReaderTest, LineNumbersAfterAnEmbeddedNewlineNameTheRightLineInErrors) {
  const auto path = Write("late_error.csv", "a,b\n\"x\ny\nz\",1\n2,3\n4\n");
  auto opened = CsvReader::Open(path, {"a", "b"});
  ASSERT_TRUE(opened.ok());
  CsvReader& reader = opened.value();
  EXPECT_EQ(ReadAll(reader), (Rows{{"x\ny\nz", "1"}, {"2", "3"}}));
  EXPECT_EQ(reader.status().message(), path.string() + " line 6: has 1 fields, the header has 2");
}

TEST_F(CsvReaderTest, StripsCarriageReturnsOfCrlfLines) {
  const auto path = Write("crlf.csv", "a,b\r\n1,2\r\n\"q\",4\r\n");
  auto opened = CsvReader::Open(path, {"a", "b"});
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  std::vector<size_t> lines;
  EXPECT_EQ(ReadAll(opened.value(), &lines), (Rows{{"1", "2"}, {"q", "4"}}));
  EXPECT_EQ(lines, (std::vector<size_t>{2, 3}));
}

TEST_F(CsvReaderTest, IgnoresUtf8ByteOrderMarkInHeader) {
  const auto path = Write("bom.csv", "\xEF\xBB\xBFid,x\n1,2\n");
  auto opened = CsvReader::Open(path, {"id", "x"});
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(opened.value().ColumnIndex("id"), 0);
  EXPECT_EQ(ReadAll(opened.value()), (Rows{{"1", "2"}}));
}

TEST_F(CsvReaderTest, ReadsLastRowWithoutTrailingNewlineAndSkipsBlankLines) {
  const auto path = Write("tail.csv", "a\n1\n\n\r\n2");
  auto opened = CsvReader::Open(path, {"a"});
  ASSERT_TRUE(opened.ok());
  std::vector<size_t> lines;
  EXPECT_EQ(ReadAll(opened.value(), &lines), (Rows{{"1"}, {"2"}}));
  EXPECT_EQ(lines, (std::vector<size_t>{2, 5}));
  EXPECT_TRUE(opened.value().status().ok());
}

TEST_F(CsvReaderTest, MissingColumnMessageListsMissingAndFoundColumns) {
  const auto path = Write("cols.csv", "id,x,y\n1,2,3\n");
  auto opened = CsvReader::Open(path, {"id", "label", "score"});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().message(),
            path.string() + ": missing column(s) label, score (found: id, x, y)");
}

TEST_F(CsvReaderTest, EmptyFileIsRejectedNamingTheFile) {
  for (const char* bytes : {"", "\n"}) {
    const auto path = Write("empty.csv", bytes);
    auto opened = CsvReader::Open(path, {"id"});
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().message(),
              path.string() + " is empty: it needs a header line and data rows");
  }
}

TEST_F(CsvReaderTest, MissingFileIsRejectedNamingThePath) {
  const auto path = dir_ / "nope.csv";
  auto opened = CsvReader::Open(path, {"id"});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().message().rfind(path.string() + ": cannot open (", 0), 0u)
      << opened.status().message();
}

TEST_F(CsvReaderTest, WrongFieldCountStopsWithLineNumber) {
  const auto path = Write("count.csv", "a,b\n1,2\n3,4,5\n6,7\n");
  auto opened = CsvReader::Open(path, {"a"});
  ASSERT_TRUE(opened.ok());
  CsvReader& reader = opened.value();
  ASSERT_TRUE(reader.Next());
  EXPECT_FALSE(reader.Next());
  EXPECT_EQ(reader.status().message(), path.string() + " line 3: has 3 fields, the header has 2");
  EXPECT_FALSE(reader.Next());  // an error is sticky
}

TEST_F(CsvReaderTest, UnclosedQuoteIsAnErrorNamingItsLine) {
  const auto path = Write("open_quote.csv", "a,b\n1,2\n3,\"never\nclosed\n");
  auto opened = CsvReader::Open(path, {"a"});
  ASSERT_TRUE(opened.ok());
  CsvReader& reader = opened.value();
  ASSERT_TRUE(reader.Next());
  EXPECT_FALSE(reader.Next());
  EXPECT_EQ(reader.status().message(), path.string() + " line 3: a quoted field is never closed");
}

TEST_F(CsvReaderTest, FieldErrorNamesFileLineAndColumn) {
  const auto path = Write("field.csv", "id,score\n1,0.5\n2,oops\n");
  auto opened = CsvReader::Open(path, {"id", "score"});
  ASSERT_TRUE(opened.ok());
  CsvReader& reader = opened.value();
  ASSERT_TRUE(reader.Next());
  ASSERT_TRUE(reader.Next());
  const Status error = reader.FieldError(reader.ColumnIndex("score"), "'oops' is not a number");
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.message(), path.string() + " line 3, column score: 'oops' is not a number");
  EXPECT_EQ(reader.path(), path);
}

}  // namespace
}  // namespace leadscore
