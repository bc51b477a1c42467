#include "rules/YamlCheck.h"

#include "rules/Text.h"

#include <yaml.h>

#include <algorithm>

namespace godwit {
namespace {

constexpr int kMaxNesting = 64;

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

/// The 1-based line and column of byte `at` of `text` (columns count bytes).
std::pair<int, int> positionOf(std::string_view text, size_t at) {
  int line = 1;
  size_t lineStart = 0;
  for (size_t i = 0; i < at; ++i)
    if (text[i] == '\n') {
      ++line;
      lineStart = i + 1;
    }
  return {line, static_cast<int>(at - lineStart + 1)};
}

/// The encoding and byte checks YAML parsers leave vague: UTF-16 or UTF-32, bytes that are not
/// UTF-8, and control characters, each with its position.
std::optional<Error> checkBytes(std::string_view text, const std::string& path,
                                const YamlFileKind& kind) {
  const std::string saveHint = "save the " + kind.file + " as UTF-8";
  const auto starts = [&](std::string_view bom) { return text.substr(0, bom.size()) == bom; };
  if (starts(std::string_view("\xFF\xFE", 2)) || starts(std::string_view("\xFE\xFF", 2)) ||
      starts(std::string_view("\0\0\xFE\xFF", 4)) ||
      (text.size() >= 2 && (text[0] == '\0') != (text[1] == '\0')))
    return Error{"the " + kind.file + " is UTF-16 or UTF-32, not UTF-8", path, 1, 1, saveHint};
  for (size_t i = 0; i < text.size();) {
    const size_t n = utf8SequenceLength(text, i);
    const auto c = static_cast<unsigned char>(text[i]);
    if (n == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      const auto [line, column] = positionOf(text, i);
      return Error{"the " + kind.file + " contains " + describeByte(c), path, line, column,
                   n == 0 ? saveHint
                          : "remove it; write a control character in a double-quoted string as "
                            "an escape (e.g. `\\t`) if it is really meant"};
    }
    i += n;
  }
  return std::nullopt;
}

/// A full YAML syntax check (libyaml, which is strict where yaml-cpp lets some errors through,
/// such as a quote never closed), with limits the structure of a migration never needs: nesting
/// deeper than kMaxNesting, and aliases (which could make a small file expand without bound).
std::optional<Error> checkSyntax(std::string_view text, const std::string& path,
                                 const YamlFileKind& kind) {
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0)
    return Error{"cannot start the YAML parser", path, 0, 0, "the system is out of memory"};
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  std::optional<Error> error;
  int depth = 0;
  while (!error) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0) {
      std::string message = "invalid YAML: ";
      message += parser.problem != nullptr ? parser.problem : "syntax error";
      if (parser.context != nullptr)
        message += std::string(" ") + parser.context + " at line " +
                   std::to_string(parser.context_mark.line + 1);
      error = Error{message, path, static_cast<int>(parser.problem_mark.line + 1),
                    static_cast<int>(parser.problem_mark.column + 1),
                    "fix the YAML syntax (indentation, quotes, brackets) at this position"};
      break;
    }
    const yaml_event_type_t type = event.type;
    const yaml_mark_t mark = event.start_mark;
    yaml_event_delete(&event);
    if (type == YAML_STREAM_END_EVENT)
      break;
    if (type == YAML_ALIAS_EVENT)
      error = Error{"YAML aliases (`*name`) are not supported in a " + kind.file, path,
                    static_cast<int>(mark.line + 1), static_cast<int>(mark.column + 1),
                    "write the value out where the alias is"};
    else if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT)
      if (++depth > kMaxNesting)
        error = Error{"the " + kind.thing + " nests lists and mappings deeper than " +
                          std::to_string(kMaxNesting) + " levels",
                      path, static_cast<int>(mark.line + 1), static_cast<int>(mark.column + 1),
                      "a " + kind.thing + " needs a few levels; check the brackets and indentation"};
    if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT)
      --depth;
  }
  yaml_parser_delete(&parser);
  return error;
}

} // namespace

std::optional<Error> checkYamlText(std::string_view text, const std::string& path,
                                   const YamlFileKind& kind) {
  if (auto bad = checkBytes(text, path, kind))
    return bad;
  return checkSyntax(text, path, kind);
}

std::optional<std::string_view> closestWord(std::string_view word,
                                            const std::vector<std::string_view>& known) {
  std::optional<std::string_view> best;
  size_t bestDistance = 0;
  for (std::string_view candidate : known) {
    size_t d = editDistance(lower(word), lower(candidate));
    if (!best || d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best && bestDistance <= std::max<size_t>(2, word.size() / 3))
    return best;
  return std::nullopt;
}

bool isValidReviewer(std::string_view s) {
  auto login = [](std::string_view l, size_t max) {
    if (l.empty() || l.size() > max || l.front() == '-')
      return false;
    return std::all_of(l.begin(), l.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_';
    });
  };
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos)
    return login(s, 39);
  return login(s.substr(0, slash), 39) && login(s.substr(slash + 1), 100);
}

} // namespace godwit
