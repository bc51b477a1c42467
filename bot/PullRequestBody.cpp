#include "bot/PullRequestBody.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace godwit {
namespace {

std::string firstLine(const std::string& text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos)
    return "";
  size_t end = text.find_first_of("\r\n", start);
  std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
    line.pop_back();
  return line;
}

// A Markdown code span that survives backticks and stays on one line.
std::string code(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r')
      c = ' ';
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  std::string fence(longest + 1, '`');
  bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
}

// GFM splits table cells on `|` even inside code spans; `\|` keeps it.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += '\\';
    out += c;
  }
  return out;
}

std::string urlPath(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string blobUrl(const Repository& repo, const std::string& sha, const std::string& path) {
  return repo.htmlUrl + "/blob/" + sha + "/" + urlPath(path);
}

std::string lineAnchor(const Finding& f) {
  std::string anchor = "#L" + std::to_string(f.line);
  if (f.endLine > f.line)
    anchor += "-L" + std::to_string(f.endLine);
  return anchor;
}

std::string shortSha(const std::string& sha) {
  return sha.substr(0, 12);
}

// Markers are HTML comments: keep whatever the name holds from closing them early.
std::string markerSafe(const std::string& name) {
  std::string out;
  for (char c : name)
    out += (c == '-' && !out.empty() && out.back() == '-') || c == '>' || c == '"' ? '_' : c;
  return out;
}

bool changed(const RunResult& result, const std::string& path) {
  for (const FileChange& c : result.changes)
    if (c.path == path)
      return true;
  return false;
}

struct AttentionItem {
  const Finding* finding;
  std::string reason;
};

// Attention findings, plus rewrites whose file the engine left unchanged (their edits did not
// verify): a human must look at both.
std::vector<AttentionItem> attentionItems(const RunResult& result) {
  std::vector<AttentionItem> items;
  for (const Finding& f : result.findings) {
    if (f.suppressed)
      continue;
    if (f.action == Action::Attention)
      items.push_back({&f, f.reason.empty() ? "needs a human decision" : f.reason});
    else if (!changed(result, f.file))
      items.push_back({&f, "godwit found this reference but could not rewrite the file safely"});
  }
  return items;
}

std::string attentionLine(const Repository& repo, const std::string& sha, const AttentionItem& a) {
  const Finding& f = *a.finding;
  std::string where = f.file + ":" + std::to_string(f.line);
  return "- [ ] [" + code(where) + "](" + blobUrl(repo, sha, f.file) + lineAnchor(f) + ") " +
         code(f.found.empty() ? f.dataset : f.found) + " — " + a.reason + "\n";
}

// Appends `row` while the body stays under the size limit; counts what did not fit.
struct Budget {
  std::string& out;
  size_t reserve;
  size_t dropped = 0;
  void add(const std::string& row) {
    if (dropped == 0 && out.size() + row.size() + reserve <= kMaxBodySize)
      out += row;
    else
      ++dropped;
  }
};

} // namespace

size_t countRewrites(const RunResult& result) {
  size_t n = 0;
  for (const Finding& f : result.findings)
    if (!f.suppressed && f.action == Action::Rewrite && changed(result, f.file))
      ++n;
  return n;
}

size_t countAttention(const RunResult& result) {
  return attentionItems(result).size();
}

std::string defaultTitle(const Migration& migration) {
  std::string line = firstLine(migration.description);
  if (line.empty())
    return "godwit: migrate " + migration.name;
  if (line.size() > 200)
    line = line.substr(0, 197) + "...";
  return "godwit: " + line;
}

PullRequestOptions pullRequestOptions(const Migration& migration) {
  PullRequestOptions options;
  options.title = defaultTitle(migration);
  options.labels = defaultLabels();
  options.docs = migration.docs;
  if (migration.pullRequest) {
    const PullRequestSettings& section = *migration.pullRequest;
    if (!section.title.empty())
      options.title = section.title;
    options.body = section.body;
    if (section.labels)
      options.labels = *section.labels;
    options.draft = section.draft;
    options.reviewers = section.reviewers;
  }
  return options;
}

std::string branchName(const std::string& migrationName) {
  std::string out = "godwit/";
  for (char c : migrationName) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    out += ok ? c : '-';
  }
  // git refuses `..`, a trailing `.` and `.lock`.
  for (size_t at; (at = out.find("..")) != std::string::npos;)
    out.replace(at, 2, "-.");
  if (out.ends_with(".lock"))
    out.replace(out.size() - 5, 5, "-lock");
  if (out.back() == '.' || out.back() == '/')
    out += '-';
  return out;
}

std::string pullRequestMarker(const std::string& migrationName) {
  return "<!-- godwit:pull-request migration=\"" + markerSafe(migrationName) + "\" -->";
}

