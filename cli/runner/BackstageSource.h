#pragma once
// The Backstage catalog as an inventory source of the command line (--backstage-url,
// --backstage-token-file): reads the token, asks the catalog, reports entities without a
// repository on the warning stream.

#include "bot/fleet/FleetRepo.h"
#include "bot/github/GitHubClient.h"
#include "cli/runner/RunnerOptions.h"
#include "rules/Migration.h"

#include <ostream>
#include <vector>

namespace godwit {

/// The repositories the catalog at `flags.backstageUrl` lists for `migration` (its
/// `backstage:` section), with `catalogConsumer` marked. Entities that name no repository are
/// written to `warnings`, one line each, and left out. An Error is a bad invocation, an unreadable
/// token file or a catalog that could not be read; it never holds the token.
Expected<std::vector<FleetRepo>> loadBackstageSource(const InventoryFlags& flags,
                                                     const CodeHostFlags& host,
                                                     const Migration& migration,
                                                     std::ostream& warnings);

} // namespace godwit
