#include "analyzers/markdown/Markdown.h"

#include "analyzers/ValueFindings.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace godwit {
namespace {

struct Line {
  uint32_t begin = 0;
  uint32_t end = 0;  ///< Before the line break.
  uint32_t next = 0; ///< After it.
};

Line lineAt(std::string_view text, uint32_t at) {
  const size_t nl = text.find('\n', at);
  Line l;
  l.begin = at;
  l.next = nl == std::string_view::npos ? static_cast<uint32_t>(text.size())
                                        : static_cast<uint32_t>(nl + 1);
  l.end = nl == std::string_view::npos ? l.next : static_cast<uint32_t>(nl);
  if (l.end > l.begin && text[l.end - 1] == '\r')
    --l.end;
  return l;
}

uint32_t leadingSpaces(std::string_view text, const Line& l) {
  uint32_t i = l.begin;
  while (i < l.end && text[i] == ' ')
    ++i;
  return i - l.begin;
}

size_t runOf(std::string_view text, size_t at, size_t end, char c) {
  size_t i = at;
  while (i < end && text[i] == c)
    ++i;
  return i - at;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// A nested list item indented like code (`    - item`): a list, not an indented code block.
bool listItemAt(std::string_view rest) {
  if (rest.size() >= 2 && (rest[0] == '-' || rest[0] == '*' || rest[0] == '+') && rest[1] == ' ')
    return true;
  size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits])))
    ++digits;
  return digits > 0 && digits + 1 < rest.size() && (rest[digits] == '.' || rest[digits] == ')') &&
         rest[digits + 1] == ' ';
}

// Code spans of one prose line and the prose between them.
void splitLine(std::string_view text, const Line& l, bool editable, MarkdownParts& parts) {
  uint32_t segment = l.begin;
  for (uint32_t i = l.begin; i < l.end;) {
    if (text[i] == '\\' && i + 1 < l.end) {
      i += 2;
      continue;
    }
    if (text[i] != '`') {
      ++i;
      continue;
    }
    const size_t run = runOf(text, i, l.end, '`');
    // The closing run has exactly as many backticks.
    size_t close = i + run;
    for (;;) {
      close = text.find('`', close);
      if (close == std::string_view::npos || close >= l.end)
        break;
      const size_t r = runOf(text, close, l.end, '`');
      if (r == run)
        break;
      close += r;
    }
    if (close == std::string_view::npos || close >= l.end) {
      i += static_cast<uint32_t>(run);
      continue;
    }
    uint32_t b = i + static_cast<uint32_t>(run), e = static_cast<uint32_t>(close);
    const std::string_view content = text.substr(b, e - b);
    if (content.size() >= 2 && content.front() == ' ' && content.back() == ' ' &&
        content.find_first_not_of(' ') != std::string_view::npos) {
      ++b;
      --e;
    }
    if (segment < i)
      parts.prose.emplace_back(segment, i);
    parts.spans.push_back(MarkdownSpan{b, e, editable});
    i = static_cast<uint32_t>(close + run);
    segment = i;
  }
  if (segment < l.next)
    parts.prose.emplace_back(segment, l.next);
}

// The text names the new dataset as well: it likely describes the migration itself (before and
// after), where the old name must stay.
bool namesNewDataset(std::string_view text, std::span<const DatasetMatcher> matchers) {
  return std::any_of(matchers.begin(), matchers.end(), [&](const DatasetMatcher& m) {
    std::string_view to = m.spec().to;
    while (to.size() > 1 && to.back() == '/')
      to.remove_suffix(1);
    return !to.empty() && text.find(to) != std::string_view::npos;
  });
}

