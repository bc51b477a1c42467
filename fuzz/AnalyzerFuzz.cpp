// Fuzz target: one analyzer's entry (GODWIT_FUZZ_LANGUAGE: a config format or sql), run on the
// input as the engine runs it on a file.
#include "fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  godwit::fuzz::analyzeLikeTheEngine(
      GODWIT_FUZZ_LANGUAGE, std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
