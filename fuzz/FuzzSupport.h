#pragma once
// What the fuzz targets share: the migration their analyzers look for, its matchers, and the
// invariant checks whose failure is a finding (they abort, so libFuzzer and the corpus driver
// both stop on them). Each target defines LLVMFuzzerTestOneInput (fuzz/<target>/<target>.cpp).

#include "analyzers/Analyzer.h"
#include "analyzers/DecodedString.h"
#include "rules/DatasetMatcher.h"
#include "rules/Migration.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace godwit::fuzz {

/// A migration with a table (columns too, so SQL columns are analyzed), a GCS prefix and a topic,
/// the kinds whose spellings differ most.
inline constexpr std::string_view kMigration = R"(apiVersion: godwit/v1
kind: Migration
name: fuzz
datasets:
  - kind: bigquery-table
    from: acme-prod.core_users.user_profile_v1
    to: acme-prod.core_users.user_profile_v2
    columns:
      rename: { country_code: country }
  - kind: gcs-prefix
    from: gs://acme-raw/events/
    to: gs://acme-lake/events/
  - kind: kafka-topic
    from: playback-events
    to: playback-events-v2
)";

/// The matchers of kMigration, built once.
inline const std::vector<DatasetMatcher>& matchers() {
  static const std::vector<DatasetMatcher> built = [] {
    std::vector<DatasetMatcher> out;
    auto migration = parseMigration(kMigration, "fuzz.yaml");
    if (!migration) {
      std::fprintf(stderr, "fuzz: the built-in migration does not load: %s\n",
                   migration.error().str().c_str());
      std::abort();
    }
    for (const DatasetSpec& spec : migration->datasets)
      out.emplace_back(spec);
    return out;
  }();
  return built;
}

/// Stops the run with `what` when `ok` is false: a broken invariant is a finding.
inline void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz: invariant broken: %s\n", what);
    std::abort();
  }
}

/// A decoded value's offset map stays inside the source and has one entry per value byte.
inline void checkDecoded(const DecodedString& d, size_t sourceSize) {
  check(d.srcBegin.size() == d.value.size() && d.srcEnd.size() == d.value.size(),
        "offset map size differs from the value's");
  for (size_t i = 0; i < d.value.size(); ++i)
    check(d.srcBegin[i] <= d.srcEnd[i] && d.srcEnd[i] <= sourceSize,
          "offset map points outside the source");
}

/// The analyzer the engine builds for language `name`, with the built-in rules.
const Analyzer& analyzerFor(std::string_view name);

/// What the engine does with one file of language `name`: the nesting limit, the analysis, the
/// edits of its rewrites and their verification; checks each finding's range and edit.
void analyzeLikeTheEngine(std::string_view name, std::string_view text);

} // namespace godwit::fuzz
