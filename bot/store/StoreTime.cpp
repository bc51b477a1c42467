#include "bot/store/StoreTime.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace godwit {

std::string storeTimestamp() {
  return storeTimestamp(std::chrono::system_clock::now());
}

std::string storeTimestamp(std::chrono::system_clock::time_point at) {
  using namespace std::chrono;
  // Whole seconds toward the past, so that times before 1970 keep a non-negative fraction.
  const auto s = floor<seconds>(at);
  std::time_t t = system_clock::to_time_t(s);
  auto ms = duration_cast<milliseconds>(at - s).count();
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

} // namespace godwit
