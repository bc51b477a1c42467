// Fuzz target: the migration loader on any bytes: a migration or an error, never a crash.
#include "fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace godwit;
  auto migration =
      parseMigration(std::string_view(reinterpret_cast<const char*>(data), size), "m.yaml");
  if (!migration) {
    (void)migration.error().str();
    return 0;
  }
  for (const DatasetSpec& spec : migration->datasets)
    (void)DatasetMatcher(spec).prefilterPatterns();
  return 0;
}
