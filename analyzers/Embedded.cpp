#include "analyzers/Embedded.h"

#include "analyzers/Nesting.h"
#include "rules/RulePack.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

namespace godwit {

void EmbeddedDocument::copy(std::string_view host, uint32_t begin, uint32_t end) {
  for (uint32_t i = begin; i < end; ++i)
    push(host[i], i, i + 1);
}

void EmbeddedDocument::push(char c, uint32_t begin, uint32_t end) {
  text.push_back(c);
  srcBegin.push_back(begin);
  srcEnd.push_back(end);
}

void EmbeddedDocument::synthesize(std::string_view bytes, uint32_t at) {
  for (const char c : bytes)
    push(c, at, at);
}

void EmbeddedDocument::append(const DecodedString& decoded, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    if (decoded.piece[i] == DecodedString::kNoPiece || decoded.value[i] == kHole)
      push(' ', decoded.srcBegin[i], decoded.srcBegin[i]);
    else
      push(decoded.value[i], decoded.srcBegin[i], decoded.srcEnd[i]);
  }
}

DecodedString EmbeddedDocument::value() const {
  DecodedString out;
  if (text.empty())
    return out;
  out.beginPiece(srcBegin.front(), srcEnd.back(), LiteralStyle{});
  for (size_t i = 0; i < text.size(); ++i) {
    if (srcBegin[i] == srcEnd[i])
      out.pushHole(srcBegin[i], srcEnd[i]);
    else
      out.push(text[i], srcBegin[i], srcEnd[i]);
  }
  return out;
}

EmbeddedDocument stringDocument(std::string language, const DecodedString& value) {
  EmbeddedDocument doc;
  doc.language = std::move(language);
  doc.hostPieces = value.pieces;
  const auto put = [&](char c, uint32_t begin, uint32_t end, uint16_t piece) {
    doc.push(c, begin, end);
    doc.hostPiece.push_back(piece);
  };
  const std::string_view v = value.value;
  for (size_t i = 0; i < v.size();) {
    const uint32_t at = value.srcBegin[i];
    if (const size_t close = templateBlockEnd(v, i, TemplateBlocks::Jinja);
        close != std::string_view::npos) {
      put(kHole, at, at, DecodedString::kNoPiece);
      if (v[i + 1] != '{')
        put('\n', at, at, DecodedString::kNoPiece);
      i = close + 1;
    } else if (value.piece[i] == DecodedString::kNoPiece || v[i] == kHole) {
      put(kHole, at, at, DecodedString::kNoPiece);
      ++i;
    } else {
      put(v[i], at, value.srcEnd[i], value.piece[i]);
      ++i;
    }
  }
  return doc;
}

struct EmbeddedRunner::Slot {
  std::once_flag once;
  std::unique_ptr<Analyzer> analyzer;
};

EmbeddedRunner::EmbeddedRunner() : slots_(new Slot[languageTable().size()]) {}

EmbeddedRunner::~EmbeddedRunner() = default;

const Analyzer* EmbeddedRunner::analyzer(std::string_view language) const {
  const auto table = languageTable();
  const auto entry = std::find_if(table.begin(), table.end(),
                                  [&](const LanguageEntry& e) { return e.name == language; });
  if (entry == table.end() || !entry->create)
    return nullptr;
  Slot& slot = slots_[static_cast<size_t>(entry - table.begin())];
  std::call_once(slot.once, [&] {
    std::vector<const Rule*> rules;
    for (const Rule& r : builtinRules())
      if (r.language == entry->name)
        rules.push_back(&r);
    if (auto made = entry->create(rules))
      slot.analyzer = std::move(*made);
  });
  return slot.analyzer.get();
}

namespace {

/// Host positions of document positions, and whether a document range holds synthesized bytes.
class HostMap {
public:
  explicit HostMap(const EmbeddedDocument& doc) : doc_(doc), synthesized_(doc.text.size() + 1, 0) {
    for (size_t i = 0; i < doc.text.size(); ++i)
      synthesized_[i + 1] = synthesized_[i] + (doc.srcBegin[i] == doc.srcEnd[i] ? 1 : 0);
  }

