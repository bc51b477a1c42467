#include "tests/support/BackstageCatalogServer.h"

#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

namespace godwit::test {

namespace {

using nlohmann::json;

const std::string kPrefix = "/api/catalog";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator))
    out.push_back(part);
  return out;
}

std::string refOf(const json& entity) {
  const json& metadata = entity.value("metadata", json::object());
  return lower(entity.value("kind", "")) + ":" + lower(metadata.value("namespace", "default")) +
         "/" + lower(metadata.value("name", ""));
}

/// The entity's searchable key/value pairs as the catalog indexes them: dotted object paths
/// (arrays descended), string array items as `path.item` = `true`, relations as
/// `relations.<type>` = target; keys and values lower-cased.
void flatten(const json& node, const std::string& path,
             std::multimap<std::string, std::string>& out) {
  if (node.is_object()) {
    for (const auto& [key, child] : node.items())
      flatten(child, path.empty() ? lower(key) : path + "." + lower(key), out);
  } else if (node.is_array()) {
    for (const json& child : node) {
      if (child.is_string())
        out.emplace(path + "." + lower(child.get<std::string>()), "true");
      else
        flatten(child, path, out);
    }
  } else if (!path.empty()) {
    out.emplace(path, lower(node.is_string() ? node.get<std::string>() : node.dump()));
  }
}

std::multimap<std::string, std::string> searchIndex(const json& entity) {
  std::multimap<std::string, std::string> index;
  json copy = entity;
  copy.erase("relations");
  flatten(copy, "", index);
  for (const json& relation : entity.value("relations", json::array()))
    index.emplace("relations." + lower(relation.value("type", "")),
                  lower(relation.value("targetRef", "")));
  return index;
}

/// Whether any filter set matches (conditions `key` or `key=value`, all of a set).
bool matches(const std::multimap<std::string, std::string>& index,
             const std::vector<std::string>& filters) {
  if (filters.empty())
    return true;
  for (const std::string& set : filters) {
    bool all = true;
    for (const std::string& condition : split(set, ',')) {
      size_t eq = condition.find('=');
      std::string key = lower(condition.substr(0, eq));
      auto [first, last] = index.equal_range(key);
      if (eq == std::string::npos) {
        all = all && first != last;
        continue;
      }
      std::string value = lower(condition.substr(eq + 1));
      all = all && std::any_of(first, last, [&](const auto& kv) { return kv.second == value; });
    }
    if (all)
      return true;
  }
  return false;
}

/// The entity pruned to the dotted `fields` (each keeps its whole subtree).
json select(const json& entity, const std::vector<std::string>& fields) {
  if (fields.empty())
    return entity;
  json out = json::object();
  for (const std::string& field : fields) {
    std::vector<std::string> parts = split(field, '.');
    const json* from = &entity;
    json* to = &out;
    for (size_t i = 0; i < parts.size() && from && from->is_object(); ++i) {
      auto it = from->find(parts[i]);
      if (it == from->end()) {
        from = nullptr;
        break;
      }
      from = &*it;
      if (i + 1 == parts.size())
        (*to)[parts[i]] = *from;
      else
        to = &(*to)[parts[i]];
    }
  }
  return out;
}

std::string hexOf(const std::string& text) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string unhex(const std::string& text) {
  std::string out;
  for (size_t i = 0; i + 1 < text.size(); i += 2)
    out += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
  return out;
}

json errorBody(const std::string& name, const std::string& message, int status,
               const httplib::Request& req) {
  return {{"error", {{"name", name}, {"message", message}}},
          {"request", {{"method", req.method}, {"url", req.target}}},
          {"response", {{"statusCode", status}}}};
}

} // namespace

