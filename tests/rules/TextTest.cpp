// rules/Text: how bytes are shown to a human, and the locale-free ASCII lower case that names
// (repositories, headers, entity refs, Hive tables) are compared with.
#include "rules/Text.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

TEST(TextTest, LowerFoldsAsciiLettersOnly) {
  EXPECT_EQ(lower("Acme/Service-API_2"), "acme/service-api_2");
  // UTF-8 bytes are not letters to fold: `É` (C3 89) stays as it is.
  EXPECT_EQ(lower("D\xC3\x89MO"), "d\xC3\x89mo");
  EXPECT_EQ(lower(""), "");
}

TEST(TextTest, PrintableEscapesControlsAndBadUtf8) {
  EXPECT_EQ(printable("a\tb\x01"), "a\\tb\\x01");
  EXPECT_EQ(printable("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(printable("\xFF"), "\\xFF");
}

} // namespace
} // namespace godwit