  /// The host position where the document byte at `pos` starts (its end, past the last byte).
  uint32_t begin(size_t pos) const {
    if (pos < doc_.text.size())
      return doc_.srcBegin[pos];
    return doc_.text.empty() ? 0 : doc_.srcEnd.back();
  }
  /// The host position where document bytes ending at `pos` (exclusive) end.
  uint32_t end(size_t pos) const {
    if (pos == 0 || pos > doc_.text.size())
      return begin(pos);
    return doc_.srcEnd[pos - 1];
  }
  bool synthesizedIn(size_t from, size_t to) const {
    from = std::min(from, doc_.text.size());
    to = std::clamp(to, from, doc_.text.size());
    return synthesized_[to] != synthesized_[from];
  }
  /// True for a stringDocument(): its bytes keep the host string's pieces.
  bool composed() const {
    return !doc_.hostPieces.empty() && doc_.hostPiece.size() == doc_.text.size();
  }
  /// The host string's piece that all document bytes [from, to) come from; kNoPiece when they
  /// come from several, or godwit put one there.
  uint16_t hostPiece(size_t from, size_t to) const {
    to = std::min(to, doc_.text.size());
    if (from >= to || synthesizedIn(from, to))
      return DecodedString::kNoPiece;
    const uint16_t first = doc_.hostPiece[from];
    for (size_t i = from + 1; i < to; ++i)
      if (doc_.hostPiece[i] != first)
        return DecodedString::kNoPiece;
    return first;
  }
  /// The host range of document bytes [from, to) of a stringDocument() that are written in the
  /// host itself (a host string's value may hold a constant defined before or after it, or in
  /// another file); nullopt when all of them are another file's.
  std::optional<std::pair<uint32_t, uint32_t>> localRange(size_t from, size_t to) const {
    to = std::min(to, doc_.text.size());
    uint32_t lo = UINT32_MAX, hi = 0;
    bool elsewhere = false;
    for (size_t i = from; i < to; ++i) {
      if (doc_.srcBegin[i] == doc_.srcEnd[i])
        continue;
      if (!doc_.hostPieces[doc_.hostPiece[i]].file.empty()) {
        elsewhere = true;
        continue;
      }
      lo = std::min(lo, doc_.srcBegin[i]);
      hi = std::max(hi, doc_.srcEnd[i]);
    }
    if (lo <= hi)
      return std::pair{lo, hi};
    if (elsewhere)
      return std::nullopt;
    return std::pair{begin(from), begin(from)};
  }

private:
  const EmbeddedDocument& doc_;
  std::vector<uint32_t> synthesized_; // prefix counts
};

/// `value`, whose offset map refers to the document, with its map into the host. A value byte
/// made of synthesized bytes becomes a hole for the rewriters (its changes are refused there).
std::shared_ptr<const DecodedString> toHost(const DecodedString& value, const HostMap& map,
                                            bool inJsonString) {
  auto out = std::make_shared<DecodedString>(value);
  for (size_t i = 0; i < value.value.size(); ++i) {
    const uint32_t b = value.srcBegin[i], e = value.srcEnd[i];
    if (map.synthesizedIn(b, std::max(e, b + 1)))
      out->piece[i] = DecodedString::kNoPiece;
    out->srcBegin[i] = map.begin(b);
    out->srcEnd[i] = e > b ? map.end(e) : map.begin(b);
  }
  for (LiteralPiece& p : out->pieces) {
    const uint32_t b = p.begin;
    p.begin = map.begin(b);
    p.end = p.end > b ? map.end(p.end) : p.begin;
    if (p.useAt != LiteralPiece::kNoUse && p.useFile.empty())
      p.useAt = map.begin(p.useAt);
    p.style.inJsonString = inJsonString;
    p.shared = false; // a constant in a notebook or a README is seen by no other file
  }
  return out;
}

/// `value`, whose offset map refers to a stringDocument(), with its map into the host and its
/// pieces cut along the host string's: each is the document's literal inside one of the host's,
/// encoded in both styles and carrying the host's constant. A byte godwit put there, or one
/// from several host pieces or inside a constant of both, is a hole for the rewriters.
std::shared_ptr<const DecodedString> composeWithHost(const DecodedString& value,
                                                     const HostMap& map,
                                                     const EmbeddedDocument& doc) {
  auto out = std::make_shared<DecodedString>();
  const size_t n = value.value.size();
  out->value = value.value;
  out->srcBegin.resize(n);
  out->srcEnd.resize(n);
  out->piece.assign(n, DecodedString::kNoPiece);
  std::map<std::pair<uint16_t, uint16_t>, uint16_t> made;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t b = value.srcBegin[i], e = value.srcEnd[i];
    const uint32_t hostBegin = map.begin(b), hostEnd = e > b ? map.end(e) : hostBegin;
    out->srcBegin[i] = hostBegin;
    out->srcEnd[i] = hostEnd;
    const uint16_t p = value.piece[i];
    const uint16_t h = map.hostPiece(b, std::max(e, b + 1));
    if (p == DecodedString::kNoPiece || h == DecodedString::kNoPiece)
      continue;
    const LiteralPiece& inner = value.pieces[p];
    const LiteralPiece& host = doc.hostPieces[h];
    if (!inner.constant.empty() && !host.constant.empty())
      continue;
    auto [it, fresh] = made.emplace(std::pair{p, h}, static_cast<uint16_t>(out->pieces.size()));
    if (fresh) {
      if (out->pieces.size() + 1 >= DecodedString::kNoPiece) {
        made.erase(it);
        continue;
      }
      LiteralPiece c = inner;
      c.style.outer = std::make_shared<const LiteralStyle>(host.style);
      c.style.inJsonString = doc.inJsonString;
      c.file = host.file;
      if (host.constant.empty()) {
        if (c.useAt != LiteralPiece::kNoUse && c.useFile.empty())
          c.useAt = map.begin(c.useAt);
        c.shared = false; // a variable of the command is seen by no other file
      } else {
        c.constant = host.constant;
        c.constantUses = host.constantUses;
        c.useAt = host.useAt;
        c.useFile = host.useFile;
        c.shared = host.shared;
      }
      c.begin = hostBegin;
      c.end = hostEnd;
      out->pieces.push_back(std::move(c));
    }
    LiteralPiece& c = out->pieces[it->second];
    c.begin = std::min(c.begin, hostBegin);
    c.end = std::max(c.end, hostEnd);
    out->piece[i] = it->second;
  }
  return out;
}

} // namespace

