#include "sync/push_outbox.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/file_text.h"
#include "tests/temp_dir_fixture.h"

namespace leadscore {
namespace {

class PushOutboxTest : public TempDirTest {
 protected:
  std::filesystem::path Write(const std::string& name, const std::string& text) {
    std::filesystem::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
};

TEST_F(PushOutboxTest, ReadsContactsInFileOrder) {
  auto outbox =
      ReadOutbox(Write("o.jsonl", R"({"id":"12","properties":{"leadscore_grade":"A"}})"
                                  "\n"
                                  R"({"id":"3","properties":{"leadscore_score":"0.1200"}})"
                                  "\n"));
  ASSERT_TRUE(outbox.ok()) << outbox.status().message();
  ASSERT_EQ(outbox.value().contacts.size(), 2u);
  EXPECT_EQ(outbox.value().contacts[0].id, "12");
  EXPECT_EQ(outbox.value().contacts[1].properties.at("leadscore_score"), "0.1200");
  EXPECT_EQ(outbox.value().content_hash.size(), 16u);
}

TEST_F(PushOutboxTest, RejectsANonNumericIdNamingFileLineAndField) {
  auto outbox = ReadOutbox(Write("o.jsonl", R"({"id":"1","properties":{"a":"b"}})"
                                            "\n"
                                            R"({"id":"ada@example.com","properties":{"a":"b"}})"
                                            "\n"));
  ASSERT_FALSE(outbox.ok());
  EXPECT_NE(outbox.status().message().find("o.jsonl:2: field id"), std::string::npos)
      << outbox.status().message();
}

TEST_F(PushOutboxTest, RejectsNonStringValuesAndRepeatedContacts) {
  auto number = ReadOutbox(Write("n.jsonl", R"({"id":"1","properties":{"leadscore_score":0.5}})"));
  ASSERT_FALSE(number.ok());
  EXPECT_NE(number.status().message().find("properties.leadscore_score must be a string"),
            std::string::npos);
  auto twice = ReadOutbox(Write("t.jsonl", R"({"id":"1","properties":{"a":"b"}})"
                                           "\n"
                                           R"({"id":"1","properties":{"a":"c"}})"
                                           "\n"));
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("already on line 1"), std::string::npos);
}

TEST_F(PushOutboxTest, CutsBatchesOfTheGivenSize) {
  EXPECT_EQ(BatchCount(0, 100), 0u);
  EXPECT_EQ(BatchCount(100, 100), 1u);
  EXPECT_EQ(BatchCount(101, 100), 2u);
}

TEST_F(PushOutboxTest, JournalRoundTripsAckedBatches) {
  auto journal = dir_ / "o.jsonl.acked";
  ASSERT_TRUE(AppendJournal(journal, "h1", AckedBatch{0, 0, 100, {}}).ok());
  ASSERT_TRUE(AppendJournal(journal, "h1", AckedBatch{1, 100, 7, {"42"}}).ok());
  auto acked = ReadJournal(journal, "h1");
  ASSERT_TRUE(acked.ok()) << acked.status().message();
  ASSERT_EQ(acked.value().size(), 2u);
  EXPECT_EQ(acked.value().at(1).contacts, 7u);
  EXPECT_EQ(acked.value().at(1).failed, std::vector<std::string>{"42"});
}

TEST_F(PushOutboxTest, MissingJournalIsEmpty) {
  auto acked = ReadJournal(dir_ / "none.acked", "h1");
  ASSERT_TRUE(acked.ok());
  EXPECT_TRUE(acked.value().empty());
}

TEST_F(PushOutboxTest, TornLastLineCountsAsUnwrittenAndIsCutBeforeTheNextAppend) {
  auto journal =
      Write("o.acked", R"({"outbox":"h1","batch":0,"first":0,"contacts":100,"failed":[]})"
                       "\n"
                       R"({"outbox":"h1","batch":1,"con)");
  auto before = ReadJournal(journal, "h1");
  ASSERT_TRUE(before.ok()) << before.status().message();
  EXPECT_EQ(before.value().size(), 1u);
  ASSERT_TRUE(AppendJournal(journal, "h1", AckedBatch{1, 100, 100, {}}).ok());
  auto after = ReadJournal(journal, "h1");
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_EQ(after.value().size(), 2u);
  EXPECT_EQ(FileText(journal).find("\"con\n"), std::string::npos);
}

TEST_F(PushOutboxTest, RefusesAJournalOfAnotherOutbox) {
  auto journal = dir_ / "o.acked";
  ASSERT_TRUE(AppendJournal(journal, "old", AckedBatch{0, 0, 100, {}}).ok());
  auto acked = ReadJournal(journal, "new");
  ASSERT_FALSE(acked.ok());
  EXPECT_NE(acked.status().message().find("another outbox"), std::string::npos);
  EXPECT_NE(acked.status().message().find("o.acked:1"), std::string::npos);
}

}  // namespace
}  // namespace leadscore
