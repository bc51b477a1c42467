#pragma once
// The Backstage catalog as an inventory source: the components that depend on the migration's
// dataset entity (the catalog's consumers) and a wider set of components, each turned into the
// GitHub repository its annotations name (docs/runner.md, "Backstage catalog").

#include "bot/fleet/FleetRepo.h"
#include "bot/github/Http.h"
#include "rules/Expected.h"
#include "rules/Migration.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace godwit {

/// Where the catalog is and how to ask it.
struct BackstageOptions {
  std::string baseUrl; ///< The Backstage backend; the catalog API is under `/api/catalog`.
  std::string token;   ///< Sent as `Authorization: Bearer`; empty sends none. Never logged.
  /// Hosts whose `backstage.io/source-location` URLs name a GitHub repository.
  std::vector<std::string> githubHosts{"github.com"};
  int pageSize = 200; ///< `limit` of each by-query page.
};

/// A catalog entity that gave no repository, and why; it never stops the inventory.
struct BackstageProblem {
  std::string entity;  ///< `kind:namespace/name`, or `entity #N of the catalog` when it has none.
  std::string message; ///< What is wrong, with the annotation or field to fix.
};

/// What the catalog listed.
struct BackstageInventory {
  std::vector<FleetRepo> repos; ///< One per repository, by lower-cased `fullName`.
  std::vector<BackstageProblem> problems;
  std::string entity;        ///< The dataset's entity the consumers depend on; "" when none.
  size_t entitiesListed = 0; ///< Entities the catalog returned, consumers and wider set.
};

/// The annotation that sets a component's tier (a non-negative integer).
inline constexpr const char* kTierAnnotation = "godwit.dev/tier";

/// Reads the Backstage token from `path` (surrounding white space removed); an Error names the
/// file, never its content.
Expected<std::string> readBackstageToken(const std::string& path);

/// The `filter` value for the consumers: components with a `dependsOn` relation to `entity`.
std::string consumerFilter(const std::string& entity);

/// The tier of a component without the tier annotation, from `spec.lifecycle`: `experimental`
/// 0, `production` 2, anything else (`deprecated`, missing, unknown) 1.
int tierOfLifecycle(const std::string& lifecycle);

/// The repository one catalog entity names: `github.com/project-slug`, else a
/// `backstage.io/source-location` on one of `githubHosts`; owner from `spec.owner` (without a
/// `group:` kind and a `default/` namespace), tier from kTierAnnotation, else tierOfLifecycle.
/// An Error says what the entity lacks.
Expected<FleetRepo> repoOfEntity(const nlohmann::json& entity,
                                 const std::vector<std::string>& githubHosts);

/// Lists the catalog's consumers of `settings->entity` (when set) and the wider set
/// (`settings->filter`, default `kind=component`), following `pageInfo.nextCursor`, and merges
/// them by repository. An Error means the catalog could not be read (unreachable, refused the
/// token, answered what is not the by-query response); bad entities are `problems`.
Expected<BackstageInventory>
loadBackstageInventory(HttpClient& http, const BackstageOptions& options,
                       const std::optional<BackstageSettings>& settings);

} // namespace godwit
