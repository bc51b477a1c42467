// Fuzz target: the App's payload reader on any bytes: the first line is the event name
// (X-GitHub-Event), the rest the body. A typed event or an error, never a crash; a typed event
// is the one its name says.
#include "bot/webhook/WebhookEvent.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

void broken(const char* what) {
  std::fprintf(stderr, "fuzz: invariant broken: %s\n", what);
  std::abort();
}

bool named(const godwit::WebhookEvent& e) {
  using namespace godwit;
  const std::string& n = e.event;
  return std::visit(
      [&](const auto& d) {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, PullRequestEvent>)
          return n == "pull_request";
        else if constexpr (std::is_same_v<T, PushEvent>)
          return n == "push";
        else if constexpr (std::is_same_v<T, IssueCommentEvent>)
          return n == "issue_comment";
        else if constexpr (std::is_same_v<T, InstallationEvent>)
          return n == "installation" || n == "installation_repositories";
        else if constexpr (std::is_same_v<T, RepositoryEvent>)
          return n == "repository" && e.repository.has_value();
        else if constexpr (std::is_same_v<T, CiEvent>)
          return n == "check_suite" || n == "check_run" || n == "status";
        else
          return !d.reason.empty();
      },
      e.details);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view event = input.substr(0, newline);
  const std::string_view body =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  auto read = godwit::readWebhookEvent(event, body);
  if (!read) {
    if (read.error().message.empty())
      broken("an error without a message");
    return 0;
  }
  if (read->event != event)
    broken("the event is not the name given");
  if (!named(*read))
    broken("the typed event is not the one its name says");
  return 0;
}
