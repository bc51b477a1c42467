#pragma once
// How findings are shown: text lines, JSON, or SARIF 2.1.0.

#include "rewriters/Engine.h"

#include <string>

namespace godwit {

/// A path (or any text from the outside) as the text output shows it: control characters and
/// bytes that are not UTF-8 escaped (rules/Text.h printable).
std::string displayPath(std::string_view path);

/// An error as `Error::str()` with every part made printable.
std::string displayError(const Error& error);

/// `path` as a relative URI reference (RFC 3986): every byte outside the unreserved set and `/`
/// is percent-encoded, so any file name, including one that is not UTF-8, round-trips.
std::string pathUri(std::string_view path);

/// One line per finding: `file:line:col: rewrite|attention: …`, suppressed ones marked.
std::string renderText(const RunResult& result);

/// `{"findings":[…],"summary":{…},"errors":[…],"notes":[…]}`. A path that is not UTF-8 is shown
/// printable in `file`, and its exact bytes are in `fileBase64`.
std::string renderJson(const RunResult& result);

/// A SARIF 2.1.0 log with one result per finding.
std::string renderSarif(const RunResult& result);

/// The one-paragraph summary printed to stderr after every command.
std::string renderSummary(const Summary& summary);

/// A note (RunResult::notes) as `file:line:col: note: message`, then its hint on its own line.
std::string renderNote(const Error& note);

} // namespace godwit
