#pragma once
// One engine run as JSON, for a run in another process (bot/fleet/AnalysisWorker.h): the request
// (the migration and the run options) and the answer (the run result or the error), each one line.
// Lossless: every field round-trips; bytes that are not UTF-8 (file contents, paths) are sent as
// hex. RunOptions::progress does not cross.

#include "rewriters/Engine.h"
#include "rules/Expected.h"
#include "rules/Migration.h"

#include <string>
#include <string_view>

namespace godwit {

/// What a worker is asked to run.
struct RunRequest {
  Migration migration;
  RunOptions options;
};

/// The request as one line of JSON (no newline in it, none at its end).
std::string encodeRunRequest(const Migration& migration, const RunOptions& options);

/// Reads a line encodeRunRequest wrote; an error when it is not one.
Expected<RunRequest> decodeRunRequest(std::string_view line);

/// The answer to a request, runMigration's result or its error, as one line of JSON.
std::string encodeRunAnswer(const Expected<RunResult>& answer);

/// Reads a line encodeRunAnswer wrote: the outer error says the line is not one (a broken
/// worker); the inner value is the run's own result or error.
Expected<Expected<RunResult>> decodeRunAnswer(std::string_view line);

} // namespace godwit
