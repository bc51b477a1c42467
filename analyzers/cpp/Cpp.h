#pragma once
// The C++ analyzer, on Clang LibTooling: string literals of every form, constants, values composed
// with absl::StrCat, std::string `+`, fmt::format and std::format, and macros (see docs/cpp.md).

#include "analyzers/Analyzer.h"

#include <memory>
#include <vector>

namespace godwit {

/// Builds the C++ analyzer for the checkout of `context`. An explicitly given compilation database
/// that cannot be read is an error; a found one is read when the first C++ file needs it.
Expected<std::unique_ptr<Analyzer>> makeCppAnalyzer(const std::vector<const Rule*>& rules,
                                                    const AnalyzerContext& context);

} // namespace godwit
