#include "tests/support/JsonSchema.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>

namespace godwit::test {

namespace {

using nlohmann::json;

std::string typeOf(const json& v) {
  if (v.is_null())
    return "null";
  if (v.is_boolean())
    return "boolean";
  if (v.is_number_integer() || v.is_number_unsigned())
    return "integer";
  if (v.is_number())
    return "number";
  if (v.is_string())
    return "string";
  if (v.is_array())
    return "array";
  return "object";
}

bool hasType(const std::string& declared, const json& v) {
  std::string actual = typeOf(v);
  return declared == actual || (declared == "number" && actual == "integer");
}

/// The subschema whose `$id` is `anchor` (`#name`) inside `node`, or nullptr.
const json* findAnchor(const json& node, const std::string& anchor) {
  if (node.is_object()) {
    if (auto it = node.find("$id"); it != node.end() && it->is_string() && *it == anchor)
      return &node;
    for (const auto& [key, child] : node.items())
      if (const json* found = findAnchor(child, anchor))
        return found;
  } else if (node.is_array()) {
    for (const json& child : node)
      if (const json* found = findAnchor(child, anchor))
        return found;
  }
  return nullptr;
}

} // namespace

Expected<JsonSchemaSet> JsonSchemaSet::loadDirectory(const std::string& dir) {
  JsonSchemaSet set;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json")
      continue;
    std::ifstream in(entry.path());
    json schema = json::parse(in, nullptr, false);
    if (schema.is_discarded() || !schema.is_object() || !schema.contains("$id"))
      return makeError(entry.path().string() + " is not a JSON schema with a $id");
    set.add(std::move(schema));
  }
  if (ec || set.schemas_.empty())
    return makeError("no JSON schemas in " + dir, "run scripts/install-deps, then rebuild");
  return set;
}

void JsonSchemaSet::add(json schema) {
  std::string id = schema.value("$id", "");
  schemas_[id] = std::move(schema);
}

std::vector<std::string> JsonSchemaSet::validate(const std::string& id, const json& value) const {
  std::vector<std::string> out;
  auto it = schemas_.find(id);
  if (it == schemas_.end())
    return {"no schema with $id " + id};
  check(it->second, it->second, value, "$", out, 0);
  return out;
}

const json* JsonSchemaSet::resolve(const std::string& ref, const json& doc,
                                   const json** targetDoc) const {
  size_t hash = ref.find('#');
  std::string docId = ref.substr(0, hash);
  std::string fragment = hash == std::string::npos ? "" : ref.substr(hash);
  const json* target = &doc;
  if (!docId.empty()) {
    auto it = schemas_.find(docId);
    if (it == schemas_.end())
      return nullptr;
    target = &it->second;
  }
  *targetDoc = target;
  if (fragment.empty() || fragment == "#")
    return target;
  if (fragment.rfind("#/", 0) == 0) {
    json::json_pointer pointer(fragment.substr(1));
    return target->contains(pointer) ? &target->at(pointer) : nullptr;
  }
  return findAnchor(*target, fragment);
}

void JsonSchemaSet::check(const json& schema, const json& doc, const json& value,
                          const std::string& where, std::vector<std::string>& out,
                          int depth) const {
  if (depth > 64) {
    out.push_back(where + ": schema references nest too deeply");
    return;
  }
  if (schema.is_boolean()) {
    if (!schema.get<bool>())
      out.push_back(where + ": no value is allowed here");
    return;
  }
  if (!schema.is_object())
    return;
  if (auto ref = schema.find("$ref"); ref != schema.end()) {
    const json* targetDoc = nullptr;
    const json* target = resolve(ref->get<std::string>(), doc, &targetDoc);
    if (!target) {
      out.push_back(where + ": cannot resolve $ref " + ref->get<std::string>());
      return;
    }
    check(*target, *targetDoc, value, where, out, depth + 1);
  }
  if (auto all = schema.find("allOf"); all != schema.end())
    for (const json& part : *all)
      check(part, doc, value, where, out, depth + 1);
  for (const char* key : {"anyOf", "oneOf"}) {
    auto alternatives = schema.find(key);
    if (alternatives == schema.end())
      continue;
    size_t passing = 0;
    std::vector<std::string> first;
    for (const json& alternative : *alternatives) {
      std::vector<std::string> errors;
      check(alternative, doc, value, where, errors, depth + 1);
      if (errors.empty())
        ++passing;
      else if (first.empty())
        first = errors;
    }
    if (passing == 0)
      out.push_back(where + ": matches none of the " + key + " alternatives, e.g. " +
                    (first.empty() ? std::string("?") : first.front()));
    else if (std::string(key) == "oneOf" && passing > 1)
      out.push_back(where + ": matches more than one oneOf alternative");
  }
  if (auto type = schema.find("type"); type != schema.end()) {
    bool ok = false;
    if (type->is_string())
      ok = hasType(type->get<std::string>(), value);
    else if (type->is_array())
      ok = std::any_of(type->begin(), type->end(),
                       [&](const json& t) { return t.is_string() && hasType(t, value); });
    if (!ok) {
      out.push_back(where + ": expected " + type->dump() + ", got " + typeOf(value));
      return;
    }
  }
  if (auto values = schema.find("enum"); values != schema.end() && values->is_array())
    if (std::find(values->begin(), values->end(), value) == values->end())
      out.push_back(where + ": " + value.dump() + " is not one of " + values->dump());
  if (auto constant = schema.find("const"); constant != schema.end() && *constant != value)
    out.push_back(where + ": " + value.dump() + " is not " + constant->dump());
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (auto min = schema.find("minLength");
        min != schema.end() && text.size() < min->get<size_t>())
      out.push_back(where + ": shorter than " + min->dump() + " characters");
    if (auto pattern = schema.find("pattern"); pattern != schema.end())
      if (!std::regex_search(text, std::regex(pattern->get<std::string>())))
        out.push_back(where + ": " + value.dump() + " does not match " + pattern->dump());
  }
  if (value.is_array()) {
    if (auto min = schema.find("minItems");
        min != schema.end() && value.size() < min->get<size_t>())
      out.push_back(where + ": fewer than " + min->dump() + " items");
    if (auto items = schema.find("items"); items != schema.end() && items->is_object())
      for (size_t i = 0; i < value.size(); ++i)
        check(*items, doc, value[i], where + "[" + std::to_string(i) + "]", out, depth + 1);
  }
  if (value.is_object()) {
    if (auto required = schema.find("required"); required != schema.end())
      for (const json& name : *required)
        if (!value.contains(name.get<std::string>()))
          out.push_back(where + ": required field '" + name.get<std::string>() + "' is missing");
    auto properties = schema.find("properties");
    auto patterns = schema.find("patternProperties");
    auto additional = schema.find("additionalProperties");
    for (const auto& [name, field] : value.items()) {
      bool covered = false;
      if (properties != schema.end() && properties->contains(name)) {
        covered = true;
        check((*properties)[name], doc, field, where + "." + name, out, depth + 1);
      }
      if (patterns != schema.end())
        for (const auto& [pattern, sub] : patterns->items())
          if (std::regex_search(name, std::regex(pattern))) {
            covered = true;
            check(sub, doc, field, where + "." + name, out, depth + 1);
          }
      if (!covered && additional != schema.end())
        check(*additional, doc, field, where + "." + name, out, depth + 1);
    }
  }
}

} // namespace godwit::test
