// Fuzz target: the `/godwit` comment-command parser on any bytes: a command or none, never a
// crash; a command comes from a comment that has `/godwit`, and each command reads back as
// itself.
#include "bot/webhook/Command.h"
#include "rules/Text.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

void broken(const char* what) {
  std::fprintf(stderr, "fuzz: invariant broken: %s\n", what);
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace godwit;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::optional<Command> command = parseCommand(body);
  if (!command)
    return 0;
  if (lower(body).find("/godwit") == std::string::npos)
    broken("a command from a comment without /godwit");
  const std::string again = "/godwit " + std::string(toString(*command));
  if (parseCommand(again) != command)
    broken("a command does not read back as itself");
  return 0;
}
