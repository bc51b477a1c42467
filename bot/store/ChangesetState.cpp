#include "bot/store/ChangesetState.h"

#include <array>
#include <utility>

namespace godwit {
namespace {

constexpr std::array<std::pair<PublicationState, std::string_view>, 3> kPublication{{
    {PublicationState::Unpublished, "unpublished"},
    {PublicationState::Published, "published"},
    {PublicationState::Draft, "draft"},
}};
constexpr std::array<std::pair<ReconcileState, std::string_view>, 5> kReconcile{{
    {ReconcileState::Queued, "queued"},
    {ReconcileState::Processing, "processing"},
    {ReconcileState::Errored, "errored"},
    {ReconcileState::Failed, "failed"},
    {ReconcileState::Completed, "completed"},
}};
constexpr std::array<std::pair<ExternalState, std::string_view>, 5> kExternal{{
    {ExternalState::Open, "open"},
    {ExternalState::Closed, "closed"},
    {ExternalState::Merged, "merged"},
    {ExternalState::Draft, "draft"},
    {ExternalState::Deleted, "deleted"},
}};
constexpr std::array<std::pair<DisplayState, std::string_view>, 8> kDisplay{{
    {DisplayState::Unpublished, "unpublished"},
    {DisplayState::Processing, "processing"},
    {DisplayState::Open, "open"},
    {DisplayState::Draft, "draft"},
    {DisplayState::Merged, "merged"},
    {DisplayState::Closed, "closed"},
    {DisplayState::Failed, "failed"},
    {DisplayState::Retrying, "retrying"},
}};

template <class E, size_t N>
std::string_view lookup(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [e, name] : table)
    if (e == value)
      return name;
  return "unknown";
}

template <class E, size_t N>
std::optional<E> parse(const std::array<std::pair<E, std::string_view>, N>& table,
                       std::string_view text) {
  for (const auto& [e, name] : table)
    if (name == text)
      return e;
  return std::nullopt;
}

} // namespace

std::string_view toString(PublicationState state) {
  return lookup(kPublication, state);
}
std::string_view toString(ReconcileState state) {
  return lookup(kReconcile, state);
}
std::string_view toString(ExternalState state) {
  return lookup(kExternal, state);
}
std::string_view toString(DisplayState state) {
  return lookup(kDisplay, state);
}

std::optional<PublicationState> parsePublicationState(std::string_view text) {
  return parse(kPublication, text);
}
std::optional<ReconcileState> parseReconcileState(std::string_view text) {
  return parse(kReconcile, text);
}
std::optional<ExternalState> parseExternalState(std::string_view text) {
  return parse(kExternal, text);
}

DisplayState displayState(PublicationState publication, ReconcileState reconcile,
                          std::optional<ExternalState> external) {
  switch (reconcile) {
  case ReconcileState::Errored:
    return DisplayState::Retrying;
  case ReconcileState::Failed:
    return DisplayState::Failed;
  case ReconcileState::Queued:
  case ReconcileState::Processing:
    return DisplayState::Processing;
  case ReconcileState::Completed:
    break;
  }
  if (publication == PublicationState::Unpublished)
    return DisplayState::Unpublished;
  if (!external)
    return DisplayState::Processing; // Published but never seen on the code host: a re-run syncs.
  switch (*external) {
  case ExternalState::Open:
    return DisplayState::Open;
  case ExternalState::Draft:
    return DisplayState::Draft;
  case ExternalState::Merged:
    return DisplayState::Merged;
  case ExternalState::Closed:
  case ExternalState::Deleted:
    return DisplayState::Closed;
  }
  return DisplayState::Processing;
}

ExternalState externalStateOf(const PullRequest& pr) {
  if (pr.merged)
    return ExternalState::Merged;
  if (pr.state == "closed")
    return ExternalState::Closed;
  return pr.draft ? ExternalState::Draft : ExternalState::Open;
}

ReconcileState afterFailure(int numFailures, int maxFailures) {
  return numFailures < maxFailures ? ReconcileState::Errored : ReconcileState::Failed;
}

} // namespace godwit