Expected<EmbeddedResult> EmbeddedRunner::analyze(const SourceFile& host, const LineIndex& lines,
                                                 const EmbeddedDocument& doc,
                                                 std::span<const DatasetMatcher> matchers) const {
  EmbeddedResult result;
  const Analyzer* inner = analyzer(doc.language);
  if (!inner || tooDeeplyNested(doc.language, doc.text)) {
    result.skipped = true;
    return result;
  }
  AnalysisNotes notes;
  auto found = inner->analyzeFile(SourceFile{host.path, doc.text}, matchers, notes);
  if (!found)
    return found.error();
  result.parseErrors = notes.parseErrors;
  result.skipped = notes.skipped;
  const HostMap map(doc);
  std::map<const DecodedString*, std::shared_ptr<const DecodedString>> mapped;
  for (Finding& f : *found) {
    const size_t begin = f.offset, end = f.offset + f.length;
    if (map.composed()) {
      const auto range = map.localRange(begin, end);
      if (!range) // reported by the analysis of the file that defines the constant
        continue;
      f.offset = range->first;
      f.length = range->second - range->first;
    } else {
      f.offset = map.begin(begin);
      f.length = (f.length > 0 ? map.end(end) : f.offset) - f.offset;
    }
    std::tie(f.line, f.column) = lines.position(f.offset);
    std::tie(f.endLine, f.endColumn) = lines.position(f.offset + f.length);
    f.file = host.path;
    bool elsewhere = false;
    for (ValueEdit& change : f.changes) {
      if (!change.value)
        continue;
      auto& to = mapped[change.value.get()];
      if (!to)
        to = map.composed() ? composeWithHost(*change.value, map, doc)
                            : toHost(*change.value, map, doc.inJsonString);
      if (map.composed()) {
        for (size_t i = change.begin; i < change.end && i < to->piece.size(); ++i)
          elsewhere = elsewhere || (to->piece[i] != DecodedString::kNoPiece &&
                                    !to->pieces[to->piece[i]].file.empty());
      } else {
        for (const LiteralPiece& p : change.value->pieces)
          elsewhere = elsewhere || !p.file.empty();
      }
      change.value = to;
    }
    if (elsewhere) // constants of other files are not looked up for embedded documents
      holdWithReason(f, "the change lands in another file's constant; change it by hand");
    result.findings.push_back(std::move(f));
  }
  return result;
}

int EmbeddedRunner::syntaxErrors(const EmbeddedDocument& doc) const {
  const Analyzer* inner = analyzer(doc.language);
  return inner ? inner->syntaxErrors(doc.text) : 0;
}

void holdAll(std::span<Finding> findings, const std::string& reason) {
  for (Finding& f : findings) {
    if (f.action == Action::Attention && f.changes.empty())
      continue;
    holdWithReason(f, reason);
    f.replacement.clear();
  }
}

void addEmbeddedFindings(FindingCollector& out, std::vector<Finding>& found) {
  for (Finding& f : found) {
    const size_t begin = f.offset, end = f.offset + f.length;
    out.add(std::move(f), begin, end);
  }
}

DecodedString hostText(std::string_view text, uint32_t begin, uint32_t end) {
  DecodedString out;
  out.beginPiece(begin, end, LiteralStyle{});
  for (uint32_t i = begin; i < end; ++i)
    out.push(text[i], i, i + 1);
  return out;
}

bool hitIn(std::span<const size_t> hits, uint32_t begin, uint32_t end) {
  if (hits.empty())
    return true;
  const auto at = std::upper_bound(hits.begin(), hits.end(), static_cast<size_t>(begin));
  return at != hits.end() && *at <= end;
}

void addTextAttention(FindingCollector& out, const DecodedString& text,
                      std::span<const DatasetMatcher> matchers, const std::string& context,
                      const std::string& reason) {
  if (text.value.empty())
    return;
  const size_t first = out.findings().size();
  const ContextFor contextFor = [&](uint32_t, uint32_t, Finding& f) { f.context = context; };
  addValueFindings(out, text, text.srcBegin.front(), text.srcEnd.back(), matchers, contextFor, {},
                   ValueSyntax::Plain);
  holdAll(std::span(out.findings()).subspan(first), reason);
}

} // namespace godwit
