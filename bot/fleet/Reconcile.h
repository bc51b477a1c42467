#pragma once
// Where the Backstage catalog and the code disagree about who consumes the dataset: catalog
// consumers whose code has no reference, and repositories with references that the catalog does
// not list as consumers (docs/runner.md, "Reconciliation").

#include "bot/fleet/Discover.h"
#include "bot/fleet/FleetRepo.h"

#include <cstdint>
#include <string>
#include <vector>

namespace godwit {

/// What discover found in one analyzed repository.
struct CodeFindings {
  int64_t id = 0;        ///< The code host's repository id; 0 when unknown.
  std::string fullName;  ///< `owner/name`.
  size_t references = 0; ///< References to the migration's datasets (0: none).
};

/// A repository with references that the catalog does not list as a consumer.
struct UnlistedConsumer {
  FleetRepo repo; ///< From the inventory (only `fullName` and `id` when it was not in it).
  size_t references = 0;
};

/// The disagreements, each list ordered by `fullName`.
struct Reconciliation {
  std::vector<FleetRepo> unreferencedConsumers;    ///< Catalog consumers with no reference in code.
  std::vector<UnlistedConsumer> unlistedConsumers; ///< References, but not a catalog consumer.
  std::vector<FleetRepo> unanalyzedConsumers; ///< Catalog consumers discover could not analyze.
};

/// Compares the inventory's `catalogConsumer` marks with `found` (one entry per analyzed
/// repository, matched by id when both have one, else by case-insensitive `fullName`). A
/// consumer missing from `found` was not analyzed and is neither confirmed nor contradicted.
Reconciliation reconcile(const std::vector<FleetRepo>& inventory,
                         const std::vector<CodeFindings>& found);

/// What `discovered` analyzed, as `reconcile` takes it: consumers and non-consumers, with their
/// rewrites and attention items counted as references. Opted-out, archived and failed
/// repositories were not analyzed and are left out.
std::vector<CodeFindings> codeFindings(const DiscoverResult& discovered);

} // namespace godwit