BackstageCatalogServer::BackstageCatalogServer(std::string token)
    : token_(std::move(token)), server_(std::make_unique<httplib::Server>()),
      checker_(OpenApiChecker::backstageCatalog()) {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
  server_->Get(".*", handler);
  server_->Post(".*", handler);
  // Without it each response's body waits for the client's delayed ACK (see
  // GitHubContractServer.cpp).
  server_->set_tcp_nodelay(true);
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

BackstageCatalogServer::~BackstageCatalogServer() {
  server_->stop();
  if (thread_.joinable())
    thread_.join();
}

std::string BackstageCatalogServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void BackstageCatalogServer::addEntity(json entity) {
  std::string ref = refOf(entity);
  std::lock_guard lock(mutex_);
  entities_[ref] = std::move(entity);
}

void BackstageCatalogServer::setMaxPageSize(size_t size) {
  std::lock_guard lock(mutex_);
  maxPageSize_ = std::max<size_t>(1, size);
}

std::vector<CatalogRequest> BackstageCatalogServer::requests() {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<std::string> BackstageCatalogServer::violations() {
  std::lock_guard lock(mutex_);
  return violations_;
}

std::vector<std::string> BackstageCatalogServer::invalidEntities() {
  std::lock_guard lock(mutex_);
  return invalidEntities_;
}

const JsonSchemaSet& BackstageCatalogServer::entitySchemas() {
  static const JsonSchemaSet schemas = [] {
    auto loaded =
        JsonSchemaSet::loadDirectory(std::string(GODWIT_BACKSTAGE_CONTRACTS) + "/schemas");
    if (!loaded) {
      std::fprintf(stderr, "%s\n", loaded.error().str().c_str());
      std::abort();
    }
    return *loaded;
  }();
  return schemas;
}

std::string BackstageCatalogServer::schemaIdOf(const std::string& kind) {
  std::string id = lower(kind);
  if (!id.empty())
    id[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(id[0])));
  return id + "V1alpha1";
}

void BackstageCatalogServer::handle(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(mutex_);
  CatalogRequest recorded;
  recorded.path = req.path;
  for (const auto& [k, v] : req.params)
    recorded.query.emplace(k, v);
  recorded.authorization = req.get_header_value("Authorization");
  requests_.push_back(recorded);

  auto fail = [&](int status, const std::string& name, const std::string& message) {
    res.status = status;
    res.set_content(errorBody(name, message, status, req).dump(), "application/json");
  };
  std::string what = req.method + " " + req.path;
  if (req.path.rfind(kPrefix + "/", 0) != 0) {
    violations_.push_back(what + ": not under " + kPrefix);
    return fail(404, "NotFoundError", "Not found");
  }
  std::string path = req.path.substr(kPrefix.size());
  for (std::string& v : checker_->check(req.method, path, recorded.query, req.body))
    violations_.push_back(std::move(v));
  if (!token_.empty() && recorded.authorization != "Bearer " + token_)
    return fail(401, "AuthenticationError", "Illegal token");
  if (req.method != "GET" || path != "/entities/by-query")
    return fail(404, "NotFoundError", "the stand-in serves only GET /entities/by-query");

  std::vector<std::string> filters;
  std::vector<std::string> fields;
  size_t limit = 20;
  size_t offset = 0;
  for (const auto& [key, value] : recorded.query) {
    if (key == "filter")
      filters.push_back(value);
    else if (key == "fields")
      for (const std::string& f : split(value, ','))
        fields.push_back(f);
    else if (key == "limit")
      limit = std::stoul(value);
  }
  if (auto it = recorded.query.find("cursor"); it != recorded.query.end()) {
    json cursor = json::parse(unhex(it->second), nullptr, false);
    if (!cursor.is_object())
      return fail(400, "InputError", "Malformed cursor");
    // As the catalog does: the cursor's own filter wins over any sent with it.
    filters = cursor.value("filter", std::vector<std::string>{});
    offset = cursor.value("offset", size_t{0});
  }
  limit = std::min(limit, maxPageSize_);

  std::vector<const json*> selected;
  for (const auto& [ref, entity] : entities_)
    if (matches(searchIndex(entity), filters))
      selected.push_back(&entity);
  json items = json::array();
  for (size_t i = offset; i < selected.size() && i < offset + limit; ++i) {
    const json& entity = *selected[i];
    for (const std::string& problem :
         entitySchemas().validate(schemaIdOf(entity.value("kind", "")), entity))
      invalidEntities_.push_back(refOf(entity) + ": " + problem);
    items.push_back(select(entity, fields));
  }
  json pageInfo = json::object();
  if (offset + limit < selected.size())
    pageInfo["nextCursor"] = hexOf(json{{"filter", filters}, {"offset", offset + limit}}.dump());
  if (offset > 0)
    pageInfo["prevCursor"] =
        hexOf(json{{"filter", filters}, {"offset", offset > limit ? offset - limit : 0}}.dump());
  json body = {{"items", items}, {"totalItems", selected.size()}, {"pageInfo", pageInfo}};
  res.set_content(body.dump(), "application/json");
}

} // namespace godwit::test
