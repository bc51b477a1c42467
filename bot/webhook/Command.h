#pragma once
// The `/godwit` commands people write in a comment on the bot's pull request (docs/app.md):
// `rebase`, `retry`, `skip` and `explain`; any other `/godwit` line asks for help.
//
// The command is the first line of the comment that starts, after spaces and tabs, with
// `/godwit` followed by a space, a tab or the line's end; lines inside fenced code blocks
// (``` or ~~~) do not count, and neither does any `/godwit` line after the first. The rest of
// that line must be exactly one of the four words, separated by spaces or tabs; `/godwit` and the
// word are matched without regard to ASCII case, and a trailing carriage return is ignored.
// Anything else on the line (no word, another word, more words) is a request for help.

#include <optional>
#include <string_view>

namespace godwit {

/// What a command asks for.
enum class Command {
  Rebase,  ///< Regenerate the bot's commit, even over human edits (the explicit opt-in).
  Retry,   ///< Run the lifecycle again, also after it failed for good.
  Skip,    ///< Opt this repository out of the migration.
  Explain, ///< Answer with the findings and attention items.
  Help,    ///< Any other `/godwit` line: answered once with the commands.
};

/// The command's word (`rebase`, …, `help`).
std::string_view toString(Command command);

/// The command in comment `body`; nullopt when the comment has no `/godwit` line.
std::optional<Command> parseCommand(std::string_view body);

/// Whether a commenter with this `author_association` may give commands: OWNER, MEMBER or
/// COLLABORATOR (exactly as GitHub spells them).
bool mayCommand(std::string_view authorAssociation);

} // namespace godwit
