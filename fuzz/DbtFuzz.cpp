// Fuzz target: dbt's reading of a model: the `source()` calls in its template blocks (and in a
// YAML expression), then the model as the SQL analyzer reads it, template blocks masked.
#include "analyzers/dbt/DbtProject.h"
#include "fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace godwit;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const bool blocks : {true, false})
    for (const DbtSourceCall& call : findDbtSourceCalls(text, blocks)) {
      fuzz::check(call.begin <= call.end && call.end <= size, "a call's range is outside");
      fuzz::check(call.blockBegin <= call.begin && call.end <= call.blockEnd &&
                      call.blockEnd <= size,
                  "a call is outside its block");
      if (call.table)
        fuzz::check(call.tableBegin <= call.tableEnd && call.tableEnd <= size,
                    "the table literal is outside");
    }
  fuzz::analyzeLikeTheEngine("sql", text);
  return 0;
}
