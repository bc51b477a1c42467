#include "rewriters/RunJson.h"

#include "rules/Text.h"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>

namespace godwit {
namespace {

using nlohmann::json;

// Strings carry bytes: file contents and paths need not be UTF-8, which JSON text must be.
json bytes(const std::string& s) {
  if (isValidUtf8(s))
    return s;
  static const char* digits = "0123456789abcdef";
  std::string hex;
  hex.reserve(s.size() * 2);
  for (unsigned char c : s) {
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  return json{{"hex", hex}};
}

std::string unbytes(const json& j) {
  if (j.is_string())
    return j.get<std::string>();
  const std::string hex = j.at("hex").get<std::string>();
  if (hex.size() % 2 != 0)
    throw std::invalid_argument("odd hex string");
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hexDigit(hex[i]);
    const int lo = hexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0)
      throw std::invalid_argument("bad hex digit");
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

json strings(const std::vector<std::string>& v) {
  json out = json::array();
  for (const std::string& s : v)
    out.push_back(bytes(s));
  return out;
}

std::vector<std::string> unstrings(const json& j) {
  std::vector<std::string> out;
  for (const json& e : j)
    out.push_back(unbytes(e));
  return out;
}

template <class E> E enumAt(const json& j, const char* key) {
  return static_cast<E>(j.at(key).get<int>());
}

template <class T> json optional(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

template <class T> std::optional<T> unoptional(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null())
    return std::nullopt;
  return j.at(key).get<T>();
}

json errorJson(const Error& e) {
  return {{"message", bytes(e.message)},
          {"file", bytes(e.file)},
          {"line", e.line},
          {"column", e.column},
          {"hint", bytes(e.hint)}};
}

Error unerror(const json& j) {
  return Error{unbytes(j.at("message")), unbytes(j.at("file")), j.at("line").get<int>(),
               j.at("column").get<int>(), unbytes(j.at("hint"))};
}

json errorsJson(const std::vector<Error>& v) {
  json out = json::array();
  for (const Error& e : v)
    out.push_back(errorJson(e));
  return out;
}

std::vector<Error> unerrors(const json& j) {
  std::vector<Error> out;
  for (const json& e : j)
    out.push_back(unerror(e));
  return out;
}

json migrationJson(const Migration& m) {
  json datasets = json::array();
  for (const DatasetSpec& d : m.datasets) {
    json rename = json::array();
    for (const auto& [from, to] : d.columns.rename)
      rename.push_back(json::array({bytes(from), bytes(to)}));
    datasets.push_back({{"kind", static_cast<int>(d.kind)},
                        {"from", bytes(d.from)},
                        {"to", bytes(d.to)},
                        {"rename", rename},
                        {"removed", strings(d.columns.removed)},
                        {"line", d.pos.line},
                        {"column", d.pos.column}});
  }
  json out = {{"path", bytes(m.path)},
              {"apiVersion", bytes(m.apiVersion)},
              {"name", bytes(m.name)},
              {"description", bytes(m.description)},
              {"datasets", datasets},
              {"exclude", strings(m.exclude)},
              {"docs", bytes(m.docs)},
              {"pullRequest", nullptr},
              {"rollout", nullptr},
              {"backstage", nullptr}};
  if (const auto& pr = m.pullRequest)
    out["pullRequest"] = {{"title", bytes(pr->title)},
                          {"body", bytes(pr->body)},
                          {"labels", pr->labels ? strings(*pr->labels) : json(nullptr)},
                          {"draft", pr->draft},
                          {"reviewers", strings(pr->reviewers)}};
  if (const auto& r = m.rollout) {
    json waves = json::array();
    for (const WaveStep& w : r->waves)
      waves.push_back({{"percent", w.percent}, {"value", w.value}});
    json windows = json::array();
    for (const RolloutWindow& w : r->windows)
      windows.push_back({{"days", w.days},
                         {"startMinute", w.startMinute},
                         {"endMinute", w.endMinute},
                         {"rate", optional(w.rate)},
                         {"ratePeriodSeconds", w.ratePeriodSeconds}});
    out["rollout"] = {{"waves", waves},
                      {"seed", r->seed},
                      {"gateTimeoutSeconds", r->gateTimeoutSeconds},
                      {"maxFailureRatio", r->maxFailureRatio},
                      {"minMergedRatio", optional(r->minMergedRatio)},
                      {"prsPerHour", optional(r->prsPerHour)},
                      {"maxOpenPRs", optional(r->maxOpenPRs)},
                      {"maxOpenPRsPerOwner", optional(r->maxOpenPRsPerOwner)},
                      {"windows", windows},
                      {"deadline", bytes(r->deadline)},
                      {"notifyWebhook", bytes(r->notifyWebhook)}};
  }
  if (const auto& b = m.backstage)
    out["backstage"] = {{"entity", bytes(b->entity)}, {"filter", strings(b->filter)}};
  return out;
}

Migration unmigration(const json& j) {
  Migration m;
  m.path = unbytes(j.at("path"));
  m.apiVersion = unbytes(j.at("apiVersion"));
  m.name = unbytes(j.at("name"));
  m.description = unbytes(j.at("description"));
  for (const json& d : j.at("datasets")) {
    DatasetSpec spec;
    spec.kind = enumAt<DatasetKind>(d, "kind");
    spec.from = unbytes(d.at("from"));
    spec.to = unbytes(d.at("to"));
    for (const json& r : d.at("rename"))
      spec.columns.rename.emplace_back(unbytes(r.at(0)), unbytes(r.at(1)));
    spec.columns.removed = unstrings(d.at("removed"));
    spec.pos = {d.at("line").get<int>(), d.at("column").get<int>()};
    m.datasets.push_back(std::move(spec));
  }
  m.exclude = unstrings(j.at("exclude"));
  m.docs = unbytes(j.at("docs"));
  if (const json& pr = j.at("pullRequest"); !pr.is_null()) {
    PullRequestSettings s;
    s.title = unbytes(pr.at("title"));
    s.body = unbytes(pr.at("body"));
    if (!pr.at("labels").is_null())
      s.labels = unstrings(pr.at("labels"));
    s.draft = pr.at("draft").get<bool>();
    s.reviewers = unstrings(pr.at("reviewers"));
    m.pullRequest = std::move(s);
  }
  if (const json& r = j.at("rollout"); !r.is_null()) {
    RolloutSettings s;
    for (const json& w : r.at("waves"))
      s.waves.push_back({w.at("percent").get<bool>(), w.at("value").get<double>()});
    s.seed = r.at("seed").get<uint64_t>();
    s.gateTimeoutSeconds = r.at("gateTimeoutSeconds").get<int64_t>();
    s.maxFailureRatio = r.at("maxFailureRatio").get<double>();
    s.minMergedRatio = unoptional<double>(r, "minMergedRatio");
    s.prsPerHour = unoptional<int>(r, "prsPerHour");
    s.maxOpenPRs = unoptional<int>(r, "maxOpenPRs");
    s.maxOpenPRsPerOwner = unoptional<int>(r, "maxOpenPRsPerOwner");
    for (const json& w : r.at("windows")) {
      RolloutWindow window;
      window.days = w.at("days").get<std::vector<int>>();
      window.startMinute = w.at("startMinute").get<int>();
      window.endMinute = w.at("endMinute").get<int>();
      window.rate = unoptional<int>(w, "rate");
      window.ratePeriodSeconds = w.at("ratePeriodSeconds").get<int64_t>();
      s.windows.push_back(std::move(window));
    }
    s.deadline = unbytes(r.at("deadline"));
    s.notifyWebhook = unbytes(r.at("notifyWebhook"));
    m.rollout = std::move(s);
  }
  if (const json& b = j.at("backstage"); !b.is_null())
    m.backstage = BackstageSettings{unbytes(b.at("entity")), unstrings(b.at("filter"))};
  return m;
}

json optionsJson(const RunOptions& o) {
  return {{"root", bytes(o.root.string())},
          {"paths", strings(o.paths)},
          {"jobs", o.jobs},
          {"include", strings(o.include)},
          {"exclude", strings(o.exclude)},
          {"compileCommands", bytes(o.compileCommands.string())},
          {"fullParse", o.fullParse}};
}

RunOptions unoptions(const json& j) {
  RunOptions o;
  o.root = unbytes(j.at("root"));
  o.paths = unstrings(j.at("paths"));
  o.jobs = j.at("jobs").get<unsigned>();
  o.include = unstrings(j.at("include"));
  o.exclude = unstrings(j.at("exclude"));
  o.compileCommands = unbytes(j.at("compileCommands"));
  o.fullParse = j.at("fullParse").get<bool>();
  return o;
}

json pieceJson(const LiteralPiece& p) {
  const LiteralStyle& s = p.style;
  return {{"begin", p.begin},
          {"end", p.end},
          {"quote", static_cast<int>(s.quote)},
          {"triple", s.triple},
          {"raw", s.raw},
          {"holeIntro", static_cast<int>(s.holeIntro)},
          {"syntax", static_cast<int>(s.syntax)},
          {"inJsonString", s.inJsonString},
          {"constant", bytes(p.constant)},
          {"constantUses", p.constantUses},
          {"useAt", p.useAt},
          {"useFile", bytes(p.useFile)},
          {"file", bytes(p.file)},
          {"shared", p.shared}};
}

LiteralPiece unpiece(const json& j) {
  LiteralPiece p;
  p.begin = j.at("begin").get<uint32_t>();
  p.end = j.at("end").get<uint32_t>();
  p.style.quote = static_cast<char>(j.at("quote").get<int>());
  p.style.triple = j.at("triple").get<bool>();
  p.style.raw = j.at("raw").get<bool>();
  p.style.holeIntro = static_cast<char>(j.at("holeIntro").get<int>());
  p.style.syntax = enumAt<LiteralSyntax>(j, "syntax");
  p.style.inJsonString = j.at("inJsonString").get<bool>();
  p.constant = unbytes(j.at("constant"));
  p.constantUses = j.at("constantUses").get<int>();
  p.useAt = j.at("useAt").get<uint32_t>();
  p.useFile = unbytes(j.at("useFile"));
  p.file = unbytes(j.at("file"));
  p.shared = j.at("shared").get<bool>();
  return p;
}

json decodedJson(const DecodedString& d) {
  json pieces = json::array();
  for (const LiteralPiece& p : d.pieces)
    pieces.push_back(pieceJson(p));
  return {{"value", bytes(d.value)},
          {"srcBegin", d.srcBegin},
          {"srcEnd", d.srcEnd},
          {"piece", d.piece},
          {"pieces", pieces}};
}

DecodedString undecoded(const json& j) {
  DecodedString d;
  d.value = unbytes(j.at("value"));
  d.srcBegin = j.at("srcBegin").get<std::vector<uint32_t>>();
  d.srcEnd = j.at("srcEnd").get<std::vector<uint32_t>>();
  d.piece = j.at("piece").get<std::vector<uint16_t>>();
  for (const json& p : j.at("pieces"))
    d.pieces.push_back(unpiece(p));
  return d;
}

// Findings share decoded values (one value, several edits): each is sent once, in `values`, and
// edits name it by index, so the sharing survives too.
json resultJson(const RunResult& r) {
  std::map<const DecodedString*, size_t> index;
  json values = json::array();
  json findings = json::array();
  for (const Finding& f : r.findings) {
    json changes = json::array();
    for (const ValueEdit& e : f.changes) {
      int64_t at = -1;
      if (e.value) {
        auto [it, added] = index.try_emplace(e.value.get(), values.size());
        if (added)
          values.push_back(decodedJson(*e.value));
        at = static_cast<int64_t>(it->second);
      }
      changes.push_back(
          {{"value", at}, {"begin", e.begin}, {"end", e.end}, {"text", bytes(e.text)}});
    }
    findings.push_back({{"file", bytes(f.file)},
                        {"offset", f.offset},
                        {"length", f.length},
                        {"line", f.line},
                        {"column", f.column},
                        {"endLine", f.endLine},
                        {"endColumn", f.endColumn},
                        {"kind", static_cast<int>(f.kind)},
                        {"dataset", bytes(f.dataset)},
                        {"context", bytes(f.context)},
                        {"ruleId", bytes(f.ruleId)},
                        {"access", static_cast<int>(f.access)},
                        {"action", static_cast<int>(f.action)},
                        {"found", bytes(f.found)},
                        {"replacement", bytes(f.replacement)},
                        {"reason", bytes(f.reason)},
                        {"sink", static_cast<int>(f.sink)},
                        {"suppressed", f.suppressed},
                        {"changes", changes}});
  }
  json changes = json::array();
  for (const FileChange& c : r.changes)
    changes.push_back({{"path", bytes(c.path)}, {"before", bytes(c.before)}, {"after", bytes(c.after)}});
  const Summary& s = r.summary;
  json summary = {{"filesSeen", s.filesSeen},       {"ignored", s.ignored},
                  {"unsupported", s.unsupported},   {"binary", s.binary},
                  {"tooLarge", s.tooLarge},         {"symlinks", s.symlinks},
                  {"special", s.special},           {"staleTemps", s.staleTemps},
                  {"unreadable", s.unreadable},     {"candidates", s.candidates},
                  {"parseErrors", s.parseErrors},   {"noParser", s.noParser},
                  {"tooDeep", s.tooDeep},           {"filesChanged", s.filesChanged},
                  {"rewrites", s.rewrites},         {"attention", s.attention},
                  {"suppressed", s.suppressed},     {"rejected", s.rejected},
                  {"notWritten", s.notWritten}};
  return {{"values", values},
          {"findings", findings},
          {"changes", changes},
          {"errors", errorsJson(r.errors)},
          {"notes", errorsJson(r.notes)},
          {"staleTemps", strings(r.staleTemps)},
          {"summary", summary}};
}

RunResult unresult(const json& j) {
  RunResult r;
  std::vector<std::shared_ptr<const DecodedString>> values;
  for (const json& v : j.at("values"))
    values.push_back(std::make_shared<const DecodedString>(undecoded(v)));
  for (const json& jf : j.at("findings")) {
    Finding f;
    f.file = unbytes(jf.at("file"));
    f.offset = jf.at("offset").get<size_t>();
    f.length = jf.at("length").get<size_t>();
    f.line = jf.at("line").get<int>();
    f.column = jf.at("column").get<int>();
    f.endLine = jf.at("endLine").get<int>();
    f.endColumn = jf.at("endColumn").get<int>();
    f.kind = enumAt<DatasetKind>(jf, "kind");
    f.dataset = unbytes(jf.at("dataset"));
    f.context = unbytes(jf.at("context"));
    f.ruleId = unbytes(jf.at("ruleId"));
    f.access = enumAt<Access>(jf, "access");
    f.action = enumAt<Action>(jf, "action");
    f.found = unbytes(jf.at("found"));
    f.replacement = unbytes(jf.at("replacement"));
    f.reason = unbytes(jf.at("reason"));
    f.sink = enumAt<Sink>(jf, "sink");
    f.suppressed = jf.at("suppressed").get<bool>();
    for (const json& je : jf.at("changes")) {
      ValueEdit e;
      const int64_t at = je.at("value").get<int64_t>();
      if (at >= 0)
        e.value = values.at(static_cast<size_t>(at));
      e.begin = je.at("begin").get<size_t>();
      e.end = je.at("end").get<size_t>();
      e.text = unbytes(je.at("text"));
      f.changes.push_back(std::move(e));
    }
    r.findings.push_back(std::move(f));
  }
  for (const json& c : j.at("changes"))
    r.changes.push_back({unbytes(c.at("path")), unbytes(c.at("before")), unbytes(c.at("after"))});
  r.errors = unerrors(j.at("errors"));
  r.notes = unerrors(j.at("notes"));
  r.staleTemps = unstrings(j.at("staleTemps"));
  const json& s = j.at("summary");
  Summary& m = r.summary;
  for (auto [key, field] : std::initializer_list<std::pair<const char*, size_t*>>{
           {"filesSeen", &m.filesSeen},       {"ignored", &m.ignored},
           {"unsupported", &m.unsupported},   {"binary", &m.binary},
           {"tooLarge", &m.tooLarge},         {"symlinks", &m.symlinks},
           {"special", &m.special},           {"staleTemps", &m.staleTemps},
           {"unreadable", &m.unreadable},     {"candidates", &m.candidates},
           {"parseErrors", &m.parseErrors},   {"noParser", &m.noParser},
           {"tooDeep", &m.tooDeep},           {"filesChanged", &m.filesChanged},
           {"rewrites", &m.rewrites},         {"attention", &m.attention},
           {"suppressed", &m.suppressed},     {"rejected", &m.rejected},
           {"notWritten", &m.notWritten}})
    *field = s.at(key).get<size_t>();
  return r;
}

Error unreadable(const std::string& what, const std::exception& e) {
  return makeError("unreadable " + what + ": " + e.what(),
                   "the worker and the runner must be the same godwit build");
}

} // namespace

std::string encodeRunRequest(const Migration& migration, const RunOptions& options) {
  return json{{"migration", migrationJson(migration)}, {"options", optionsJson(options)}}.dump();
}

Expected<RunRequest> decodeRunRequest(std::string_view line) {
  try {
    const json j = json::parse(line);
    return RunRequest{unmigration(j.at("migration")), unoptions(j.at("options"))};
  } catch (const std::exception& e) {
    return unreadable("analysis request", e);
  }
}

std::string encodeRunAnswer(const Expected<RunResult>& answer) {
  if (!answer)
    return json{{"error", errorJson(answer.error())}}.dump();
  return json{{"result", resultJson(*answer)}}.dump();
}

Expected<Expected<RunResult>> decodeRunAnswer(std::string_view line) {
  try {
    const json j = json::parse(line);
    if (j.contains("error"))
      return Expected<RunResult>(unerror(j.at("error")));
    return Expected<RunResult>(unresult(j.at("result")));
  } catch (const std::exception& e) {
    return unreadable("analysis answer", e);
  }
}

} // namespace godwit
