#include "bot/store/ChangesetState.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace godwit {
namespace {

const PublicationState kPublications[] = {PublicationState::Unpublished,
                                          PublicationState::Published, PublicationState::Draft};
const ReconcileState kReconciles[] = {ReconcileState::Queued, ReconcileState::Processing,
                                      ReconcileState::Errored, ReconcileState::Failed,
                                      ReconcileState::Completed};
const std::optional<ExternalState> kExternals[] = {std::nullopt,          ExternalState::Open,
                                                   ExternalState::Closed, ExternalState::Merged,
                                                   ExternalState::Draft,  ExternalState::Deleted};

TEST(ChangesetState, EveryCombinationDerivesTheDocumentedState) {
  // The expectation spelled as a table keyed by strings, independent of the switch in the code.
  const std::map<std::string, std::string> whenCompletedAndPublished = {
      {"none", "processing"}, {"open", "open"},   {"closed", "closed"},
      {"merged", "merged"},   {"draft", "draft"}, {"deleted", "closed"}};
  int combinations = 0;
  for (PublicationState p : kPublications)
    for (ReconcileState r : kReconciles)
      for (std::optional<ExternalState> e : kExternals) {
        ++combinations;
        std::string expected;
        std::string reconcile(toString(r));
        if (reconcile == "errored")
          expected = "retrying";
        else if (reconcile == "failed")
          expected = "failed";
        else if (reconcile == "queued" || reconcile == "processing")
          expected = "processing";
        else if (toString(p) == "unpublished")
          expected = "unpublished";
        else
          expected = whenCompletedAndPublished.at(e ? std::string(toString(*e)) : "none");
        EXPECT_EQ(toString(displayState(p, r, e)), expected)
            << toString(p) << "/" << reconcile << "/" << (e ? toString(*e) : "none");
      }
  EXPECT_EQ(combinations, 3 * 5 * 6);
}

TEST(ChangesetState, SpotChecks) {
  EXPECT_EQ(displayState(PublicationState::Unpublished, ReconcileState::Completed, std::nullopt),
            DisplayState::Unpublished);
  EXPECT_EQ(displayState(PublicationState::Draft, ReconcileState::Completed, ExternalState::Draft),
            DisplayState::Draft);
  EXPECT_EQ(displayState(PublicationState::Published, ReconcileState::Errored, ExternalState::Open),
            DisplayState::Retrying);
  EXPECT_EQ(
      displayState(PublicationState::Published, ReconcileState::Failed, ExternalState::Merged),
      DisplayState::Failed);
  EXPECT_EQ(
      displayState(PublicationState::Published, ReconcileState::Completed, ExternalState::Merged),
      DisplayState::Merged);
}

TEST(ChangesetState, SpellingsRoundTripAndAreDistinct) {
  std::set<std::string_view> seen;
  for (PublicationState p : kPublications) {
    EXPECT_EQ(parsePublicationState(toString(p)), p);
    seen.insert(toString(p));
  }
  EXPECT_EQ(seen.size(), 3u);
  seen.clear();
  for (ReconcileState r : kReconciles) {
    EXPECT_EQ(parseReconcileState(toString(r)), r);
    seen.insert(toString(r));
  }
  EXPECT_EQ(seen.size(), 5u);
  seen.clear();
  for (auto e : kExternals)
    if (e) {
      EXPECT_EQ(parseExternalState(toString(*e)), *e);
      seen.insert(toString(*e));
    }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_FALSE(parsePublicationState("PUBLISHED"));
  EXPECT_FALSE(parseReconcileState(""));
  EXPECT_FALSE(parseExternalState("reopened"));
  EXPECT_EQ(toString(DisplayState::Retrying), "retrying");
}

TEST(ChangesetState, ExternalStateFromTheCodeHost) {
  PullRequest pr;
  pr.state = "open";
  EXPECT_EQ(externalStateOf(pr), ExternalState::Open);
  pr.draft = true;
  EXPECT_EQ(externalStateOf(pr), ExternalState::Draft);
  pr.state = "closed";
  EXPECT_EQ(externalStateOf(pr), ExternalState::Closed);
  pr.merged = true;
  EXPECT_EQ(externalStateOf(pr), ExternalState::Merged);
}

TEST(ChangesetState, TransientFailuresRetryThenFail) {
  EXPECT_EQ(afterFailure(1, 3), ReconcileState::Errored);
  EXPECT_EQ(afterFailure(2, 3), ReconcileState::Errored);
  EXPECT_EQ(afterFailure(3, 3), ReconcileState::Failed);
  EXPECT_EQ(afterFailure(4, 3), ReconcileState::Failed);
  EXPECT_EQ(afterFailure(1, 1), ReconcileState::Failed);
}

} // namespace
} // namespace godwit
