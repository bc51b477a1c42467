// The prefilter: one Hyperscan literal database per migration. Hyperscan needs a scratch space per
// concurrent scan; each thread keeps one scratch, grown to fit every database it has scanned with.

#include "rules/Prefilter.h"

#include <hs/hs.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>

namespace godwit {

struct Prefilter::Impl {
  hs_database_t* database = nullptr;
  uint64_t id = 0;    ///< Never reused, so a thread can tell whether its scratch fits.
  size_t longest = 0; ///< The longest pattern, for overlapping chunks of huge inputs.

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (database)
      hs_free_database(database);
  }
};

namespace {

std::atomic<uint64_t> nextId{1};

struct ThreadScratch {
  hs_scratch_t* scratch = nullptr;
  uint64_t fitsUpTo = 0; ///< The id of the last database the scratch was grown for.
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
  bool found = false;
  size_t base = 0;
  std::vector<size_t>* ends = nullptr;
};

int onMatch(unsigned int, unsigned long long, unsigned long long to, unsigned int, void* context) {
  auto* state = static_cast<ScanState*>(context);
  state->found = true;
  if (state->ends == nullptr)
    return 1; // stop: one match is enough
  state->ends->push_back(state->base + static_cast<size_t>(to));
  return 0;
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
  // may not follow (`$` also lets it end the file).
  std::vector<std::string> regexes;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  auto hex = [](unsigned char c) {
    static const char digits[] = "0123456789abcdef";
    return std::string{'\\', 'x', digits[c >> 4], digits[c & 15]};
  };
  for (const PrefilterPattern& p : patterns) {
    if (p.literal.empty())
      return makeError("internal error: an empty prefilter pattern",
                       "every dataset needs a non-empty name");
    std::string re;
    for (unsigned char c : p.literal)
      re += hex(c);
    if (!p.notFollowedBy.empty()) {
      re += "(?:[^";
      for (unsigned char c : p.notFollowedBy)
        re += hex(c);
      re += "]|$)";
    }
    regexes.push_back(std::move(re));
    flags.push_back(p.caseless ? HS_FLAG_CASELESS : 0u);
    ids.push_back(static_cast<unsigned>(ids.size()));
    impl->longest = std::max(impl->longest, p.literal.size() + 1);
  }
  std::vector<const char*> expressions;
  for (const std::string& re : regexes)
    expressions.push_back(re.c_str());
  hs_compile_error_t* compileError = nullptr;
  hs_error_t rc = hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                                   static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK,
                                   nullptr, &impl->database, &compileError);
  if (rc != HS_SUCCESS) {
    std::string message = compileError && compileError->message ? compileError->message
                                                                : "error " + std::to_string(rc);
    hs_free_compile_error(compileError);
    return makeError("cannot compile the prefilter: " + message,
                     "Hyperscan needs an x86-64 CPU with SSSE3");
  }
  // Check once that a scratch can be made, so that scans only fail when memory runs out.
  hs_scratch_t* probe = nullptr;
  rc = hs_alloc_scratch(impl->database, &probe);
  if (probe)
    hs_free_scratch(probe);
  if (rc != HS_SUCCESS)
    return makeError("cannot allocate the prefilter's scratch space (error " + std::to_string(rc) +
                     ")");
  return Prefilter(std::move(impl));
}

bool Prefilter::matches(std::string_view bytes, std::vector<size_t>* ends) const {
  if (!impl_ || !impl_->database)
    return false;
  ThreadScratch& local = threadScratch;
  if (local.fitsUpTo != impl_->id) {
    // Grows the scratch when this database needs more; a no-op otherwise.
    if (hs_alloc_scratch(impl_->database, &local.scratch) != HS_SUCCESS)
      return true; // cannot tell: let the file through, parsing decides
    local.fitsUpTo = impl_->id;
  }
  // hs_scan takes an unsigned length; huge inputs go in chunks that overlap by a pattern's length.
  const size_t chunk = UINT_MAX;
  size_t pos = 0;
  do {
    size_t len = std::min(chunk, bytes.size() - pos);
    ScanState state{false, pos, ends};
    hs_error_t rc = hs_scan(impl_->database, bytes.data() + pos, static_cast<unsigned>(len), 0,
                            local.scratch, onMatch, &state);
    if (state.found && !ends)
      return true;
    if (rc != HS_SUCCESS) {
      if (ends)
        ends->clear(); // unknown places: the caller analyzes the whole file
      return true;     // cannot tell: let the file through
    }
    if (pos + len >= bytes.size())
      break;
    pos += len - std::min(len, impl_->longest - 1);
  } while (true);
  return ends && !ends->empty();
}

} // namespace godwit
