#include "tests/support/OpenApiChecker.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

namespace godwit::test {

namespace {

using nlohmann::json;

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> out;
  size_t start = path.empty() || path[0] != '/' ? 0 : 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    out.push_back(
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos)
      break;
    start = slash + 1;
  }
  return out;
}

std::string lowerMethod(std::string method) {
  std::transform(method.begin(), method.end(), method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return method;
}

std::string typeOf(const json& value) {
  switch (value.type()) {
  case json::value_t::null:
    return "null";
  case json::value_t::boolean:
    return "boolean";
  case json::value_t::number_integer:
  case json::value_t::number_unsigned:
    return "integer";
  case json::value_t::number_float:
    return "number";
  case json::value_t::string:
    return "string";
  case json::value_t::array:
    return "array";
  case json::value_t::object:
    return "object";
  default:
    return "unknown";
  }
}

bool typeMatches(const std::string& declared, const json& value) {
  std::string actual = typeOf(value);
  if (declared == actual)
    return true;
  return declared == "number" && actual == "integer";
}

} // namespace

OpenApiChecker::OpenApiChecker(json doc) : doc_(std::move(doc)) {
  for (const auto& [path, item] : doc_["paths"].items()) {
    std::set<std::string> multi;
    for (const auto& [method, operation] : item.items()) {
      if (!operation.is_object() || !operation.contains("parameters"))
        continue;
      for (const json& p : operation["parameters"]) {
        const json& param = resolve(p);
        if (param.value("in", "") == "path" && param.value("x-multi-segment", false))
          multi.insert(param.value("name", ""));
      }
    }
    Template t;
    t.path = path;
    for (const std::string& text : splitPath(path)) {
      Segment s;
      size_t open = text.find('{');
      size_t close = text.find('}');
      // `{base}...{head}` is one parameter for matching: the comparison spec is opaque here.
      if (open != std::string::npos && close != std::string::npos) {
        s.param = true;
        s.literal = text.substr(0, open);
        size_t lastClose = text.rfind('}');
        s.name = text.substr(open + 1, close - open - 1);
        s.suffix = text.substr(lastClose + 1);
        s.multi = multi.count(s.name) > 0;
      } else {
        s.literal = text;
        ++t.literals;
      }
      t.segments.push_back(std::move(s));
    }
    templates_.push_back(std::move(t));
  }
}

Expected<std::shared_ptr<const OpenApiChecker>> OpenApiChecker::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return makeError("cannot read the OpenAPI description " + path,
                     "run scripts/install-deps (it installs third_party/octokit and "
                     "third_party/backstage), then rebuild");
  json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.contains("paths"))
    return makeError(path + " is not an OpenAPI description");
  return std::shared_ptr<const OpenApiChecker>(new OpenApiChecker(std::move(doc)));
}

namespace {

std::shared_ptr<const OpenApiChecker> loadOrAbort(const std::string& path) {
  auto loaded = OpenApiChecker::load(path);
  if (!loaded) {
    std::fprintf(stderr, "%s\n", loaded.error().str().c_str());
    std::abort();
  }
  return *loaded;
}

} // namespace

std::shared_ptr<const OpenApiChecker> OpenApiChecker::github() {
  static std::shared_ptr<const OpenApiChecker> instance = loadOrAbort(GODWIT_OPENAPI_JSON);
  return instance;
}

std::shared_ptr<const OpenApiChecker> OpenApiChecker::backstageCatalog() {
  static std::shared_ptr<const OpenApiChecker> instance =
      loadOrAbort(std::string(GODWIT_BACKSTAGE_CONTRACTS) + "/catalog-openapi.json");
  return instance;
}

const json& OpenApiChecker::resolve(const json& node) const {
  const json* current = &node;
  for (int depth = 0; depth < 16 && current->is_object() && current->contains("$ref"); ++depth) {
    std::string ref = (*current)["$ref"].get<std::string>();
    if (ref.rfind("#/", 0) != 0)
      break;
    current = &doc_.at(json::json_pointer(ref.substr(1)));
  }
  return *current;
}

