#pragma once
// A JSON Schema (draft-07) validator for the subset the Backstage catalog-model schemas use:
// $ref across documents by $id and to `#anchor`s, allOf/anyOf/oneOf, type, enum, const,
// required, properties, patternProperties, additionalProperties, items, minItems, minLength,
// pattern. Unknown keywords are ignored.

#include "rules/Expected.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace godwit::test {

/// Schemas keyed by their `$id`, validating values against one of them.
class JsonSchemaSet {
public:
  /// Loads every `*.json` file of `dir` (each a schema with a `$id`).
  static Expected<JsonSchemaSet> loadDirectory(const std::string& dir);

  /// Adds one schema under its `$id`.
  void add(nlohmann::json schema);

  /// The problems of `value` against the schema `id` (`where: what`); empty when valid. An
  /// unknown id or unresolvable $ref is a problem too.
  std::vector<std::string> validate(const std::string& id, const nlohmann::json& value) const;

private:
  void check(const nlohmann::json& schema, const nlohmann::json& doc, const nlohmann::json& value,
             const std::string& where, std::vector<std::string>& out, int depth) const;
  const nlohmann::json* resolve(const std::string& ref, const nlohmann::json& doc,
                                const nlohmann::json** targetDoc) const;

  std::map<std::string, nlohmann::json> schemas_;
};

} // namespace godwit::test
