#include "bot/report/ReportRender.h"

#include "bot/github/Http.h"
#include "bot/report/ReportView.h"

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include <sstream>
#include <utility>
#include <vector>

namespace godwit {

const std::vector<std::pair<std::string_view, std::string_view>>& embeddedReportTemplates();

namespace {

using json = nlohmann::json;
using kainjow::mustache::data;
using kainjow::mustache::mustache;

/// A Markdown table cell: pipes and line breaks would end the cell or the row.
std::string cell(const std::string& text) {
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

std::string orNone(const std::string& text) {
  return text.empty() ? "-" : text;
}

/// Links only to web addresses: a report must not carry a `javascript:` link from bad data.
bool isWebUrl(const std::string& url) {
  return url.starts_with("https://") || url.starts_with("http://");
}

std::string_view templateText(std::string_view name) {
  const std::string file = "/" + std::string(name);
  for (const auto& [path, text] : embeddedReportTemplates())
    if (path.ends_with(file))
      return text;
  return {};
}

data list() {
  return data{data::type::list};
}

/// Sets `key` only when `value` is not empty: mustache shows an empty string's section.
void setIf(data& d, const std::string& key, const std::string& value) {
  if (!value.empty())
    d.set(key, value);
}

data chartData(const BurndownChart& chart) {
  data d;
  d.set("width", std::to_string(chart.width));
  d.set("height", std::to_string(chart.height));
  d.set("left", std::to_string(chart.left));
  d.set("right", std::to_string(chart.right));
  d.set("top", std::to_string(chart.top));
  d.set("bottom", std::to_string(chart.bottom));
  d.set("dateY", std::to_string(chart.bottom + 16));
  d.set("legendY", std::to_string(chart.bottom + 30));
  d.set("legendTextY", std::to_string(chart.bottom + 36));
  d.set("remainingPoints", chart.remainingPoints);
  d.set("openPoints", chart.openPoints);
  d.set("mergedPoints", chart.mergedPoints);
  d.set("firstAt", chart.firstAt);
  d.set("lastAt", chart.lastAt);
  data ticks = list();
  for (const BurndownChart::Tick& t : chart.yTicks) {
    data tick;
    tick.set("y", std::to_string(t.y));
    tick.set("labelX", std::to_string(chart.left - 6));
    tick.set("labelY", std::to_string(t.y + 4));
    tick.set("label", t.label);
    ticks.push_back(tick);
  }
  d.set("yTicks", ticks);
  return d;
}

/// Renders the embedded template `name` over `d`, with the shared CSS as the partial `style`.
Expected<std::string> renderPage(std::string_view name, data& d) {
  mustache page{std::string(templateText(name))};
  if (!page.is_valid())
    return makeError("the template " + std::string(name) +
                         " does not parse: " + page.error_message(),
                     "this is a bug in godwit's embedded templates");
  d.set("style", data{kainjow::mustache::partial{
                     [] { return std::string(templateText("style.mustache")); }}});
  std::string html = page.render(d);
  if (!page.error_message().empty())
    return makeError("the template " + std::string(name) + " failed: " + page.error_message(),
                     "this is a bug in godwit's embedded templates");
  return html;
}

} // namespace

std::string renderReportMarkdown(const CampaignReport& report) {
  std::ostringstream out;
  out << "# " << report.name << "\n\n";
  if (!report.description.empty())
    out << report.description << "\n\n";
  out << "Campaign **" << report.state << "**";
  if (!report.pauseReason.empty())
    out << " (" << report.pauseReason << ")";
  out << ", started " << orNone(report.createdAt) << "; report of " << report.generatedAt
      << ".\n\n";
  if (!report.deadline.empty())
    out << "Deadline " << report.deadline << ", projected finish "
        << (report.projectedFinish.empty() ? "unknown" : report.projectedFinish) << ".\n\n";

  out << "## Repositories by state\n\n| State | Repositories |\n|---|---:|\n";
  for (const auto& [state, n] : report.totals)
    out << "| " << cell(state) << " | " << n << " |\n";

  out << "\n## Waves\n\n| Wave | State | Repositories | Started | Finished |\n|---:|---|---:|---|---|\n";
  for (const ReportWave& w : report.waves)
    out << "| " << w.number << " | " << w.state << " | " << w.repositories << " | "
        << orNone(w.startedAt) << " | " << orNone(w.finishedAt) << " |\n";

  out << "\n## Owners\n\n| Owner | Repositories | Finished | Open | Merged | Failed | Attention "
         "|\n|---|---:|---:|---:|---:|---:|---:|\n";
  for (const OwnerSummary& o : summarizeOwners(report))
    out << "| " << cell(o.owner) << " | " << o.repositories << " | " << o.finished << " | "
        << o.open << " | " << o.merged << " | " << o.failed << " | " << o.attentionItems << " |\n";

  out << "\n## Repositories\n\n| Repository | Owner | Wave | State | Pull request | CI | Attention "
         "|\n|---|---|---:|---|---|---|---|\n";
  for (const ReportRepo& r : report.repos) {
    std::string pr = "-";
    if (r.pullRequest)
      pr = r.pullRequestUrl.empty() ? "#" + std::to_string(r.pullRequest)
                                    : "[#" + std::to_string(r.pullRequest) + "](" +
                                          r.pullRequestUrl + ")";
    std::string attention;
    for (const std::string& item : r.attentionItems)
      attention += (attention.empty() ? "" : "<br>") + cell(item);
    out << "| " << cell(r.fullName) << " | " << cell(orNone(r.owner)) << " | " << r.wave << " | "
        << cell(r.state) << " | " << cell(pr) << " | " << cell(orNone(r.ci)) << " | "
        << orNone(attention) << " |\n";
  }

  out << "\n## Burndown\n\n| Time | References remaining | PRs open | PRs merged |\n|---|---:|---:|---:|\n";
  for (const BurndownPoint& p : burndownOf(report.events))
    out << "| " << p.at << " | " << p.referencesRemaining << " | " << p.open << " | " << p.merged
        << " |\n";
  return out.str();
}

std::string renderReportJson(const CampaignReport& report) {
  json out = {{"campaign", report.name},
              {"description", report.description},
              {"state", report.state},
              {"pauseReason", report.pauseReason},
              {"createdAt", report.createdAt},
              {"generatedAt", report.generatedAt},
              {"deadline", report.deadline},
              {"projectedFinish", report.projectedFinish},
              {"totals", report.totals},
              {"waves", json::array()},
              {"owners", json::array()},
              {"repositories", json::array()},
              {"burndown", json::array()}};
  for (const ReportWave& w : report.waves)
    out["waves"].push_back({{"wave", w.number},
                            {"state", w.state},
                            {"repositories", w.repositories},
                            {"startedAt", w.startedAt},
                            {"finishedAt", w.finishedAt}});
  for (const OwnerSummary& o : summarizeOwners(report))
    out["owners"].push_back({{"owner", o.owner},
                             {"repositories", o.repositories},
                             {"finished", o.finished},
                             {"open", o.open},
                             {"merged", o.merged},
                             {"failed", o.failed},
                             {"attentionItems", o.attentionItems}});
  for (const ReportRepo& r : report.repos)
    out["repositories"].push_back({{"repository", r.fullName},
                                   {"id", r.id},
                                   {"owner", r.owner},
                                   {"tier", r.tier},
                                   {"wave", r.wave},
                                   {"waveReason", r.waveReason},
                                   {"state", r.state},
                                   {"note", r.error},
                                   {"pullRequest", r.pullRequest},
                                   {"pullRequestUrl", r.pullRequestUrl},
                                   {"ci", r.ci},
                                   {"filesChanged", r.filesChanged},
                                   {"rewrites", r.rewrites},
                                   {"attention", r.attentionItems},
                                   {"updatedAt", r.updatedAt}});
  for (const BurndownPoint& p : burndownOf(report.events))
    out["burndown"].push_back({{"at", p.at},
                               {"referencesRemaining", p.referencesRemaining},
                               {"open", p.open},
                               {"merged", p.merged}});
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Expected<std::string> renderReportHtml(const CampaignReport& report) {
  data d;
  d.set("name", report.name);
  setIf(d, "description", report.description);
  d.set("state", report.state);
  d.set("paused", data{report.state == "paused"});
  setIf(d, "pauseReason", report.pauseReason);
  d.set("createdAt", report.createdAt);
  d.set("generatedAt", report.generatedAt);
  setIf(d, "deadline", report.deadline);
  d.set("projectedFinish", report.projectedFinish.empty() ? "unknown" : report.projectedFinish);
  data totals = list();
  for (const auto& [state, n] : report.totals) {
    data t;
    t.set("state", state);
    t.set("count", std::to_string(n));
    totals.push_back(t);
  }
  d.set("totals", totals);
  d.set("chart", chartData(layoutBurndown(burndownOf(report.events))));
  data waves = list();
  for (const ReportWave& w : report.waves) {
    data row;
    row.set("number", std::to_string(w.number));
    row.set("state", w.state);
    row.set("repositories", std::to_string(w.repositories));
    row.set("startedAt", w.startedAt);
    row.set("finishedAt", w.finishedAt);
    waves.push_back(row);
  }
  d.set("waves", waves);
  data owners = list();
  for (const OwnerSummary& o : summarizeOwners(report)) {
    data row;
    row.set("owner", o.owner);
    row.set("repositories", std::to_string(o.repositories));
    row.set("finished", std::to_string(o.finished));
    row.set("open", std::to_string(o.open));
    row.set("merged", std::to_string(o.merged));
    row.set("failed", std::to_string(o.failed));
    row.set("attention", std::to_string(o.attentionItems));
    owners.push_back(row);
  }
  d.set("owners", owners);
  data repos = list();
  for (const ReportRepo& r : report.repos) {
    data row;
    row.set("fullName", r.fullName);
    row.set("owner", r.owner);
    row.set("wave", std::to_string(r.wave));
    row.set("state", r.state);
    setIf(row, "note", r.error);
    if (r.pullRequest) {
      data pr;
      pr.set("number", std::to_string(r.pullRequest));
      if (isWebUrl(r.pullRequestUrl))
        pr.set("url", r.pullRequestUrl);
      row.set("pullRequest", pr);
    }
    row.set("ci", r.ci);
    row.set("hasAttention", data{!r.attentionItems.empty()});
    data items = list();
    for (const std::string& item : r.attentionItems)
      items.push_back(item);
    row.set("attention", items);
    repos.push_back(row);
  }
  d.set("repos", repos);
  return renderPage("report.html.mustache", d);
}

Expected<std::string> renderCampaignIndexHtml(const CampaignIndex& index,
                                              std::string_view linkPrefix) {
  data d;
  d.set("generatedAt", index.generatedAt);
  d.set("count", std::to_string(index.campaigns.size()));
  d.set("hasCampaigns", data{!index.campaigns.empty()});
  data campaigns = list();
  for (const CampaignSummary& c : index.campaigns) {
    data row;
    row.set("name", c.name);
    row.set("url", std::string(linkPrefix) + urlEncode(c.name));
    row.set("state", c.state);
    row.set("paused", data{c.state == "paused"});
    setIf(row, "pauseReason", c.pauseReason);
    row.set("repositories", std::to_string(c.repositories));
    data totals = list();
    size_t left = c.totals.size();
    for (const auto& [state, n] : c.totals) {
      data t;
      t.set("state", state);
      t.set("count", std::to_string(n));
      t.set("last", data{--left == 0});
      totals.push_back(t);
    }
    row.set("totals", totals);
    row.set("createdAt", c.createdAt);
    row.set("updatedAt", c.updatedAt);
    campaigns.push_back(row);
  }
  d.set("campaigns", campaigns);
  return renderPage("index.html.mustache", d);
}

std::string renderCampaignIndexJson(const CampaignIndex& index, std::string_view linkPrefix) {
  json out = {{"generatedAt", index.generatedAt}, {"campaigns", json::array()}};
  for (const CampaignSummary& c : index.campaigns)
    out["campaigns"].push_back({{"campaign", c.name},
                                {"url", std::string(linkPrefix) + urlEncode(c.name)},
                                {"state", c.state},
                                {"pauseReason", c.pauseReason},
                                {"createdAt", c.createdAt},
                                {"updatedAt", c.updatedAt},
                                {"repositories", c.repositories},
                                {"totals", c.totals}});
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Expected<std::string> renderReport(const CampaignReport& report, std::string_view format) {
  if (format == "md")
    return renderReportMarkdown(report);
  if (format == "json")
    return renderReportJson(report);
  if (format == "html")
    return renderReportHtml(report);
  return makeError("unknown report format " + std::string(format), "use md, json or html");
}

} // namespace godwit
