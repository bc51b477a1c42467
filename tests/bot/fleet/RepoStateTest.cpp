#include "bot/fleet/RepoState.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace godwit {
namespace {

const RepoState kAll[] = {
    RepoState::Pending,   RepoState::Scheduled,   RepoState::Running,   RepoState::Retrying,
    RepoState::NoChanges, RepoState::Attention,   RepoState::OptedOut,  RepoState::Skipped,
    RepoState::Open,      RepoState::HumanEdited, RepoState::Merged,    RepoState::Closed,
    RepoState::Failed,    RepoState::RolledBack,  RepoState::Reverting, RepoState::NeedsHuman};

TEST(RepoStateTest, EverySpellingIsDistinctAndParsesBack) {
  std::set<std::string> seen;
  for (RepoState state : kAll) {
    const std::string name(toString(state));
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(seen.insert(name).second) << name;
    EXPECT_EQ(parseRepoState(name), state) << name;
  }
  EXPECT_EQ(toString(RepoState::HumanEdited), "human-edited");
  EXPECT_EQ(toString(RepoState::NeedsHuman), "needs-human");
  EXPECT_FALSE(parseRepoState(""));
  EXPECT_FALSE(parseRepoState("Open"));
}

TEST(RepoStateTest, OnlyWaitingAndWorkingStatesAreNotFinal) {
  for (RepoState state : kAll) {
    const bool waiting = state == RepoState::Pending || state == RepoState::Scheduled ||
                         state == RepoState::Running || state == RepoState::Retrying;
    EXPECT_EQ(isFinal(state), !waiting) << toString(state);
  }
}

} // namespace
} // namespace godwit
