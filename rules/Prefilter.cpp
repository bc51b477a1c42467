// The prefilter: Hyperscan databases per migration. Hyperscan needs a scratch space per concurrent
// scan; each thread keeps one scratch, grown to fit every database it has scanned with.
//
// Plain literals go into one database, which Hyperscan scans at its fastest. A pattern family
// (`core_users.` + a prefix of the table + `*`) is a regular expression, and any regular expression
// in that database slows every scan, so families live in a second database that only scans a file
// in which the first found the family's leading literal (its gate).

#include "rules/Prefilter.h"

#include <hs/hs.h>

#include <algorithm>
#include <bitset>
#include <cctype>
#include <atomic>
#include <climits>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>

namespace godwit {

struct Prefilter::Impl {
  hs_database_t* literals = nullptr; ///< Literal patterns, then the families' gates.
  hs_database_t* families = nullptr; ///< Null when there is no family.
  unsigned gatesFrom = UINT_MAX;     ///< Ids of `literals` from here on are gates.
  /// Per literal id: the index in `follow` of the bytes that may not follow it, or -1. Checked
  /// when Hyperscan reports the match: as a class in the regex, thousands of literals would
  /// compile for minutes instead of a second.
  std::vector<int> followClass;
  std::vector<std::bitset<256>> follow;
  uint64_t id = 0;    ///< Never reused, so a thread can tell whether its scratch fits.
  size_t longest = 0; ///< The longest pattern, for overlapping chunks of huge inputs.

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (literals)
      hs_free_database(literals);
    if (families)
      hs_free_database(families);
  }
};

namespace {

std::atomic<uint64_t> nextId{1};

struct ThreadScratch {
  hs_scratch_t* scratch = nullptr;
  uint64_t fitsUpTo = 0; ///< The id of the last prefilter the scratch was grown for.
  ThreadScratch() = default;
  ThreadScratch(const ThreadScratch&) = delete;
  ThreadScratch& operator=(const ThreadScratch&) = delete;
  ~ThreadScratch() {
    if (scratch)
      hs_free_scratch(scratch);
  }
};

thread_local ThreadScratch threadScratch;

struct ScanState {
  const Prefilter::Impl* impl = nullptr;
  std::string_view bytes; ///< The whole input (matches are checked against what follows them).
  bool found = false;
  bool gate = false;
  unsigned gatesFrom = UINT_MAX;
  size_t base = 0;
  std::vector<size_t>* ends = nullptr;
};

int onMatch(unsigned int id, unsigned long long, unsigned long long to, unsigned int,
            void* context) {
  auto* state = static_cast<ScanState*>(context);
  if (id >= state->gatesFrom) {
    state->gate = true;
    return 0;
  }
  size_t end = state->base + static_cast<size_t>(to);
  if (state->impl && id < state->impl->followClass.size()) {
    const int follow = state->impl->followClass[id];
    if (follow >= 0 && end < state->bytes.size()) {
      if (state->impl->follow[static_cast<size_t>(follow)].test(
              static_cast<unsigned char>(state->bytes[end])))
        return 0; // a look-alike: the name goes on
      ++end;      // a bounded match ends after the byte it checked
    }
  }
  state->found = true;
  if (state->ends == nullptr)
    return 1; // stop: one match is enough
  state->ends->push_back(end);
  return 0;
}

std::string hex(unsigned char c) {
  static const char digits[] = "0123456789abcdef";
  return std::string{'\\', 'x', digits[c >> 4], digits[c & 15]};
}

std::string escaped(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes)
    out += hex(c);
  return out;
}

/// An order on byte sets, to share equal ones.
struct BitsLess {
  bool operator()(const std::bitset<256>& a, const std::bitset<256>& b) const {
    for (size_t i = 0; i < 256; ++i)
      if (a[i] != b[i])
        return b[i];
    return false;
  }
};

/// The proper prefixes of several names as one regex: a path through the trie of the names'
/// bytes, which may stop at any depth of at least `minPrefix`.
class PrefixTrie {
public:
  void insert(std::string_view bytes) {
    ++names_;
    for (unsigned char c : bytes)
      bytes_.set(c);
    size_t node = 0;
    for (unsigned char c : bytes) {
      auto it = nodes_[node].children.find(c);
      if (it == nodes_[node].children.end()) {
        nodes_.emplace_back();
        it = nodes_[node].children.emplace(c, nodes_.size() - 1).first;
      }
      node = it->second;
    }
  }