bool isBotBody(const std::string& body, const std::string& migrationName) {
  return body.find(pullRequestMarker(migrationName)) != std::string::npos;
}

std::string renderPullRequestBody(const Migration& migration, const PullRequestOptions& options,
                                  const Repository& repo, const std::string& baseSha,
                                  const RunResult& result) {
  std::string out = pullRequestMarker(migration.name) + "\n";
  out += "## Dataset migration " + code(migration.name) + "\n\n";
  if (!options.body.empty())
    out += options.body + (options.body.ends_with('\n') ? "\n" : "\n\n");
  if (!migration.description.empty()) {
    std::string description = migration.description;
    while (!description.empty() && (description.back() == '\n' || description.back() == ' '))
      description.pop_back();
    out += description + "\n\n";
  }
  if (!options.docs.empty())
    out += "Documentation: " + options.docs + "\n\n";

  if (!migration.datasets.empty()) {
    out += "| Kind | From | To |\n|---|---|---|\n";
    for (const DatasetSpec& d : migration.datasets)
      out += "| " + std::string(kindName(d.kind)) + " | " + cell(code(d.from)) + " | " +
             cell(code(d.to)) + " |\n";
    out += "\n";
  }

  // Per changed file: the lines of its rewrites and what they became.
  struct FileRow {
    std::vector<const Finding*> rewrites;
  };
  std::map<std::string, FileRow> files;
  for (const FileChange& c : result.changes)
    files[c.path];
  size_t rewrites = 0;
  for (const Finding& f : result.findings)
    if (!f.suppressed && f.action == Action::Rewrite && files.count(f.file)) {
      files[f.file].rewrites.push_back(&f);
      ++rewrites;
    }
  std::vector<AttentionItem> attention = attentionItems(result);

  out += "godwit rewrote " + std::to_string(rewrites) + " reference" + (rewrites == 1 ? "" : "s") +
         " in " + std::to_string(files.size()) + " file" + (files.size() == 1 ? "" : "s");
  if (!attention.empty())
    out += "; " + std::to_string(attention.size()) + " more need" +
           (attention.size() == 1 ? "s" : "") + " a human (below)";
  out += ". Lines link to the base commit " + code(shortSha(baseSha)) + ".\n\n";

  const std::string footerEstimate(2500, ' ');
  if (!files.empty()) {
    out += "### Edits\n\n| File | Lines | Change |\n|---|---|---|\n";
    Budget budget{out, footerEstimate.size() + attention.size() * 40};
    for (const auto& [path, row] : files) {
      std::string lines, what;
      std::set<std::string> pairs;
      size_t shown = 0;
      for (const Finding* f : row.rewrites) {
        if (shown++ < 20)
          lines += std::string(lines.empty() ? "" : ", ") + "[" + std::to_string(f->line) + "](" +
                   blobUrl(repo, baseSha, path) + lineAnchor(*f) + ")";
        std::string pair = code(f->found) + " → " + code(f->replacement);
        if (pairs.insert(pair).second && pairs.size() <= 3)
          what += std::string(what.empty() ? "" : "<br>") + pair;
      }
      if (row.rewrites.size() > 20)
        lines += " and " + std::to_string(row.rewrites.size() - 20) + " more";
      if (pairs.size() > 3)
        what += "<br>and " + std::to_string(pairs.size() - 3) + " more";
      if (row.rewrites.empty())
        what = "edited";
      budget.add("| [" + cell(code(path)) + "](" + blobUrl(repo, baseSha, path) + ") | " + lines +
                 " | " + cell(what) + " |\n");
    }
    if (budget.dropped)
      out += "\nand " + std::to_string(budget.dropped) +
             " more files: see the commit for the full patch.\n";
    out += "\n";
  }

  if (!attention.empty()) {
    out += "### Needs attention\n\ngodwit did not change these references; please check each "
           "one and tick it off:\n\n";
    Budget budget{out, footerEstimate.size()};
    for (const AttentionItem& a : attention)
      budget.add(attentionLine(repo, baseSha, a));
    if (budget.dropped)
      out += "- and " + std::to_string(budget.dropped) +
             " more: run `godwit dry-run` on the repository for the full list.\n";
    out += "\n";
  }

  std::string branch = branchName(migration.name);
  out += "<details><summary>How to control godwit</summary>\n\n";
  out += "- **Merge** this pull request when the checks pass; godwit never merges.\n";
  out += "- **Close** it without merging to opt this repository out: godwit will not reopen or "
         "re-create it.\n";
  out += "- **Push** to " + code(branch) +
         " to adjust the change: godwit then stops updating this pull request. Comment "
         "`/godwit rebase` to let godwit regenerate it on the latest base (your commits are "
         "dropped).\n";
  out += "- Add a `godwit:ignore` comment on a line to make godwit skip that reference.\n";
  out += "- If the references disappear from the default branch, godwit closes this pull "
         "request and deletes its branch.\n\n";
  out += "</details>\n\n";
  out += "<sub>Generated by godwit " GODWIT_VERSION " from migration " + code(migration.name) +
         " on " + code(shortSha(baseSha)) + ".</sub>\n";
  out += kBodyEndMarker;
  out += "\n";
  return out;
}

