#include "bot/fleet/Backstage.h"
#include "rules/Text.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace godwit {

namespace {

using nlohmann::json;

std::string trimmed(const std::string& s) {
  const char* space = " \t\r\n";
  size_t begin = s.find_first_not_of(space);
  if (begin == std::string::npos)
    return {};
  return s.substr(begin, s.find_last_not_of(space) - begin + 1);
}

/// A GitHub owner or repository name: letters, digits, `-`, `_` and `.`.
bool validRepoPart(const std::string& s) {
  return !s.empty() && s != "." && s != ".." && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

/// `owner/name` when `slug` is one, else "".
std::string repoOfSlug(const std::string& slug) {
  size_t slash = slug.find('/');
  if (slash == std::string::npos)
    return {};
  std::string owner = slug.substr(0, slash);
  std::string name = slug.substr(slash + 1);
  if (!validRepoPart(owner) || !validRepoPart(name))
    return {};
  return owner + "/" + name;
}

/// `owner/name` from `url:https://HOST/owner/name[.git][/…]` on one of `hosts`, else "".
std::string repoOfSourceLocation(const std::string& location,
                                 const std::vector<std::string>& hosts) {
  std::string url = location;
  if (url.rfind("url:", 0) != 0)
    return {};
  url = url.substr(4);
  size_t scheme = url.find("://");
  if (scheme == std::string::npos)
    return {};
  std::string protocol = lower(url.substr(0, scheme));
  if (protocol != "https" && protocol != "http")
    return {};
  std::string rest = url.substr(scheme + 3);
  size_t slash = rest.find('/');
  if (slash == std::string::npos)
    return {};
  std::string host = lower(rest.substr(0, slash));
  bool known = std::any_of(hosts.begin(), hosts.end(),
                           [&](const std::string& h) { return lower(h) == host; });
  if (!known)
    return {};
  std::istringstream path(rest.substr(slash + 1));
  std::string owner, name;
  std::getline(path, owner, '/');
  std::getline(path, name, '/');
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".git") == 0)
    name.resize(name.size() - 4);
  return repoOfSlug(owner + "/" + name);
}

/// `group:default/payments` → `payments`; other kinds and namespaces stay as written.
std::string ownerOf(std::string owner) {
  if (lower(owner.substr(0, 6)) == "group:")
    owner = owner.substr(6);
  if (owner.rfind("default/", 0) == 0)
    owner = owner.substr(8);
  return owner;
}