  /// `(?:a(?:b)?|c)?`-style alternation; iterative, since a name may be long. Past kMaxExact
  /// names, a run of their bytes instead: a superset (more files become candidates, and analysis
  /// decides), since Hyperscan takes seconds for tries of hundreds of names.
  std::string regex(size_t minPrefix) const {
    if (names_ > kMaxExact) {
      std::string set;
      for (size_t c = 0; c < 256; ++c)
        if (bytes_.test(c))
          set += hex(static_cast<unsigned char>(c));
      if (set.empty())
        return "";
      return "[" + set + "]{" + std::to_string(minPrefix) + ",}";
    }
    struct Frame {
      size_t node, depth;
      std::map<unsigned char, size_t>::const_iterator next;
    };
    std::string out;
    std::vector<Frame> stack{{0, 0, nodes_[0].children.begin()}};
    out += open(0);
    while (!stack.empty()) {
      Frame& f = stack.back();
      const auto& children = nodes_[f.node].children;
      if (f.next == children.end()) {
        out += close(f.node, f.depth, minPrefix);
        stack.pop_back();
        continue;
      }
      if (f.next != children.begin())
        out += '|';
      const auto [byte, child] = *f.next++;
      out += hex(byte) + open(child);
      stack.push_back({child, f.depth + 1, nodes_[child].children.begin()});
    }
    return out;
  }

private:
  struct Node {
    std::map<unsigned char, size_t> children;
  };
  std::string open(size_t node) const { return nodes_[node].children.empty() ? "" : "(?:"; }
  /// Closes a node's group; a node deep enough to end a prefix makes its continuation optional.
  std::string close(size_t node, size_t depth, size_t minPrefix) const {
    if (nodes_[node].children.empty())
      return "";
    return depth >= minPrefix ? ")?" : ")";
  }

  static constexpr size_t kMaxExact = 8;
  std::vector<Node> nodes_{1};
  std::bitset<256> bytes_;
  size_t names_ = 0;
};

/// Compiles `regexes` (with their flags; ids are their indexes) into `out`.
Expected<void> compile(const std::vector<std::string>& regexes, const std::vector<unsigned>& flags,
                       hs_database_t*& out) {
  std::vector<const char*> expressions;
  std::vector<unsigned> ids;
  for (const std::string& re : regexes) {
    ids.push_back(static_cast<unsigned>(expressions.size()));
    expressions.push_back(re.c_str());
  }
  hs_compile_error_t* compileError = nullptr;
  const hs_error_t rc = hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                                         static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK,
                                         nullptr, &out, &compileError);
  if (rc != HS_SUCCESS) {
    std::string message = compileError && compileError->message ? compileError->message
                                                                : "error " + std::to_string(rc);
    hs_free_compile_error(compileError);
    return makeError("cannot compile the prefilter: " + message,
                     "Hyperscan needs an x86-64 CPU with SSSE3");
  }
  // Check once that a scratch can be made, so that scans only fail when memory runs out.
  hs_scratch_t* probe = nullptr;
  const hs_error_t made = hs_alloc_scratch(out, &probe);
  if (probe)
    hs_free_scratch(probe);
  if (made != HS_SUCCESS)
    return makeError("cannot allocate the prefilter's scratch space (error " +
                     std::to_string(made) + ")");
  return {};
}

/// Scans `bytes` with `database`; false when Hyperscan failed (not for a stop by onMatch).
bool scan(const hs_database_t* database, std::string_view bytes, size_t longest,
          hs_scratch_t* scratch, ScanState& state) {
  // hs_scan takes an unsigned length; huge inputs go in chunks that overlap by a pattern's length.
  const size_t chunk = UINT_MAX;
  size_t pos = 0;
  do {
    const size_t len = std::min(chunk, bytes.size() - pos);
    state.base = pos;
    const hs_error_t rc = hs_scan(database, bytes.data() + pos, static_cast<unsigned>(len), 0,
                                  scratch, onMatch, &state);
    if (state.found && !state.ends)
      return true;
    if (rc != HS_SUCCESS)
      return false;
    if (pos + len >= bytes.size())
      return true;
    pos += len - std::min(len, longest - 1);
  } while (true);
}

} // namespace

Prefilter::Prefilter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Prefilter::Prefilter(Prefilter&&) noexcept = default;
Prefilter& Prefilter::operator=(Prefilter&&) noexcept = default;
Prefilter::~Prefilter() = default;