const OpenApiChecker::Template*
OpenApiChecker::match(const std::string& method, const std::string& path,
                      std::vector<const Template*>* candidates) const {
  std::vector<std::string> parts = splitPath(path);
  auto segmentMatches = [](const Segment& s, const std::string& part) {
    if (!s.param)
      return s.literal == part;
    return part.size() > s.literal.size() + s.suffix.size() && part.rfind(s.literal, 0) == 0 &&
           part.compare(part.size() - s.suffix.size(), s.suffix.size(), s.suffix) == 0;
  };
  // Segments are matched left to right; a multi-segment parameter tries every span.
  std::function<bool(const Template&, size_t, size_t)> matches = [&](const Template& t, size_t ti,
                                                                     size_t pi) -> bool {
    if (ti == t.segments.size())
      return pi == parts.size();
    if (pi == parts.size())
      return false;
    const Segment& s = t.segments[ti];
    if (!s.param || !s.multi)
      return segmentMatches(s, parts[pi]) && matches(t, ti + 1, pi + 1);
    for (size_t end = pi + 1; end <= parts.size(); ++end) {
      std::string joined;
      for (size_t k = pi; k < end; ++k)
        joined += (k == pi ? "" : "/") + parts[k];
      if (segmentMatches(s, joined) && matches(t, ti + 1, end))
        return true;
    }
    return false;
  };
  const Template* best = nullptr;
  std::string m = lowerMethod(method);
  for (const Template& t : templates_) {
    if (!matches(t, 0, 0))
      continue;
    if (candidates)
      candidates->push_back(&t);
    if (!doc_["paths"][t.path].contains(m))
      continue;
    if (!best || t.literals > best->literals)
      best = &t;
  }
  return best;
}

std::string OpenApiChecker::operationId(const std::string& method, const std::string& path) const {
  const Template* t = match(method, path, nullptr);
  if (!t)
    return {};
  return doc_["paths"][t->path][lowerMethod(method)].value("operationId", "");
}

void OpenApiChecker::validate(const json& schemaNode, const json& value, const std::string& where,
                              std::vector<std::string>& out) const {
  const json& schema = resolve(schemaNode);
  if (!schema.is_object())
    return;
  if (value.is_null() && schema.value("nullable", false))
    return;
  for (const char* key : {"oneOf", "anyOf"}) {
    if (!schema.contains(key))
      continue;
    std::vector<std::string> firstErrors;
    bool any = false;
    for (const json& alternative : schema[key]) {
      std::vector<std::string> errors;
      validate(alternative, value, where, errors);
      if (errors.empty()) {
        any = true;
        break;
      }
      if (firstErrors.empty())
        firstErrors = errors;
    }
    if (!any) {
      out.push_back(where + ": matches none of the " + key + " alternatives, e.g. " +
                    (firstErrors.empty() ? std::string("?") : firstErrors.front()));
      return;
    }
  }
  if (schema.contains("allOf"))
    for (const json& part : schema["allOf"])
      validate(part, value, where, out);
  if (schema.contains("type") && schema["type"].is_string()) {
    std::string declared = schema["type"].get<std::string>();
    if (!typeMatches(declared, value)) {
      out.push_back(where + ": expected " + declared + ", got " + typeOf(value));
      return;
    }
  }
  if (schema.contains("enum") && schema["enum"].is_array()) {
    const json& values = schema["enum"];
    if (std::find(values.begin(), values.end(), value) == values.end())
      out.push_back(where + ": " + value.dump() + " is not one of " + values.dump());
  }
  if (value.is_object()) {
    if (schema.contains("required"))
      for (const json& name : schema["required"])
        if (!value.contains(name.get<std::string>()))
          out.push_back(where + ": required field '" + name.get<std::string>() + "' is missing");
    const json* properties = schema.contains("properties") ? &schema["properties"] : nullptr;
    bool closed =
        schema.contains("additionalProperties") && schema["additionalProperties"] == false;
    // GitHub silently ignores fields it does not know; a field outside the schema is always a
    // client bug, so it counts whenever the schema lists its properties.
    bool listed = properties != nullptr && !schema.contains("additionalProperties");
    for (const auto& [name, field] : value.items()) {
      if (properties && properties->contains(name))
        validate((*properties)[name], field, where + "." + name, out);
      else if (closed || listed)
        out.push_back(where + ": field '" + name + "' is not defined by the schema");
      else if (schema.contains("additionalProperties") &&
               schema["additionalProperties"].is_object())
        validate(schema["additionalProperties"], field, where + "." + name, out);
    }
  }
  if (value.is_array()) {
    if (schema.contains("minItems") && value.size() < schema["minItems"].get<size_t>())
      out.push_back(where + ": fewer than " + schema["minItems"].dump() + " items");
    if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<size_t>())
      out.push_back(where + ": more than " + schema["maxItems"].dump() + " items");
    if (schema.contains("items"))
      for (size_t i = 0; i < value.size(); ++i)
        validate(schema["items"], value[i], where + "[" + std::to_string(i) + "]", out);
  }
}

