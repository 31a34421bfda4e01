#include "serve/reloader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <future>

#include "tests/small_model.h"
#include "tests/temp_dir_fixture.h"

namespace leadscore::serve {
namespace {

class ReloaderTest : public TempDirTest {
 protected:
  void Write(const std::shared_ptr<const LeadModel>& model) {
    ASSERT_TRUE(model->SaveFile(dir_ / "model.json").ok());
  }
  void WriteCorrupt() { std::ofstream(dir_ / "model.json") << R"({"learner": )"; }
  ModelSource Source() const { return {dir_ / "model.json", "", ""}; }

  // Asks for a reload and waits for its outcome.
  static Result<ReloadOutcome> ReloadNow(Reloader& reloader) {
    std::promise<Result<ReloadOutcome>> promise;
    reloader.Request(
        [&promise](const Result<ReloadOutcome>& outcome) { promise.set_value(outcome); });
    return promise.get_future().get();
  }
};

TEST_F(ReloaderTest, SwapsInTheNewModelAndReportsBothVersions) {
  ModelStore store(MakeSmallModel("base", "1"));
  Write(MakeSmallModel("base+channel", "2"));
  int observed = 0;
  Reloader reloader(Source(), store,
                    [&observed](const Result<ReloadOutcome>&, const LeadModel*) { ++observed; });
  auto outcome = ReloadNow(reloader);
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_EQ(outcome.value().model_version, "2");
  EXPECT_EQ(outcome.value().previous_version, "1");
  EXPECT_EQ(store.Current()->metadata().model_version, "2");
  EXPECT_EQ(observed, 1);
}

TEST_F(ReloaderTest, ACorruptFileKeepsTheOldModelAndSaysWhichOneServes) {
  ModelStore store(MakeSmallModel("base", "1"));
  WriteCorrupt();
  Reloader reloader(Source(), store, nullptr);
  auto outcome = ReloadNow(reloader);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("still serving model version 1"), std::string::npos)
      << outcome.status().message();
  EXPECT_NE(outcome.status().message().find("model.json"), std::string::npos);
  EXPECT_EQ(store.Current()->metadata().model_version, "1");
}

TEST_F(ReloaderTest, AMissingFileWithNoModelYetSaysNoneServes) {
  ModelStore store;
  Reloader reloader(Source(), store, nullptr);
  auto outcome = ReloadNow(reloader);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("no model is serving"), std::string::npos);
  EXPECT_EQ(store.Current(), nullptr);
}

TEST_F(ReloaderTest, EveryQueuedRequestIsAnsweredEvenWhenDestroyedRightAway) {
  ModelStore store(MakeSmallModel("base", "1"));
  Write(MakeSmallModel("base", "2"));
  std::atomic<int> answered = 0;
  {
    Reloader reloader(Source(), store, nullptr);
    for (int i = 0; i < 20; ++i) {
      reloader.Request([&answered](const Result<ReloadOutcome>& outcome) {
        EXPECT_TRUE(outcome.ok());
        ++answered;
      });
    }
  }
  EXPECT_EQ(answered.load(), 20);
  EXPECT_EQ(store.Current()->metadata().model_version, "2");
}

}  // namespace
}  // namespace leadscore::serve
