#pragma once
// Checks HTTP requests against a published OpenAPI description (GitHub's from npm
// @octokit/openapi, the Backstage catalog's from npm @backstage/plugin-catalog-backend), so that
// the test servers refuse what the real services would not accept.

#include "rules/Expected.h"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace godwit::test {

/// Query parameters as decoded from the request (a name may repeat).
using QueryParams = std::multimap<std::string, std::string>;

/// An OpenAPI 3.0 description and the checks of one request against it.
class OpenApiChecker {
public:
  /// Loads a description from a JSON file.
  static Expected<std::shared_ptr<const OpenApiChecker>> load(const std::string& path);

  /// The api.github.com description pinned in third_party/octokit (GODWIT_OPENAPI_JSON), loaded
  /// once per process; aborts the test run with a clear message when it is missing.
  static std::shared_ptr<const OpenApiChecker> github();

  /// The Backstage catalog's description (paths under `/api/catalog`), extracted at build time
  /// from third_party/backstage (GODWIT_BACKSTAGE_CONTRACTS); loaded once per process, aborting
  /// with a clear message when it is missing.
  static std::shared_ptr<const OpenApiChecker> backstageCatalog();

  /// The problems of one request: the method and path must match an operation, required
  /// path/query parameters must be present and known query parameters only (within their
  /// schema's integer type, enum, minLength and minimum), and a JSON body must hold the schema's
  /// required fields, no field the schema does not define, and values of the declared types.
  /// Empty when the description allows the request.
  std::vector<std::string> check(const std::string& method, const std::string& path,
                                 const QueryParams& query, const std::string& body) const;

  /// The operationId the request maps to, or "" when none does.
  std::string operationId(const std::string& method, const std::string& path) const;

private:
  struct Segment {
    bool param = false;
    bool multi = false;  ///< `x-multi-segment`: the parameter may span several segments.
    std::string literal; ///< For a literal segment; else the text before the parameter.
    std::string name;    ///< The parameter's name.
    std::string suffix;  ///< Text after the parameter within the segment.
  };
  struct Template {
    std::string path;
    std::vector<Segment> segments;
    int literals = 0;
  };

  explicit OpenApiChecker(nlohmann::json doc);
  const Template* match(const std::string& method, const std::string& path,
                        std::vector<const Template*>* candidates) const;
  const nlohmann::json& resolve(const nlohmann::json& node) const;
  void validate(const nlohmann::json& schema, const nlohmann::json& value, const std::string& where,
                std::vector<std::string>& out) const;

  nlohmann::json doc_;
  std::vector<Template> templates_;
};

} // namespace godwit::test
