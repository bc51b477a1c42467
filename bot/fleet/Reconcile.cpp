#include "bot/fleet/Reconcile.h"
#include "rules/Text.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace godwit {

namespace {

bool byName(const FleetRepo& a, const FleetRepo& b) {
  return lower(a.fullName) < lower(b.fullName);
}

} // namespace

Reconciliation reconcile(const std::vector<FleetRepo>& inventory,
                         const std::vector<CodeFindings>& found) {
  std::map<int64_t, const CodeFindings*> foundById;
  std::map<std::string, const CodeFindings*> foundByName;
  for (const CodeFindings& f : found) {
    if (f.id != 0)
      foundById[f.id] = &f;
    foundByName[lower(f.fullName)] = &f;
  }
  auto findingsOf = [&](const FleetRepo& repo) -> const CodeFindings* {
    if (repo.id != 0)
      if (auto it = foundById.find(repo.id); it != foundById.end())
        return it->second;
    auto it = foundByName.find(lower(repo.fullName));
    // A rename: the name matches, but the code host says it is another repository.
    if (it == foundByName.end() ||
        (repo.id != 0 && it->second->id != 0 && it->second->id != repo.id))
      return nullptr;
    return it->second;
  };

  Reconciliation out;
  std::map<const CodeFindings*, bool> matched;
  for (const FleetRepo& repo : inventory) {
    const CodeFindings* f = findingsOf(repo);
    if (f)
      matched[f] = true;
    if (repo.catalogConsumer) {
      if (!f)
        out.unanalyzedConsumers.push_back(repo);
      else if (f->references == 0)
        out.unreferencedConsumers.push_back(repo);
    } else if (f && f->references > 0) {
      out.unlistedConsumers.push_back({repo, f->references});
    }
  }
  for (const CodeFindings& f : found) {
    if (matched.count(&f) || f.references == 0)
      continue;
    FleetRepo repo;
    repo.id = f.id;
    repo.fullName = f.fullName;
    out.unlistedConsumers.push_back({std::move(repo), f.references});
  }
  std::sort(out.unreferencedConsumers.begin(), out.unreferencedConsumers.end(), byName);
  std::sort(out.unanalyzedConsumers.begin(), out.unanalyzedConsumers.end(), byName);
  std::sort(
      out.unlistedConsumers.begin(), out.unlistedConsumers.end(),
      [](const UnlistedConsumer& a, const UnlistedConsumer& b) { return byName(a.repo, b.repo); });
  return out;
}

std::vector<CodeFindings> codeFindings(const DiscoverResult& discovered) {
  std::vector<CodeFindings> out;
  for (const DiscoveredRepo& r : discovered.repos)
    if (r.outcome == DiscoverOutcome::Consumer || r.outcome == DiscoverOutcome::NotConsumer)
      out.push_back({r.repo.id, r.repo.fullName, r.rewrites + r.attention});
  return out;
}

} // namespace godwit