Expected<Prefilter> Prefilter::build(const std::vector<PrefilterPattern>& patterns) {
  auto impl = std::make_unique<Impl>();
  impl->id = nextId.fetch_add(1);
  if (patterns.empty())
    return Prefilter(std::move(impl));

  // Every pattern becomes a regex of escaped bytes, with a negated class after it when some bytes
  // may not follow (`$` also lets it end the file). Identical patterns are one; families that
  // share their literal, suffix, minimum and case are one trie (a migration of many tables in one
  // dataset would otherwise be thousands of chains, which Hyperscan compiles for minutes).
  std::vector<std::string> literals, families, gates;
  std::vector<unsigned> literalFlags, familyFlags, gateFlags;
  std::set<std::pair<std::string, unsigned>> seen, seenGates;
  std::map<std::bitset<256>, int, BitsLess> followIndexes;
  const auto followIndex = [&](const PrefilterPattern& p) {
    std::bitset<256> bytes;
    for (unsigned char c : p.notFollowedBy) {
      bytes.set(c);
      if (p.caseless)
        bytes.set(static_cast<unsigned char>(std::tolower(c))).set(
            static_cast<unsigned char>(std::toupper(c)));
    }
    const auto [it, fresh] = followIndexes.emplace(bytes, static_cast<int>(impl->follow.size()));
    if (fresh)
      impl->follow.push_back(bytes);
    return it->second;
  };
  std::map<std::tuple<std::string, std::string, size_t, unsigned>, PrefixTrie> tries;
  for (const PrefilterPattern& p : patterns) {
    if (p.literal.empty())
      return makeError("internal error: an empty prefilter pattern",
                       "every dataset needs a non-empty name");
    const unsigned flags = p.caseless ? HS_FLAG_CASELESS : 0u;
    impl->longest =
        std::max(impl->longest, p.literal.size() + p.prefixOf.size() + p.suffix.size() + 1);
    if (!p.prefixOf.empty()) {
      tries[{p.literal, p.suffix, p.minPrefix, flags}].insert(
          std::string_view(p.prefixOf).substr(0, p.prefixOf.size() - 1));
      continue;
    }
    std::string re = escaped(p.literal);
    if (!seen.emplace(re + '\0' + p.notFollowedBy, flags).second)
      continue;
    literals.push_back(std::move(re));
    literalFlags.push_back(flags);
    impl->followClass.push_back(p.notFollowedBy.empty() ? -1 : followIndex(p));
  }
  for (const auto& [key, trie] : tries) {
    const auto& [literal, suffix, minPrefix, flags] = key;
    families.push_back(escaped(literal) + trie.regex(minPrefix) + escaped(suffix));
    familyFlags.push_back(flags);
    std::string gate = escaped(literal);
    if (seenGates.emplace(gate, flags).second) {
      gates.push_back(std::move(gate));
      gateFlags.push_back(flags);
    }
  }
  impl->gatesFrom = static_cast<unsigned>(literals.size());
  literals.insert(literals.end(), gates.begin(), gates.end());
  literalFlags.insert(literalFlags.end(), gateFlags.begin(), gateFlags.end());
  if (auto made = compile(literals, literalFlags, impl->literals); !made)
    return made.error();
  if (!families.empty())
    if (auto made = compile(families, familyFlags, impl->families); !made)
      return made.error();
  return Prefilter(std::move(impl));
}

bool Prefilter::matches(std::string_view bytes, std::vector<size_t>* ends) const {
  if (!impl_ || !impl_->literals)
    return false;
  ThreadScratch& local = threadScratch;
  if (local.fitsUpTo != impl_->id) {
    // Grows the scratch when these databases need more; a no-op otherwise.
    if (hs_alloc_scratch(impl_->literals, &local.scratch) != HS_SUCCESS ||
        (impl_->families && hs_alloc_scratch(impl_->families, &local.scratch) != HS_SUCCESS))
      return true; // cannot tell: let the file through, parsing decides
    local.fitsUpTo = impl_->id;
  }
  ScanState state;
  state.impl = impl_.get();
  state.bytes = bytes;
  state.gatesFrom = impl_->gatesFrom;
  state.ends = ends;
  bool scanned = scan(impl_->literals, bytes, impl_->longest, local.scratch, state);
  if (scanned && state.gate && (ends || !state.found)) {
    state.gatesFrom = UINT_MAX;
    scanned = scan(impl_->families, bytes, impl_->longest, local.scratch, state);
  }
  if (!scanned) {
    if (ends)
      ends->clear(); // unknown places: the caller analyzes the whole file
    return true;     // cannot tell: let the file through
  }
  return state.found;
}

} // namespace godwit
