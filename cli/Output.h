#pragma once
// How findings are shown: text lines, JSON, or SARIF 2.1.0.

#include "rewriters/Engine.h"

#include <string>

namespace godwit {

/// One line per finding: `file:line:col: rewrite|attention: …`, suppressed ones marked.
std::string renderText(const RunResult& result);

/// `{"findings":[…],"summary":{…},"errors":[…],"notes":[…]}`.
std::string renderJson(const RunResult& result);

/// A SARIF 2.1.0 log with one result per finding.
std::string renderSarif(const RunResult& result);

/// The one-paragraph summary printed to stderr after every command.
std::string renderSummary(const Summary& summary);

/// A note (RunResult::notes) as `file:line:col: note: message`, then its hint on its own line.
std::string renderNote(const Error& note);

} // namespace godwit