std::string stringAt(const json& object, const char* key) {
  if (!object.is_object())
    return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// `kind:namespace/name` of an entity, or "" when it has no kind or name.
std::string refOf(const json& entity) {
  std::string kind = stringAt(entity, "kind");
  const json& metadata =
      entity.is_object() && entity.contains("metadata") ? entity["metadata"] : json();
  std::string name = stringAt(metadata, "name");
  if (kind.empty() || name.empty())
    return {};
  std::string ns = stringAt(metadata, "namespace");
  return lower(kind) + ":" + (ns.empty() ? "default" : ns) + "/" + name;
}

/// One page of a by-query listing.
struct Page {
  json items;
  std::string nextCursor;
};

/// Sends one by-query request; the errors say what the catalog answered (never the token).
Expected<Page> fetchPage(HttpClient& http, const BackstageOptions& options,
                         const std::string& query) {
  std::string base = options.baseUrl;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  HttpRequest request;
  request.url = base + "/api/catalog/entities/by-query?" + query;
  request.headers.emplace_back("Accept", "application/json");
  if (!options.token.empty())
    request.headers.emplace_back("Authorization", "Bearer " + options.token);
  auto response = http.send(request);
  if (!response)
    return makeError("cannot reach the Backstage catalog at " + base + ": " +
                         response.error().message,
                     "check --backstage-url (the Backstage backend, without /api/catalog)");
  json body = json::parse(response->body, nullptr, false);
  std::string detail;
  if (body.is_object() && body.contains("error"))
    detail = stringAt(body["error"], "message");
  if (response->status == 401 || response->status == 403)
    return makeError("the Backstage catalog at " + base + " refused the token (HTTP " +
                         std::to_string(response->status) + ")" +
                         (detail.empty() ? "" : ": " + detail),
                     "check the token in --backstage-token-file: a Backstage static or service "
                     "token allowed to read the catalog");
  if (response->status != 200)
    return makeError("the Backstage catalog at " + base + " answered HTTP " +
                         std::to_string(response->status) + " to entities/by-query" +
                         (detail.empty() ? "" : ": " + detail),
                     "check --backstage-url and the migration's `backstage.filter`");
  if (!body.is_object() || !body.contains("items") || !body["items"].is_array())
    return makeError("the Backstage catalog at " + base +
                         " answered entities/by-query without an `items` list",
                     "check that --backstage-url is the Backstage backend");
  Page page;
  page.items = std::move(body["items"]);
  if (body.contains("pageInfo") && body["pageInfo"].is_object())
    page.nextCursor = stringAt(body["pageInfo"], "nextCursor");
  return page;
}

const char* const kFields =
    "kind,metadata.namespace,metadata.name,metadata.annotations,spec.owner,spec.lifecycle";

/// Every entity of the listing `filters` select, following the cursor to the last page.
Expected<std::vector<json>> listEntities(HttpClient& http, const BackstageOptions& options,
                                         const std::vector<std::string>& filters) {
  std::string common =
      "fields=" + urlEncode(kFields) + "&limit=" + std::to_string(std::max(1, options.pageSize));
  std::string query = common;
  for (const std::string& f : filters)
    query += "&filter=" + urlEncode(f);
  std::vector<json> out;
  std::set<std::string> seenCursors;
  while (true) {
    auto page = fetchPage(http, options, query);
    if (!page)
      return page.error();
    for (json& item : page->items)
      out.push_back(std::move(item));
    if (page->nextCursor.empty())
      return out;
    // A catalog that hands out a cursor it handed out before would make this loop forever.
    if (!seenCursors.insert(page->nextCursor).second)
      return makeError("the Backstage catalog repeated the page cursor " + page->nextCursor,
                       "the catalog's pagination is broken; report it to its operators");
    // The cursor carries the filter; sending both would be ambiguous (the catalog ignores it).
    query = common + "&cursor=" + urlEncode(page->nextCursor);
  }
}

} // namespace

Expected<std::string> readBackstageToken(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{"cannot read the Backstage token file", path, 0, 0,
                 "pass a readable file that holds only the token"};
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = trimmed(text.str());
  if (token.empty())
    return Error{"the Backstage token file is empty", path, 0, 0,
                 "write a Backstage static or service token into the file"};
  return token;
}

std::string consumerFilter(const std::string& entity) {
  return "kind=component,relations.dependsOn=" + entity;
}

int tierOfLifecycle(const std::string& lifecycle) {
  std::string l = lower(lifecycle);
  if (l == "experimental")
    return 0;
  if (l == "production")
    return 2;
  return 1;
}

