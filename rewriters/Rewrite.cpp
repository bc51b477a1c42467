#include "rewriters/Rewrite.h"

#include "rules/DatasetMatcher.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <string_view>

namespace godwit {
namespace {

// Name components are runs of these bytes; everything else (`.`, `:`, `/`, backticks, ...)
// separates them.
bool isNameByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool isIdentByte(char c) {
  return isNameByte(c) && c != '-';
}

// The part of `from` → `to` that really changes, at name-component granularity: the common
// prefix is cut right after a separator, the common suffix right before one.
struct Trim {
  size_t prefix = 0;
  size_t suffix = 0;
};

Trim trimToComponents(std::string_view from, std::string_view to) {
  Trim t;
  const size_t shorter = std::min(from.size(), to.size());
  size_t common = 0;
  while (common < shorter && from[common] == to[common])
    ++common;
  for (size_t i = common; i > 0; --i) {
    if (!isNameByte(from[i - 1])) {
      t.prefix = i;
      break;
    }
  }
  const size_t room = shorter - t.prefix;
  size_t tail = 0;
  while (tail < room && from[from.size() - 1 - tail] == to[to.size() - 1 - tail])
    ++tail;
  for (size_t n = tail; n > 0; --n) {
    if (!isNameByte(from[from.size() - n])) {
      t.suffix = n;
      break;
    }
  }
  return t;
}

// Value bytes decoded from the same source bytes (one escape, one multi-byte character).
bool sameGroup(const DecodedString& v, size_t a, size_t b) {
  return v.piece[a] == v.piece[b] && v.srcBegin[a] == v.srcBegin[b] && v.srcEnd[a] == v.srcEnd[b];
}

bool isHole(const DecodedString& v, size_t i) {
  return v.piece[i] == DecodedString::kNoPiece || v.value[i] == kHole;
}

std::string quoted(std::string_view text) {
  std::string out = "`";
  for (char c : text)
    out += c == kHole ? std::string_view("<interpolation>") : std::string_view(&c, 1);
  return out + "`";
}

struct Located {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint16_t piece = 0;
};

// Maps value bytes [begin, end) to one contiguous source range inside one literal piece.
Expected<Located> locateRange(const DecodedString& v, size_t begin, size_t end) {
  const std::string splitHint =
      "godwit only rewrites a reference whose changed part is written in one literal; "
      "change it by hand";
  if (begin == end) {
    if (begin > 0 && !isHole(v, begin - 1))
      return Located{v.srcEnd[begin - 1], v.srcEnd[begin - 1], v.piece[begin - 1]};
    if (begin < v.value.size() && !isHole(v, begin))
      return Located{v.srcBegin[begin], v.srcBegin[begin], v.piece[begin]};
    return makeError("the reference is split across several literals or interpolations (the "
                     "text is inserted next to an interpolated expression)",
                     splitHint);
  }
  const std::string_view part = std::string_view(v.value).substr(begin, end - begin);
  for (size_t i = begin; i < end; ++i) {
    if (isHole(v, i))
      return makeError("the reference is split across several literals or interpolations (the "
                       "changed part " +
                           quoted(part) + " includes an interpolated expression)",
                       splitHint);
    if (v.piece[i] != v.piece[begin])
      return makeError("the reference is split across several literals or interpolations (the "
                       "changed part " +
                           quoted(part) + " comes from more than one literal)",
                       splitHint);
    // Source bytes that decode to nothing (a line continuation, a stripped margin) would be
    // lost by replacing the whole range.
    if (i > begin && !sameGroup(v, i - 1, i) && v.srcEnd[i - 1] != v.srcBegin[i])
      return makeError("the changed part " + quoted(part) +
                           " spans source text that is not part of its value (a line "
                           "continuation or margin)",
                       "change it by hand");
  }
  return Located{v.srcBegin[begin], v.srcEnd[end - 1], v.piece[begin]};
}

Expected<Located> locate(const DecodedString& v, size_t begin, size_t end) {
  auto loc = locateRange(v, begin, end);
  if (!loc)
    return loc;
  if (loc->piece >= v.pieces.size())
    return makeError("the offset map of the value names a literal it does not have",
                     "this is a bug in godwit's decoder; please report it");
  const LiteralPiece& p = v.pieces[loc->piece];
  if (loc->begin > loc->end || loc->begin < p.begin || loc->end > p.end)
    return makeError("the offset map of the value does not fit its literal",
                     "this is a bug in godwit's decoder; please report it");
  return loc;
}

// Sizes only: the piece a change lands in is checked where it is used (locate), so a change
// costs the length of its range, not of the whole value (a .sql file is one value).
bool wellFormed(const DecodedString& v) {
  return v.srcBegin.size() == v.value.size() && v.srcEnd.size() == v.value.size() &&
         v.piece.size() == v.value.size();
}

// The edit for one change; nullopt when the change keeps the value as it is.
Expected<std::optional<Edit>> editForChange(const Finding& finding, const ValueEdit& change) {
  if (!change.value || !wellFormed(*change.value) || change.begin > change.end ||
      change.end > change.value->value.size())
    return makeError("the change does not fit the decoded value",
                     "this is a bug in godwit's analyzer; please report it");
  const DecodedString& v = *change.value;

  const std::string_view from =
      std::string_view(v.value).substr(change.begin, change.end - change.begin);
  if (from == change.text)
    return std::optional<Edit>();
  const Trim trim = trimToComponents(from, change.text);
  size_t begin = change.begin + trim.prefix;
  size_t end = change.end - trim.suffix;
  std::string text =
      change.text.substr(trim.prefix, change.text.size() - trim.prefix - trim.suffix);

  // Never cut through the source of one value byte group: widen to whole groups and carry their
  // unchanged value bytes into the new text.
  while (begin > 0 && begin < v.value.size() && sameGroup(v, begin - 1, begin)) {
    --begin;
    text.insert(text.begin(), v.value[begin]);
  }
  while (end > 0 && end < v.value.size() && sameGroup(v, end - 1, end)) {
    text.push_back(v.value[end]);
    ++end;
  }

  auto loc = locate(v, begin, end);
  if (!loc)
    return loc.error();
  const LiteralPiece& piece = v.pieces[loc->piece];

  // A piece written in another file (e.g. a C++ header): `constant` says what and where.
  if (piece.constantUses < 0)
    return makeError("the change lands in " + piece.constant + "; change it there by hand",
                     "godwit edits only the file it analyzes");
  // A constant whose references are known is decided with all of them (SharedEdits).
  const bool tracked = !piece.constant.empty() && piece.useAt != LiteralPiece::kNoUse;
  if (!piece.constant.empty() && !tracked && piece.constantUses != 1) {
    const std::string uses =
        piece.constantUses > 1
            ? "which is used " + std::to_string(piece.constantUses) + " times in this file"
            : "whose uses in this file could not be counted";
    return makeError("the change lands in constant " + piece.constant + ", " + uses +
                         "; change it by hand",
                     "introduce a separate constant for the migrated dataset, or change every "
                     "use of " +
                         piece.constant + " together");
  }

  // Scala `$name` holes end without a delimiter: a name byte written right after one would
  // become part of the interpolated identifier.
  if (piece.style.holeIntro == '$' && begin > 0 && isHole(v, begin - 1) &&
      v.srcEnd[begin - 1] == loc->begin && !text.empty() && isIdentByte(text.front()) &&
      !(end > begin && isIdentByte(v.value[begin])))
    return makeError("the new name would run into the interpolated expression before it",
                     "write the interpolation as ${...} and run godwit again");

  auto encoded = encodeLiteral(piece.style, text);
  if (!encoded)
    return makeError("the new name cannot be written in this literal without changing its "
                     "quoting (" +
                         quoted(text) + ")",
                     "change it by hand");

  Edit edit;
  edit.file = piece.file.empty() ? finding.file : piece.file;
  if (tracked)
    edit.constant = ConstantUse{piece.constant, piece.constantUses,
                                piece.useFile.empty() ? finding.file : piece.useFile, piece.useAt,
                                piece.shared || !piece.file.empty()};
  edit.offset = loc->begin;
  edit.length = loc->end - loc->begin;
  edit.replacement = std::move(*encoded);
  edit.origin =
      finding.file + ':' + std::to_string(finding.line) + ':' + std::to_string(finding.column);
  return std::optional<Edit>(std::move(edit));
}

// When the old and new names have the same shape (the same separators between their
// components), each changed component becomes its own change, so a name spread over several
// literals (`"acme-prod." + "core_users.t"`) is still edited where each component is written.
// Otherwise (or when the name holds an interpolation) the change stays whole.
std::vector<ValueEdit> splitByComponent(const ValueEdit& change) {
  const std::string_view from =
      std::string_view(change.value->value).substr(change.begin, change.end - change.begin);
  const std::string_view to = change.text;
  if (from.find(kHole) != std::string_view::npos)
    return {change};
  auto components = [](std::string_view s) {
    std::vector<std::pair<size_t, size_t>> out; // [begin, end) of each run of name bytes
    for (size_t i = 0; i < s.size();) {
      if (!isNameByte(s[i])) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < s.size() && isNameByte(s[j]))
        ++j;
      out.emplace_back(i, j);
      i = j;
    }
    return out;
  };
  const auto a = components(from);
  const auto b = components(to);
  bool sameShape = a.size() == b.size() && !a.empty();
  for (size_t k = 0; sameShape && k <= a.size(); ++k) {
    const size_t fa = k == 0 ? 0 : a[k - 1].second, ta = k == a.size() ? from.size() : a[k].first;
    const size_t fb = k == 0 ? 0 : b[k - 1].second, tb = k == b.size() ? to.size() : b[k].first;
    sameShape = from.substr(fa, ta - fa) == to.substr(fb, tb - fb);
  }
  if (!sameShape)
    return {change};
  std::vector<ValueEdit> parts;
  for (size_t k = 0; k < a.size(); ++k) {
    const std::string_view oldPart = from.substr(a[k].first, a[k].second - a[k].first);
    const std::string_view newPart = to.substr(b[k].first, b[k].second - b[k].first);
    if (oldPart != newPart)
      parts.push_back(ValueEdit{change.value, change.begin + a[k].first,
                                change.begin + a[k].second, std::string(newPart)});
  }
  return parts;
}

} // namespace

