#pragma once
// The times the stores record: UTC, ISO 8601 with milliseconds, taken on the client so that every
// backend orders and compares them alike (as text).

#include <string>

namespace godwit {

/// Now, as `2026-12-03T09:30:00.123Z`.
std::string storeTimestamp();

} // namespace godwit