std::vector<std::string> OpenApiChecker::check(const std::string& method, const std::string& path,
                                               const QueryParams& query,
                                               const std::string& body) const {
  std::vector<std::string> out;
  std::string what = method + " " + path;
  std::vector<const Template*> candidates;
  const Template* t = match(method, path, &candidates);
  if (!t) {
    if (candidates.empty()) {
      out.push_back(what + ": no path of the OpenAPI description matches");
    } else {
      std::string allowed;
      for (const auto& [m, op] : doc_["paths"][candidates.front()->path].items())
        allowed += (allowed.empty() ? "" : ", ") + m;
      out.push_back(what + ": " + candidates.front()->path + " has no " + method +
                    " operation (it has " + allowed + ")");
    }
    return out;
  }
  const json& operation = doc_["paths"][t->path][lowerMethod(method)];
  what += " (" + operation.value("operationId", t->path) + ")";

  std::set<std::string> known;
  if (operation.contains("parameters")) {
    for (const json& p : operation["parameters"]) {
      const json& param = resolve(p);
      std::string name = param.value("name", "");
      std::string in = param.value("in", "");
      if (in != "query")
        continue;
      known.insert(name);
      auto [first, last] = query.equal_range(name);
      if (first == last) {
        if (param.value("required", false))
          out.push_back(what + ": required query parameter '" + name + "' is missing");
        continue;
      }
      if (!param.contains("schema"))
        continue;
      const json& schema = resolve(param["schema"]);
      for (auto it = first; it != last; ++it) {
        const std::string& text = it->second;
        if (schema.value("type", "") == "integer" &&
            (text.empty() || text.find_first_not_of("-0123456789") != std::string::npos))
          out.push_back(what + ": query parameter '" + name + "' must be an integer, got '" + text +
                        "'");
        if (schema.contains("minLength") && text.size() < schema["minLength"].get<size_t>())
          out.push_back(what + ": query parameter '" + name + "' is shorter than " +
                        schema["minLength"].dump() + " characters");
        if (schema.contains("minimum") && schema.value("type", "") == "integer" && !text.empty() &&
            text.find_first_not_of("-0123456789") == std::string::npos &&
            std::stoll(text) < schema["minimum"].get<long long>())
          out.push_back(what + ": query parameter '" + name + "'=" + text + " is below " +
                        schema["minimum"].dump());
        if (schema.contains("enum")) {
          const json& values = schema["enum"];
          if (std::find(values.begin(), values.end(), json(text)) == values.end())
            out.push_back(what + ": query parameter '" + name + "'='" + text + "' is not one of " +
                          values.dump());
        }
      }
    }
  }
  for (const auto& [name, value] : query)
    if (!known.count(name))
      out.push_back(what + ": query parameter '" + name + "' is not defined by the operation");

  if (!operation.contains("requestBody")) {
    if (!body.empty())
      out.push_back(what + ": sends a body, but the operation takes none");
    return out;
  }
  const json& requestBody = resolve(operation["requestBody"]);
  if (body.empty()) {
    if (requestBody.value("required", false))
      out.push_back(what + ": the request body is required");
    return out;
  }
  if (!requestBody.contains("content") || !requestBody["content"].contains("application/json")) {
    out.push_back(what + ": the operation does not take a JSON body");
    return out;
  }
  json value = json::parse(body, nullptr, false);
  if (value.is_discarded()) {
    out.push_back(what + ": the body is not valid JSON");
    return out;
  }
  const json& media = requestBody["content"]["application/json"];
  if (media.contains("schema"))
    validate(media["schema"], value, what + " body", out);
  return out;
}

} // namespace godwit::test
