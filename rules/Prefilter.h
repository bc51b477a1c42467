#pragma once
// One multi-pattern scan over a file's raw bytes decides whether it is worth parsing.

#include "rules/DatasetMatcher.h"
#include "rules/Expected.h"

#include <memory>
#include <string_view>
#include <vector>

namespace godwit {

/// A compiled set of literal patterns (Hyperscan); safe to use from many threads at once.
class Prefilter {
public:
  /// Compiles the patterns; an empty set matches nothing.
  static Expected<Prefilter> build(const std::vector<PrefilterPattern>& patterns);

  /// True when `bytes` contains at least one pattern. With `ends`, scans on and appends where
  /// every match ends (byte offsets), so the caller knows where to look.
  bool matches(std::string_view bytes, std::vector<size_t>* ends = nullptr) const;

  Prefilter(Prefilter&&) noexcept;
  Prefilter& operator=(Prefilter&&) noexcept;
  ~Prefilter();

  struct Impl; ///< The compiled databases (opaque; defined in Prefilter.cpp).

private:
  explicit Prefilter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace godwit
