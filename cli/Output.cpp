#include "cli/Output.h"

#include "rules/Text.h"

#include <nlohmann/json.hpp>

namespace godwit {
namespace {

using nlohmann::json;

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size())
      v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size())
      v |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

/// Text for a JSON string: JSON needs valid UTF-8, so anything else is shown printable.
std::string jsonText(std::string_view s) {
  return isValidUtf8(s) ? std::string(s) : printable(s);
}

json findingJson(const Finding& f) {
  json j = {{"file", jsonText(f.file)},
            {"line", f.line},
            {"column", f.column},
            {"endLine", f.endLine},
            {"endColumn", f.endColumn},
            {"dataset", jsonText(f.dataset)},
            {"kind", kindName(f.kind)},
            {"context", jsonText(f.context)},
            {"access", accessName(f.access)},
            {"action", actionName(f.action)},
            {"found", jsonText(f.found)},
            {"suppressed", f.suppressed}};
  if (!isValidUtf8(f.file))
    j["fileBase64"] = base64(f.file);
  if (!f.ruleId.empty())
    j["rule"] = f.ruleId;
  if (f.action == Action::Rewrite)
    j["replacement"] = jsonText(f.replacement);
  else
    j["reason"] = jsonText(f.reason);
  return j;
}

json summaryJson(const Summary& s) {
  return {{"filesSeen", s.filesSeen},       {"ignored", s.ignored},
          {"unsupported", s.unsupported},   {"binary", s.binary},
          {"tooLarge", s.tooLarge},         {"symlinks", s.symlinks},
          {"unreadable", s.unreadable},     {"candidates", s.candidates},
          {"filesChanged", s.filesChanged}, {"rewrites", s.rewrites},
          {"attention", s.attention},       {"suppressed", s.suppressed},
          {"rejected", s.rejected},         {"parseErrors", s.parseErrors},
          {"noParser", s.noParser},         {"tooDeep", s.tooDeep},
          {"special", s.special},
          {"staleTemps", s.staleTemps},     {"notWritten", s.notWritten}};
}

std::string describe(const Finding& f) {
  std::string line =
      displayPath(f.file) + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": ";
  if (f.suppressed)
    line += "suppressed (godwit:ignore): ";
  line += std::string(actionName(f.action)) + ": " + std::string(kindName(f.kind)) + " " +
          printable(f.found);
  if (f.action == Action::Rewrite)
    line += " -> " + printable(f.replacement);
  line += " [" + f.context + "]";
  if (f.action == Action::Attention)
    line += ": " + printable(f.reason);
  return line;
}

} // namespace

std::string displayPath(std::string_view path) {
  return printable(path);
}

std::string displayError(const Error& error) {
  return Error{printable(error.message), printable(error.file), error.line, error.column,
               printable(error.hint)}
      .str();
}

std::string pathUri(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || c == '/') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string renderText(const RunResult& result) {
  std::string out;
  for (const Finding& f : result.findings)
    out += describe(f) + "\n";
  return out;
}

std::string renderJson(const RunResult& result) {
  json findings = json::array();
  for (const Finding& f : result.findings)
    findings.push_back(findingJson(f));
  json errors = json::array();
  for (const Error& e : result.errors)
    errors.push_back(displayError(e));
  json notes = json::array();
  for (const Error& n : result.notes)
    notes.push_back(renderNote(n));
  return json{{"findings", findings},
              {"summary", summaryJson(result.summary)},
              {"errors", errors},
              {"notes", notes}}
             .dump(2) +
         "\n";
}

std::string renderSarif(const RunResult& result) {
  json results = json::array();
  for (const Finding& f : result.findings) {
    std::string text = f.action == Action::Rewrite
                           ? "Reference to " + f.found + " moves to " + f.replacement
                           : "Reference to " + f.found + " needs attention: " + f.reason;
    text = jsonText(text);
    json r = {
        {"ruleId", std::string("godwit/") + std::string(actionName(f.action))},
        {"level", f.action == Action::Rewrite ? "warning" : "note"},
        {"message", {{"text", text}}},
        {"locations",
         json::array({{{"physicalLocation",
                        {{"artifactLocation", {{"uri", pathUri(f.file)}, {"uriBaseId", "SRCROOT"}}},
                         {"region",
                          {{"startLine", f.line},
                           {"startColumn", f.column},
                           {"endLine", f.endLine},
                           {"endColumn", f.endColumn}}}}}}})},
        {"properties", findingJson(f)}};
    if (f.suppressed)
      r["suppressions"] = json::array({{{"kind", "inSource"}, {"justification", "godwit:ignore"}}});
    results.push_back(std::move(r));
  }
  json rules = json::array(
      {{{"id", "godwit/rewrite"},
        {"shortDescription", {{"text", "A reference to a migrated dataset that godwit rewrites"}}}},
       {{"id", "godwit/attention"},
        {"shortDescription", {{"text", "A reference to a migrated dataset that needs a human"}}}}});
  json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({{{"tool",
                                      {{"driver",
                                        {{"name", "godwit"},
                                         {"version", GODWIT_VERSION},
                                         {"rules", rules}}}}},
                                     {"results", results}}})}};
  return log.dump(2) + "\n";
}

std::string renderSummary(const Summary& s) {
  std::string out = "godwit: " + std::to_string(s.filesSeen) + " files seen, " +
                    std::to_string(s.candidates) + " analyzed" +
                    (s.parseErrors > 0 ? " (" + std::to_string(s.parseErrors) + " with parser errors)"
                                       : std::string()) +
                    "; " + std::to_string(s.rewrites) +
                    " rewrites in " + std::to_string(s.filesChanged) + " files, " +
                    std::to_string(s.attention) + " need attention, " +
                    std::to_string(s.suppressed) + " suppressed\n";
  std::string skipped;
  auto add = [&](size_t n, const char* what) {
    if (n > 0)
      skipped += (skipped.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  add(s.ignored, "ignored");
  add(s.unsupported, "of unsupported languages");
  add(s.binary, "binary");
  add(s.tooLarge, "over 4 MiB");
  add(s.symlinks, "symbolic links");
  add(s.special, "FIFOs, sockets or devices");
  add(s.staleTemps, "stale godwit temporary files (apply removes them)");
  add(s.unreadable, "unreadable");
  add(s.rejected, "rejected by verification");
  add(s.noParser, "that no parser can take (see the notes)");
  add(s.tooDeep, "nested too deeply (see the notes)");
  add(s.notWritten, "changed but not written (see the errors)");
  if (!skipped.empty())
    out += "godwit: skipped: " + skipped + "\n";
  return out;
}

std::string renderNote(const Error& note) {
  std::string out;
  if (!note.file.empty()) {
    out += displayPath(note.file);
    if (note.line > 0) {
      out += ':' + std::to_string(note.line);
      if (note.column > 0)
        out += ':' + std::to_string(note.column);
    }
    out += ": ";
  }
  out += "note: " + printable(note.message);
  if (!note.hint.empty())
    out += "\n  hint: " + printable(note.hint);
  return out;
}

} // namespace godwit
