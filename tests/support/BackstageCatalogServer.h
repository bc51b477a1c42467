#pragma once
// A Backstage catalog stand-in for tests on 127.0.0.1 (random free port): serves
// `GET /api/catalog/entities/by-query` over the entities it holds, with the catalog's filter,
// field selection, limit and cursor pagination as the catalog documents them. Every request is
// checked against the catalog's published OpenAPI description and every entity it serves
// against catalog-model's JSON schemas; both kinds of problem are collected.

#include "tests/support/JsonSchema.h"
#include "tests/support/OpenApiChecker.h"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
} // namespace httplib

namespace godwit::test {

/// A by-query request as the stand-in received it.
struct CatalogRequest {
  std::string path;
  QueryParams query;
  std::string authorization; ///< The Authorization header, as sent.
};

/// The stand-in catalog.
class BackstageCatalogServer {
public:
  /// A catalog that accepts only `Authorization: Bearer <token>` (any request when empty).
  explicit BackstageCatalogServer(std::string token = {});
  ~BackstageCatalogServer();
  BackstageCatalogServer(const BackstageCatalogServer&) = delete;
  BackstageCatalogServer& operator=(const BackstageCatalogServer&) = delete;

  /// The backend's base URL (the catalog is under `/api/catalog`).
  std::string url() const;

  /// Adds an entity; it is served in the order of its `kind:namespace/name`.
  void addEntity(nlohmann::json entity);

  /// The largest page served, whatever `limit` asks (default 1000).
  void setMaxPageSize(size_t size);

  std::vector<CatalogRequest> requests();

  /// Requests the catalog's OpenAPI description does not allow, and other protocol mistakes.
  std::vector<std::string> violations();

  /// Served entities that catalog-model's JSON schema for their kind rejects (`ref: problem`).
  std::vector<std::string> invalidEntities();

  /// The JSON schemas of catalog-model (by `$id`, e.g. `ComponentV1alpha1`), loaded once.
  static const JsonSchemaSet& entitySchemas();

  /// The `$id` of catalog-model's schema for entities of `kind` (e.g. `ComponentV1alpha1`).
  static std::string schemaIdOf(const std::string& kind);

private:
  void handle(const httplib::Request& req, httplib::Response& res);

  std::string token_;
  std::unique_ptr<httplib::Server> server_;
  std::shared_ptr<const OpenApiChecker> checker_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::map<std::string, nlohmann::json> entities_; ///< By lower-cased reference.
  size_t maxPageSize_ = 1000;
  std::vector<CatalogRequest> requests_;
  std::vector<std::string> violations_;
  std::vector<std::string> invalidEntities_;
};

} // namespace godwit::test