Expected<std::vector<Edit>> editsForFinding(const Finding& finding) {
  if (finding.action != Action::Rewrite)
    return Error{"the finding needs attention, not a rewrite" +
                     (finding.reason.empty() ? std::string() : ": " + finding.reason),
                 finding.file,
                 finding.line,
                 finding.column,
                 {}};
  std::vector<Edit> edits;
  for (const ValueEdit& change : finding.changes) {
    auto edit = editForChange(finding, change);
    if (!edit && change.value && change.end <= change.value->value.size()) {
      // One contiguous edit is not possible: try each changed component on its own.
      // Its reason, when a component fails, says more than the whole change's.
      const std::vector<ValueEdit> parts = splitByComponent(change);
      std::vector<Edit> partEdits;
      bool allMade = parts.size() > 1;
      for (size_t i = 0; allMade && i < parts.size(); ++i) {
        auto partEdit = editForChange(finding, parts[i]);
        allMade = partEdit.hasValue();
        if (!allMade)
          edit = partEdit.error();
        else if (*partEdit)
          partEdits.push_back(std::move(**partEdit));
      }
      if (allMade) {
        std::move(partEdits.begin(), partEdits.end(), std::back_inserter(edits));
        continue;
      }
    }
    if (!edit) {
      Error e = edit.error();
      e.file = finding.file;
      e.line = finding.line;
      e.column = finding.column;
      return e;
    }
    if (*edit)
      edits.push_back(std::move(**edit));
  }
  return edits;
}

} // namespace godwit
