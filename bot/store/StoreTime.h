#pragma once
// The times the stores record: UTC, ISO 8601 with milliseconds, taken on the client so that every
// backend orders and compares them alike (as text).

#include <chrono>
#include <string>

namespace godwit {

/// Now, as `2026-12-03T09:30:00.123Z`.
std::string storeTimestamp();

/// `at` in the same form, e.g. a lease's end or a retry's due time.
std::string storeTimestamp(std::chrono::system_clock::time_point at);

} // namespace godwit