std::string mergeBody(const std::string& current, const std::string& generated,
                      const std::string& migrationName) {
  const std::string start = pullRequestMarker(migrationName);
  const size_t begin = current.find(start);
  if (begin == std::string::npos)
    return current;
  // A body written before the end marker existed ends with the bot's part.
  const size_t endAt = current.find(kBodyEndMarker, begin);
  size_t after = current.size();
  if (endAt != std::string::npos) {
    after = endAt + std::char_traits<char>::length(kBodyEndMarker);
    if (after < current.size() && current[after] == '\n')
      ++after;
  }
  const std::string_view old(current.data() + begin, after - begin);
  std::string part = generated;
  // Ticked attention items stay ticked: `- [x] text` in the old part ticks `- [ ] text`.
  for (size_t at = 0; (at = old.find("- [x] ", at)) != std::string::npos; at += 6) {
    if (at != 0 && old[at - 1] != '\n')
      continue;
    const size_t eol = old.find('\n', at);
    const std::string item(old.substr(at + 6, eol == std::string::npos ? eol : eol - at - 6));
    const std::string open = "- [ ] " + item;
    for (size_t p = 0; (p = part.find(open, p)) != std::string::npos; p += open.size())
      if ((p == 0 || part[p - 1] == '\n') &&
          (p + open.size() == part.size() || part[p + open.size()] == '\n')) {
        part[p + 3] = 'x';
        break;
      }
  }
  std::string merged = current.substr(0, begin) + part + current.substr(after);
  return merged.size() <= 65536 ? merged : current; // GitHub refuses a longer body.
}

std::string renderCommitMessage(const Migration& migration, const PullRequestOptions& options,
                                const RunResult& result) {
  std::string out = options.title.empty() ? defaultTitle(migration) : options.title;
  for (char& c : out)
    if (c == '\n' || c == '\r')
      c = ' ';
  out += "\n\n";
  std::string description = firstLine(migration.description);
  if (!description.empty() && out != defaultTitle(migration) + "\n\n")
    out += description + "\n\n";
  size_t rewrites = countRewrites(result);
  out += "Rewrites " + std::to_string(rewrites) + " dataset reference" +
         (rewrites == 1 ? "" : "s") + " in " + std::to_string(result.changes.size()) + " file" +
         (result.changes.size() == 1 ? "" : "s") + ".\n";
  size_t attention = countAttention(result);
  if (attention)
    out += std::to_string(attention) + " reference" + (attention == 1 ? "" : "s") +
           " left for a human (see the pull request).\n";
  out += "\nGodwit-Migration: " + migration.name + "\n";
  return out;
}

std::string renderHumanEditedComment(const Migration& migration, const std::string& branch,
                                     const std::string& who, const std::string& commit) {
  std::string out = std::string(kHumanEditedMarker) + "\n";
  out += "Someone other than godwit";
  if (!who.empty())
    out += " (" + who + ")";
  out += " pushed to " + code(branch);
  if (!commit.empty())
    out += " (commit " + code(shortSha(commit)) + ")";
  out += ", so godwit no longer updates this pull request for migration " + code(migration.name) +
         ".\n\nTo let godwit regenerate it on the latest default branch, comment `/godwit rebase` "
         "(this drops the other commits on the branch).\n";
  return out;
}

std::string renderClosingComment(const Migration& migration, const Repository& repo,
                                 const std::string& baseSha, const RunResult& result) {
  std::string out = std::string(kClosedMarker) + "\n";
  std::vector<AttentionItem> attention = attentionItems(result);
  if (attention.empty()) {
    out += "The default branch (at " + code(shortSha(baseSha)) +
           ") no longer references the datasets of migration " + code(migration.name) +
           ": they were migrated by hand or removed. Closing this pull request and deleting its "
           "branch.\n";
    return out;
  }
  out += "At " + code(shortSha(baseSha)) + " nothing of migration " + code(migration.name) +
         " is left that godwit can rewrite, so this pull request is closed and its branch "
         "deleted. These references still need a human:\n\n";
  std::string list;
  Budget budget{list, out.size() + 200};
  for (const AttentionItem& a : attention)
    budget.add(attentionLine(repo, baseSha, a));
  out += list;
  if (budget.dropped)
    out += "- and " + std::to_string(budget.dropped) + " more.\n";
  return out;
}

} // namespace godwit