// A changelog records what was: the old names in it stay.
bool isChangelog(std::string_view path) {
  const size_t slash = path.rfind('/');
  std::string base(path.substr(slash == std::string_view::npos ? 0 : slash + 1));
  std::transform(base.begin(), base.end(), base.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (const std::string_view prefix : {"CHANGELOG", "CHANGES", "HISTORY", "NEWS", "RELEASE"})
    if (base.starts_with(prefix))
      return true;
  return false;
}

const char* const kProse = "Markdown prose is never edited; update the text by hand";

class MarkdownAnalyzer final : public Analyzer {
public:
  Expected<std::vector<Finding>> analyze(const SourceFile& file,
                                         std::span<const DatasetMatcher> matchers) const override {
    AnalysisNotes notes;
    return analyzeFile(file, matchers, notes);
  }

  Expected<std::vector<Finding>> analyzeFile(const SourceFile& file,
                                             std::span<const DatasetMatcher> matchers,
                                             AnalysisNotes&) const override {
    const MarkdownParts parts = splitMarkdown(file.text);
    const LineIndex lines(file.text);
    FindingCollector out(file);
    for (const MarkdownFence& fence : parts.fences)
      if (hitIn(file.hits, fence.begin, fence.end))
        addFence(out, file, lines, fence, matchers);
    for (const MarkdownSpan& span : parts.spans)
      addSpan(out, file, lines, span, matchers);
    for (const auto& [b, e] : parts.prose)
      addTextAttention(out, hostText(file.text, b, e), matchers, "markdown.text", kProse);
    std::vector<Finding>& found = out.findings();
    if (isChangelog(file.path))
      holdAll(found, "a changelog records what was; its old names stay");
    std::stable_sort(found.begin(), found.end(),
                     [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
    return std::move(found);
  }

  int syntaxErrors(std::string_view text) const override {
    int errors = 0;
    for (const MarkdownFence& fence : splitMarkdown(text).fences)
      if (const auto language = fenceLanguage(fence.info); language && fence.closed)
        errors += runner_.syntaxErrors(fence.doc);
    return errors;
  }

private:
  void addFence(FindingCollector& out, const SourceFile& file, const LineIndex& lines,
                const MarkdownFence& fence, std::span<const DatasetMatcher> matchers) const {
    const std::optional<std::string_view> language = fenceLanguage(fence.info);
    const std::string shown = "```" + fence.info;
    std::string unread;
    if (!fence.closed)
      unread = "the code block is not closed; check it by hand";
    else if (fence.info.empty())
      unread = "a code block without a language; check it by hand";
    else if (!language || !runner_.analyzer(*language))
      unread = "godwit does not read " + shown + " blocks; check it by hand";
    if (unread.empty()) {
      auto result = runner_.analyze(file, lines, fence.doc, matchers);
      if (!result)
        unread = "the " + shown + " block does not parse (" + result.error().message +
                 "); check it by hand";
      else if (result->skipped)
        unread = "the " + shown + " block was not analyzed; check it by hand";
      else {
        std::vector<Finding>& found = result->findings;
        if (result->parseErrors > 0 || runner_.syntaxErrors(fence.doc) > 0)
          holdAll(found, "the " + shown + " block does not parse; a snippet is not edited");
        else if (namesNewDataset(fence.doc.text, matchers))
          holdAll(found, "the " + shown + " block names the new dataset too: it may show the "
                         "migration itself; change it by hand");
        addEmbeddedFindings(out, found);
        return;
      }
    }
    addTextAttention(out, fence.doc.value(), matchers, "markdown.code-block", unread);
  }

  void addSpan(FindingCollector& out, const SourceFile& file, const LineIndex& lines,
               const MarkdownSpan& span, std::span<const DatasetMatcher> matchers) const {
    DecodedString value;
    LiteralStyle style;
    style.quote = '`';
    style.syntax = LiteralSyntax::MarkdownCode;
    value.beginPiece(span.begin, span.end, style);
    for (uint32_t i = span.begin; i < span.end; ++i)
      value.push(file.text[i], i, i + 1);
    const size_t first = out.findings().size();
    const ContextFor context = [](uint32_t, uint32_t, Finding& f) {
      f.context = "markdown.code-span";
    };
    addValueFindings(out, value, span.begin, span.end, matchers, context, {}, ValueSyntax::Plain);
    const std::string_view content = std::string_view(value.value);
    const bool oneToken = content.find_first_of(" \t") == std::string_view::npos;
    const std::string_view line = lines.line(file.text, lines.position(span.begin).first);
    for (size_t i = first; i < out.findings().size(); ++i) {
      Finding& f = out.findings()[i];
      if (f.action != Action::Rewrite)
        continue;
      if (!span.editable)
        holdWithReason(f, "a code span in a blockquote, HTML comment or indented block; change "
                          "it by hand");
      else if (!oneToken)
        holdWithReason(f, "the code span holds more than the name; change it by hand");
      else if (namesNewDataset(line, matchers))
        holdWithReason(f, "the line names the new dataset too: it may describe the migration "
                          "itself; change it by hand");
    }
  }

  EmbeddedRunner runner_;
};

} // namespace

std::optional<std::string_view> fenceLanguage(std::string_view info) {
  info = trimmed(info);
  while (!info.empty() && (info.front() == '{' || info.front() == '.'))
    info.remove_prefix(1);
  const size_t stop = info.find_first_of(" \t{},:");
  std::string word(info.substr(0, stop));
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const std::pair<std::string_view, std::string_view> kNames[] = {
      {"sql", "sql"},         {"bigquery", "sql"},    {"googlesql", "sql"},
      {"sparksql", "sql"},    {"hql", "sql"},         {"hive", "sql"},
      {"python", "python"},   {"py", "python"},       {"python3", "python"},
      {"scala", "scala"},     {"java", "java"},       {"yaml", "yaml"},
      {"yml", "yaml"},        {"json", "json"},       {"hcl", "hcl"},
      {"terraform", "hcl"},   {"tf", "hcl"},          {"toml", "toml"},
      {"xml", "xml"},         {"properties", "properties"}, {"hocon", "hocon"},
      {"bash", "shell"},      {"sh", "shell"},        {"shell", "shell"},
      {"zsh", "shell"},       {"kotlin", "kotlin"},   {"kt", "kotlin"},
      {"go", "go"},           {"golang", "go"},
  };
  for (const auto& [name, language] : kNames)
    if (word == name)
      return language;
  return std::nullopt;
}

MarkdownParts splitMarkdown(std::string_view text) {
  MarkdownParts parts;
  bool inComment = false;
  const uint32_t size = static_cast<uint32_t>(text.size());
  for (uint32_t at = 0; at < size;) {
    const Line l = lineAt(text, at);
    const uint32_t indent = leadingSpaces(text, l);
    const uint32_t first = l.begin + indent;
    const std::string_view rest = text.substr(first, l.end - first);
    const char c = rest.empty() ? '\0' : rest.front();
    const size_t run = (c == '`' || c == '~') ? runOf(rest, 0, rest.size(), c) : 0;
    const std::string_view info = run >= 3 ? trimmed(rest.substr(run)) : std::string_view();
    if (!inComment && run >= 3 && !(c == '`' && info.find('`') != std::string_view::npos)) {
      MarkdownFence fence;
      fence.begin = l.begin;
      fence.info = std::string(info);
      if (const auto language = fenceLanguage(info))
        fence.doc.language = std::string(*language);
      uint32_t next = l.next;
      while (next < size) {
        const Line content = lineAt(text, next);
        const uint32_t spaces = leadingSpaces(text, content);
        const std::string_view body =
            text.substr(content.begin + spaces, content.end - content.begin - spaces);
        const size_t closing = runOf(body, 0, body.size(), c);
        if (closing >= run && trimmed(body.substr(closing)).empty()) {
          fence.closed = true;
          next = content.next;
          break;
        }
        fence.doc.copy(text, content.begin + std::min(spaces, indent), content.next);
        next = content.next;
      }
      fence.end = next;
      parts.fences.push_back(std::move(fence));
      at = next;
      continue;
    }
    const std::string_view whole = text.substr(l.begin, l.end - l.begin);
    const bool commentHere = inComment || whole.find("<!--") != std::string_view::npos;
    const bool quoted = c == '>';
    const bool indented = (indent >= 4 && !listItemAt(rest)) || (!whole.empty() && whole[0] == '\t');
    splitLine(text, l, !commentHere && !quoted && !indented, parts);
    // An HTML comment runs until `-->`, maybe lines later.
    for (size_t i = 0; i < whole.size();) {
      const size_t open = inComment ? i : whole.find("<!--", i);
      if (open == std::string_view::npos)
        break;
      const size_t close = whole.find("-->", inComment ? i : open + 4);
      inComment = close == std::string_view::npos;
      if (inComment)
        break;
      i = close + 3;
    }
    at = l.next;
  }
  return parts;
}

Expected<std::unique_ptr<Analyzer>> makeMarkdownAnalyzer(const std::vector<const Rule*>& rules) {
  if (!rules.empty())
    return makeError("rule packs do not apply to Markdown (rule " + rules.front()->id + ")",
                     "write the rule for the language of the code block");
  return std::unique_ptr<Analyzer>(std::make_unique<MarkdownAnalyzer>());
}

} // namespace godwit
