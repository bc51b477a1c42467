// Fuzz target: C++ string-literal tokens without Clang: the input is one token; its value, its
// offset map, and the value of it as a fmt / std::format string.
#include "analyzers/cpp/CppLiteral.h"
#include "fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace godwit;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto end = static_cast<uint32_t>(size);
  const auto token = cpp::parseLiteralToken(text, 0, end);
  DecodedString value;
  const bool literal = cpp::appendLiteral(value, text, 0, end);
  fuzz::check(literal == token.has_value(), "appendLiteral and parseLiteralToken disagree");
  if (!token)
    return 0;
  fuzz::check(token->contentBegin <= token->contentEnd && token->contentEnd <= size,
              "the content is outside the token");
  (void)cpp::literalStyle(*token);
  fuzz::checkDecoded(value, size);
  const DecodedString argument = value;
  if (auto formatted = cpp::applyFormat(value, [&](size_t i) {
        return i < 2 ? &argument : nullptr;
      }))
    fuzz::checkDecoded(*formatted, size);
  return 0;
}
