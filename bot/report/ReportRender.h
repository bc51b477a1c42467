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

/// Renders `format` (`md`, `json` or `html`).
Expected<std::string> renderReport(const CampaignReport& report, std::string_view format);

} // namespace godwit
