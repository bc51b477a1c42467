#pragma once
// The campaign report as Markdown, JSON or one self-contained HTML page (`godwit-runner report`,
// docs/runner.md). Renderers read only the CampaignReport; they never touch the store.

#include "bot/fleet/CampaignReport.h"
#include "rules/Expected.h"

#include <string>
#include <string_view>

namespace godwit {

/// Markdown: totals by state, deadline, waves, the owner table, the repositories with their
/// attention items, and the burndown as a table.
std::string renderReportMarkdown(const CampaignReport& report);

/// JSON (an object; keys in docs/runner.md), indented.
std::string renderReportJson(const CampaignReport& report);

/// One HTML page with inline CSS and an inline SVG burndown chart, rendered from the embedded
/// mustache templates; every value from the report is escaped.
Expected<std::string> renderReportHtml(const CampaignReport& report);

/// An index of campaigns as one HTML page, with the report's CSS: each campaign's state, pause
/// reason and repositories by state, its name linking to `linkPrefix` + the name
/// percent-encoded (the App passes `/migrations/`). Every value is escaped.
Expected<std::string> renderCampaignIndexHtml(const CampaignIndex& index,
                                              std::string_view linkPrefix);

/// The same index as JSON (an object; keys in docs/app.md), indented; `url` as in the HTML.
std::string renderCampaignIndexJson(const CampaignIndex& index, std::string_view linkPrefix);

/// Renders `format` (`md`, `json` or `html`).
Expected<std::string> renderReport(const CampaignReport& report, std::string_view format);

} // namespace godwit
