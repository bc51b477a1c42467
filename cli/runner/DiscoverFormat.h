#pragma once
// The output formats of `godwit-runner discover`: text, json, csv and md (docs/runner.md).

#include "bot/fleet/Discover.h"
#include "bot/fleet/Reconcile.h"

#include <ostream>
#include <string>

namespace godwit {

/// Writes the consumers of `result` with the totals in `format` (`text`, `json`, `csv`, `md`).
/// CSV holds one row per consumer and nothing else; the others also list the repositories that
/// failed, the totals and, when given (a Backstage inventory), where catalog and code disagree.
void printDiscoverResult(std::ostream& out, const DiscoverResult& result,
                         const std::string& migration, const std::string& format,
                         const Reconciliation* reconciliation = nullptr);

/// `field` quoted for CSV (RFC 4180) when it holds a comma, a quote or a line break.
std::string csvField(const std::string& field);

/// `text` for a Markdown table cell: `|` escaped, line breaks as spaces.
std::string markdownCell(const std::string& text);

} // namespace godwit
