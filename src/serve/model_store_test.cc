#include "serve/model_store.h"

#include <gtest/gtest.h>

#include "tests/small_model.h"

namespace leadscore::serve {
namespace {

TEST(ModelStore, StartsEmptyAndSwapReturnsThePreviousSnapshot) {
  ModelStore store;
  EXPECT_EQ(store.Current(), nullptr);
  const auto first = MakeSmallModel("base", "1");
  const auto second = MakeSmallModel("base", "2");
  EXPECT_EQ(store.Swap(first), nullptr);
  EXPECT_EQ(store.Current(), first);
  EXPECT_EQ(store.Swap(second), first);
  EXPECT_EQ(store.Current(), second);
}

TEST(ModelStore, GenerationMovesWithEverySwap) {
  ModelStore store(MakeSmallModel("base", "1"));
  const uint64_t before = store.generation();
  store.Swap(store.Current());
  EXPECT_GT(store.generation(), before);
}

TEST(CachedModel, FollowsSwapsAndKeepsTheOldSnapshotAliveForItsHolder) {
  ModelStore store(MakeSmallModel("base", "1"));
  CachedModel cached(store);
  const std::shared_ptr<const LeadModel> held = cached.Get();  // an in-flight request's copy
  EXPECT_EQ(held->metadata().model_version, "1");
  store.Swap(MakeSmallModel("base", "2"));
  EXPECT_EQ(cached.Get()->metadata().model_version, "2");
  EXPECT_EQ(held->metadata().model_version, "1");  // still usable after the swap
}

}  // namespace
}  // namespace leadscore::serve
