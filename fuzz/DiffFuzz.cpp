// Fuzz target: the diff renderer. The input is a file and edits to it (the first bytes say where
// and what); the edit set is applied, its diff rendered, and the diff read back (a small
// unified-diff reader, below) must turn the old text into the new one, byte for byte.
#include "fuzz/FuzzSupport.h"
#include "rewriters/Edit.h"
#include "rewriters/Patch.h"

#include <optional>
#include <string>

namespace {

/// Splits `text` into lines that keep their `\n`.
std::vector<std::string_view> linesOf(std::string_view text) {
  std::vector<std::string_view> out;
  for (size_t at = 0; at < text.size();) {
    const size_t nl = text.find('\n', at);
    const size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    out.push_back(text.substr(at, end - at));
    at = end;
  }
  return out;
}

/// `before` with the one-file unified diff `diff` applied; nullopt when the diff does not read
/// or does not fit `before`.
std::optional<std::string> applyDiff(std::string_view before, std::string_view diff) {
  const std::vector<std::string_view> old = linesOf(before);
  const std::vector<std::string_view> lines = linesOf(diff);
  std::string out;
  size_t next = 0; // the next old line not yet copied
  size_t i = 0;
  while (i < lines.size() && lines[i].rfind("@@ -", 0) != 0)
    ++i;
  while (i < lines.size()) {
    if (lines[i].rfind("@@ -", 0) != 0)
      return std::nullopt;
    const size_t start = std::stoul(std::string(lines[i].substr(4)));
    const size_t first = start == 0 ? 0 : start - 1;
    if (first < next || first > old.size())
      return std::nullopt;
    for (; next < first; ++next)
      out += old[next];
    for (++i; i < lines.size() && lines[i].rfind("@@ ", 0) != 0; ++i) {
      const std::string_view l = lines[i];
      std::string body(l.substr(1));
      const bool noNewline = i + 1 < lines.size() && lines[i + 1].rfind("\\ ", 0) == 0;
      if (noNewline && !body.empty() && body.back() == '\n')
        body.pop_back();
      if (l[0] == ' ' || l[0] == '-') {
        if (next >= old.size() || old[next] != body)
          return std::nullopt;
        ++next;
      }
      if (l[0] == ' ' || l[0] == '+')
        out += body;
      if (l[0] != ' ' && l[0] != '-' && l[0] != '+')
        return std::nullopt;
      if (noNewline)
        ++i;
    }
  }
  for (; next < old.size(); ++next)
    out += old[next];
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace godwit;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto take = [&](size_t n) {
    const std::string_view out = in.substr(0, std::min(n, in.size()));
    in.remove_prefix(out.size());
    return out;
  };
  const auto byte = [&] {
    const std::string_view b = take(1);
    return b.empty() ? 0u : static_cast<unsigned>(static_cast<unsigned char>(b[0]));
  };
  // Up to 7 edits: 2 bytes offset, 1 byte length, 1 byte replacement length, the replacement.
  struct Wanted {
    size_t offset, length;
    std::string replacement;
  };
  std::vector<Wanted> wanted;
  for (unsigned n = byte() % 8; n > 0 && !in.empty(); --n) {
    const size_t high = byte();
    const size_t offset = high << 8 | byte();
    const size_t length = byte() % 16;
    wanted.push_back({offset, length, std::string(take(byte() % 16))});
  }
  const std::string before(in);
  EditSet edits;
  for (Wanted& w : wanted) {
    const size_t offset = before.empty() ? 0 : w.offset % (before.size() + 1);
    const size_t length = std::min(w.length, before.size() - offset);
    (void)edits.add(Edit{"f.txt", offset, length, std::move(w.replacement), "f.txt:1:1", {}});
  }
  const std::string after = edits.apply(before);
  const std::string diff = renderFileDiff(FileChange{"f.txt", before, after});
  fuzz::check(diff.empty() == (before == after), "a diff for no change, or none for a change");
  if (diff.empty())
    return 0;
  const std::optional<std::string> back = applyDiff(before, diff);
  fuzz::check(back.has_value(), "the diff does not apply to the old text");
  fuzz::check(*back == after, "the diff applied does not give the new text");
  return 0;
}
