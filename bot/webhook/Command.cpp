#include "bot/webhook/Command.h"

#include "rules/Text.h"

#include <vector>

namespace godwit {
namespace {

bool blank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trimStart(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && blank(s[i]))
    ++i;
  return s.substr(i);
}

// Whether `line` opens or closes a fenced code block (CommonMark: up to three spaces, then three
// backticks or tildes).
bool isFence(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ')
    ++i;
  std::string_view rest = line.substr(i);
  return rest.rfind("```", 0) == 0 || rest.rfind("~~~", 0) == 0;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && blank(s[i]))
      ++i;
    size_t begin = i;
    while (i < s.size() && !blank(s[i]))
      ++i;
    if (i > begin)
      out.push_back(s.substr(begin, i - begin));
  }
  return out;
}

Command commandOf(std::string_view rest) {
  std::vector<std::string_view> w = words(rest);
  if (w.size() != 1)
    return Command::Help;
  const std::string word = lower(w[0]);
  for (Command c : {Command::Rebase, Command::Retry, Command::Skip, Command::Explain})
    if (word == toString(c))
      return c;
  return Command::Help;
}

} // namespace

std::string_view toString(Command command) {
  switch (command) {
  case Command::Rebase:
    return "rebase";
  case Command::Retry:
    return "retry";
  case Command::Skip:
    return "skip";
  case Command::Explain:
    return "explain";
  case Command::Help:
    break;
  }
  return "help";
}

std::optional<Command> parseCommand(std::string_view body) {
  constexpr std::string_view kPrefix = "/godwit";
  bool fenced = false;
  size_t begin = 0;
  while (begin <= body.size()) {
    size_t end = body.find('\n', begin);
    if (end == std::string_view::npos)
      end = body.size();
    std::string_view line = body.substr(begin, end - begin);
    begin = end + 1;
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (isFence(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced)
      continue;
    std::string_view text = trimStart(line);
    if (text.size() < kPrefix.size() || lower(text.substr(0, kPrefix.size())) != kPrefix)
      continue;
    std::string_view rest = text.substr(kPrefix.size());
    if (!rest.empty() && !blank(rest.front()))
      continue; // `/godwitty` is not a command.
    return commandOf(rest);
  }
  return std::nullopt;
}

bool mayCommand(std::string_view authorAssociation) {
  return authorAssociation == "OWNER" || authorAssociation == "MEMBER" ||
         authorAssociation == "COLLABORATOR";
}

} // namespace godwit