Expected<FleetRepo> repoOfEntity(const json& entity, const std::vector<std::string>& githubHosts) {
  if (!entity.is_object() || !entity.contains("metadata") || !entity["metadata"].is_object())
    return makeError("the entity has no `metadata`", "a catalog entity needs metadata.name");
  std::string ref = refOf(entity);
  if (ref.empty())
    return makeError("the entity has no `kind` or `metadata.name`", "a catalog entity needs both");
  const json& metadata = entity["metadata"];
  json annotations = metadata.contains("annotations") ? metadata["annotations"] : json::object();
  if (!annotations.is_object())
    return makeError("`metadata.annotations` is not a mapping", "annotations map names to strings");

  FleetRepo repo;
  repo.source = "backstage " + ref;
  std::string slug = stringAt(annotations, "github.com/project-slug");
  std::string location = stringAt(annotations, "backstage.io/source-location");
  if (!slug.empty()) {
    repo.fullName = repoOfSlug(slug);
    if (repo.fullName.empty())
      return makeError("`github.com/project-slug` is `" + slug + "`, not `owner/name`",
                       "set the annotation to the GitHub repository, e.g. `acme/orders`");
  } else if (!location.empty()) {
    repo.fullName = repoOfSourceLocation(location, githubHosts);
    if (repo.fullName.empty())
      return makeError("`backstage.io/source-location` `" + location +
                           "` is not a GitHub repository URL",
                       "add a `github.com/project-slug: owner/name` annotation, or point the "
                       "source location at `url:https://github.com/owner/name`");
  } else {
    return makeError("no `github.com/project-slug` or `backstage.io/source-location` annotation",
                     "add `github.com/project-slug: owner/name` to the entity");
  }

  const json spec =
      entity.contains("spec") && entity["spec"].is_object() ? entity["spec"] : json::object();
  repo.owner = ownerOf(stringAt(spec, "owner"));
  if (annotations.contains(kTierAnnotation)) {
    std::string tier = stringAt(annotations, kTierAnnotation);
    bool digits =
        !tier.empty() && tier.size() <= 6 &&
        std::all_of(tier.begin(), tier.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    if (!digits)
      return makeError(std::string("`") + kTierAnnotation + "` is `" + tier +
                           "`, not a non-negative integer",
                       std::string("write the tier as a number, e.g. `") + kTierAnnotation +
                           ": \"1\"` (lower tiers are rolled out first)");
    repo.tier = std::stoi(tier);
  } else {
    repo.tier = tierOfLifecycle(stringAt(spec, "lifecycle"));
  }
  return repo;
}

Expected<BackstageInventory>
loadBackstageInventory(HttpClient& http, const BackstageOptions& options,
                       const std::optional<BackstageSettings>& settings) {
  BackstageInventory inventory;
  std::vector<json> consumers;
  if (settings && !settings->entity.empty()) {
    inventory.entity = settings->entity;
    auto listed = listEntities(http, options, {consumerFilter(settings->entity)});
    if (!listed)
      return listed.error();
    consumers = std::move(*listed);
  }
  std::vector<std::string> wider = settings && !settings->filter.empty()
                                       ? settings->filter
                                       : std::vector<std::string>{"kind=component"};
  auto others = listEntities(http, options, wider);
  if (!others)
    return others.error();
  inventory.entitiesListed = consumers.size() + others->size();

  // Merged by repository: a consumer entity wins over a wider-set one, then the entities'
  // order by reference, so the result does not depend on the catalog's order.
  struct Candidate {
    std::string ref;
    bool consumer;
    FleetRepo repo;
  };
  std::vector<Candidate> candidates;
  std::set<std::string> problemRefs;
  auto take = [&](const std::vector<json>& entities, bool consumer, const char* listing) {
    for (size_t i = 0; i < entities.size(); ++i) {
      std::string ref = refOf(entities[i]);
      auto repo = repoOfEntity(entities[i], options.githubHosts);
      if (!repo) {
        std::string who =
            ref.empty() ? "entity #" + std::to_string(i + 1) + " of the " + listing : ref;
        if (problemRefs.insert(who).second)
          inventory.problems.push_back(
              {who, repo.error().message + " (" + repo.error().hint + ")"});
        continue;
      }
      repo->catalogConsumer = consumer;
      candidates.push_back({ref, consumer, std::move(*repo)});
    }
  };
  take(consumers, true, "consumers");
  take(*others, false, "components");
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.consumer != b.consumer ? a.consumer : a.ref < b.ref;
  });
  std::map<std::string, FleetRepo> byName;
  std::map<std::string, std::set<std::string>> refsByName;
  for (Candidate& c : candidates) {
    std::string key = lower(c.repo.fullName);
    auto [it, inserted] = byName.try_emplace(key, c.repo);
    if (!refsByName[key].insert(c.ref).second)
      continue; // The same entity in both listings.
    if (!inserted) {
      it->second.tier = std::min(it->second.tier, c.repo.tier);
      it->second.source += ", " + c.ref;
    }
  }
  for (auto& [name, repo] : byName)
    inventory.repos.push_back(std::move(repo));
  return inventory;
}

} // namespace godwit
