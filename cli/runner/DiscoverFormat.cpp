#include "cli/runner/DiscoverFormat.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>
#include <vector>

namespace godwit {
namespace {

using json = nlohmann::json;

constexpr std::array<const char*, 6> kColumns = {"repository", "owner",    "tier",
                                                 "files",      "rewrites", "attention"};

std::array<std::string, 6> cells(const DiscoveredRepo& r) {
  return {r.repo.fullName,
          r.repo.owner.empty() ? "-" : r.repo.owner,
          std::to_string(r.repo.tier),
          std::to_string(r.files),
          std::to_string(r.rewrites),
          std::to_string(r.attention)};
}

std::string totalsLine(const DiscoverTotals& t) {
  std::string line = std::to_string(t.repositories) +
                     " repositories: " + std::to_string(t.consumers) + " consumers, " +
                     std::to_string(t.notConsumers) + " not consumers";
  if (t.optedOut)
    line += ", " + std::to_string(t.optedOut) + " opted out";
  if (t.archived)
    line += ", " + std::to_string(t.archived) + " archived";
  if (t.failed)
    line += ", " + std::to_string(t.failed) + " failed";
  return line + "; " + std::to_string(t.files) + " files, " + std::to_string(t.rewrites) +
         " rewrites, " + std::to_string(t.attention) + " attention";
}

/// The three lists of a reconciliation, with the headings every format shares.
struct Disagreement {
  const char* heading;
  std::vector<std::pair<std::string, std::string>> rows; ///< repository, detail
};

std::array<Disagreement, 3> disagreements(const Reconciliation& r) {
  std::array<Disagreement, 3> out{{{"catalog consumers with no reference in code", {}},
                                   {"repositories with references the catalog does not list "
                                    "as consumers",
                                    {}},
                                   {"catalog consumers discover could not analyze", {}}}};
  for (const FleetRepo& repo : r.unreferencedConsumers)
    out[0].rows.emplace_back(repo.fullName, repo.owner.empty() ? "" : "owner " + repo.owner);
  for (const UnlistedConsumer& u : r.unlistedConsumers)
    out[1].rows.emplace_back(u.repo.fullName,
                             std::to_string(u.references) +
                                 (u.references == 1 ? " reference" : " references"));
  for (const FleetRepo& repo : r.unanalyzedConsumers)
    out[2].rows.emplace_back(repo.fullName, repo.owner.empty() ? "" : "owner " + repo.owner);
  return out;
}

void printReconciliationText(std::ostream& out, const Reconciliation& r) {
  const auto lists = disagreements(r);
  if (std::all_of(lists.begin(), lists.end(),
                  [](const Disagreement& d) { return d.rows.empty(); })) {
    out << "catalog and code agree on the consumers\n";
    return;
  }
  for (const Disagreement& d : lists) {
    if (d.rows.empty())
      continue;
    out << d.heading << " (" << d.rows.size() << "):\n";
    for (const auto& [repo, detail] : d.rows)
      out << "  " << repo << (detail.empty() ? "" : " (" + detail + ")") << "\n";
  }
}

json reconciliationJson(const Reconciliation& r) {
  auto repos = [](const std::vector<FleetRepo>& list) {
    json a = json::array();
    for (const FleetRepo& repo : list)
      a.push_back({{"repository", repo.fullName}, {"id", repo.id}, {"owner", repo.owner}});
    return a;
  };
  json unlisted = json::array();
  for (const UnlistedConsumer& u : r.unlistedConsumers)
    unlisted.push_back({{"repository", u.repo.fullName},
                        {"id", u.repo.id},
                        {"owner", u.repo.owner},
                        {"references", u.references}});
  return {{"unreferencedConsumers", repos(r.unreferencedConsumers)},
          {"unlistedConsumers", unlisted},
          {"unanalyzedConsumers", repos(r.unanalyzedConsumers)}};
}

void printReconciliationMarkdown(std::ostream& out, const Reconciliation& r) {
  out << "\n## Catalog and code\n\n";
  const auto lists = disagreements(r);
  if (std::all_of(lists.begin(), lists.end(),
                  [](const Disagreement& d) { return d.rows.empty(); })) {
    out << "The catalog and the code agree on the consumers.\n";
    return;
  }
  for (const Disagreement& d : lists) {
    if (d.rows.empty())
      continue;
    std::string heading = d.heading;
    heading[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(heading[0])));
    out << "**" << heading << "** (" << d.rows.size() << ")\n\n";
    for (const auto& [repo, detail] : d.rows)
      out << "- `" << repo << "`" << (detail.empty() ? "" : ": " + markdownCell(detail)) << "\n";
    out << "\n";
  }
}

void printText(std::ostream& out, const DiscoverResult& result, const std::string& migration) {
  out << migration << ": " << result.totals.consumers << " consumers of "
      << result.totals.repositories << " repositories\n";
  std::vector<std::array<std::string, 6>> rows;
  for (const DiscoveredRepo& r : result.repos)
    if (r.outcome == DiscoverOutcome::Consumer)
      rows.push_back(cells(r));
  if (!rows.empty()) {
    std::array<size_t, 6> width{};
    for (size_t c = 0; c < kColumns.size(); ++c) {
      width[c] = std::string(kColumns[c]).size();
      for (const auto& row : rows)
        width[c] = std::max(width[c], row[c].size());
    }
    auto line = [&](const auto& row) {
      std::string text = " ";
      for (size_t c = 0; c < row.size(); ++c) {
        const std::string cell = row[c];
        const std::string pad(width[c] - cell.size(), ' ');
        text += "  " + (c < 2 ? cell + pad : pad + cell); // names left, figures right
      }
      out << text << "\n";
    };
    std::array<std::string, 6> header;
    std::transform(kColumns.begin(), kColumns.end(), header.begin(),
                   [](const char* c) { return std::string(c); });
    line(header);
    for (const auto& row : rows)
      line(row);
  }
  for (const DiscoveredRepo& r : result.repos) {
    if (r.outcome == DiscoverOutcome::Failed)
      out << "failed: " << r.repo.fullName << ": " << r.error << "\n";
    else if (r.outcome == DiscoverOutcome::OptedOut)
      out << "opted out: " << r.repo.fullName << "\n";
  }
  out << "total: " << totalsLine(result.totals) << "\n";
}

void printJson(std::ostream& out, const DiscoverResult& result, const std::string& migration,
               const Reconciliation* reconciliation) {
  json repos = json::array();
  for (const DiscoveredRepo& r : result.repos) {
    json j = {{"repository", r.repo.fullName},
              {"id", r.repo.id},
              {"owner", r.repo.owner},
              {"tier", r.repo.tier},
              {"labels", r.repo.labels},
              {"outcome", std::string(toString(r.outcome))},
              {"defaultBranch", r.repo.defaultBranch},
              {"baseSha", r.baseSha},
              {"files", r.files},
              {"rewrites", r.rewrites},
              {"attention", r.attention},
              {"attentionItems", r.attentionItems},
              {"fileErrors", r.fileErrors}};
    if (!r.error.empty())
      j["error"] = r.error;
    repos.push_back(std::move(j));
  }
  const DiscoverTotals& t = result.totals;
  json doc = {{"migration", migration},
              {"repositories", repos},
              {"totals",
               {{"repositories", t.repositories},
                {"consumers", t.consumers},
                {"notConsumers", t.notConsumers},
                {"optedOut", t.optedOut},
                {"archived", t.archived},
                {"failed", t.failed},
                {"files", t.files},
                {"rewrites", t.rewrites},
                {"attention", t.attention}}}};
  if (reconciliation)
    doc["reconciliation"] = reconciliationJson(*reconciliation);
  out << doc.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

void printCsv(std::ostream& out, const DiscoverResult& result) {
  for (size_t c = 0; c < kColumns.size(); ++c)
    out << (c ? "," : "") << kColumns[c];
  out << "\r\n";
  for (const DiscoveredRepo& r : result.repos) {
    if (r.outcome != DiscoverOutcome::Consumer)
      continue;
    const auto row = cells(r);
    for (size_t c = 0; c < row.size(); ++c)
      out << (c ? "," : "") << csvField(c == 1 ? r.repo.owner : row[c]);
    out << "\r\n";
  }
}

void printMarkdown(std::ostream& out, const DiscoverResult& result, const std::string& migration) {
  out << "# Consumers of " << markdownCell(migration) << "\n\n"
      << result.totals.consumers << " consumers of " << result.totals.repositories
      << " repositories.\n\n";
  out << "| Repository | Owner | Tier | Files | Rewrites | Attention |\n"
      << "|---|---|--:|--:|--:|--:|\n";
  for (const DiscoveredRepo& r : result.repos) {
    if (r.outcome != DiscoverOutcome::Consumer)
      continue;
    const auto row = cells(r);
    out << "|";
    for (const std::string& cell : row)
      out << " " << markdownCell(cell) << " |";
    out << "\n";
  }
  bool attentionHeader = false;
  for (const DiscoveredRepo& r : result.repos)
    for (const std::string& item : r.attentionItems) {
      if (!attentionHeader)
        out << "\n## Attention\n\n";
      attentionHeader = true;
      out << "- `" << r.repo.fullName << "` " << markdownCell(item) << "\n";
    }
  bool failedHeader = false;
  for (const DiscoveredRepo& r : result.repos)
    if (r.outcome == DiscoverOutcome::Failed) {
      if (!failedHeader)
        out << "\n## Failed\n\n";
      failedHeader = true;
      out << "- `" << r.repo.fullName << "`: " << markdownCell(r.error) << "\n";
    }
  out << "\n**Total:** " << totalsLine(result.totals) << "\n";
}

} // namespace

std::string csvField(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos)
    return field;
  std::string out = "\"";
  for (char c : field)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string markdownCell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

void printDiscoverResult(std::ostream& out, const DiscoverResult& result,
                         const std::string& migration, const std::string& format,
                         const Reconciliation* reconciliation) {
  if (format == "json") {
    printJson(out, result, migration, reconciliation);
  } else if (format == "csv") {
    printCsv(out, result);
  } else if (format == "md") {
    printMarkdown(out, result, migration);
    if (reconciliation)
      printReconciliationMarkdown(out, *reconciliation);
  } else {
    printText(out, result, migration);
    if (reconciliation)
      printReconciliationText(out, *reconciliation);
  }
}

} // namespace godwit
