// Repository names compared as GitHub does: ASCII case does not matter, anything else does.

#include "bot/github/RepositoryName.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

TEST(RepositoryNameTest, AsciiCaseDoesNotMatter) {
  EXPECT_TRUE(sameRepositoryName("acme/shop", "acme/shop"));
  EXPECT_TRUE(sameRepositoryName("Codertocat/Hello-World", "codertocat/hello-world"));
  EXPECT_TRUE(sameRepositoryName("ACME/SHOP", "acme/shop"));
  EXPECT_TRUE(sameRepositoryName("", ""));
}

TEST(RepositoryNameTest, AnyOtherDifferenceDoes) {
  EXPECT_FALSE(sameRepositoryName("acme/shop", "acme/shop2"));
  EXPECT_FALSE(sameRepositoryName("acme/shop2", "acme/shop"));
  EXPECT_FALSE(sameRepositoryName("acme/shop", "acme-shop"));
  EXPECT_FALSE(sameRepositoryName("acme/shop", ""));
  // '@' and '`' are one bit from 'A'-'Z' and 'a'-'z', but no letters.
  EXPECT_FALSE(sameRepositoryName("acme/@", "acme/`"));
  // Bytes beyond ASCII are compared as they are (no locale folds them).
  EXPECT_TRUE(sameRepositoryName("acme/caf\xc3\xa9", "ACME/CAF\xc3\xa9"));
  EXPECT_FALSE(sameRepositoryName("acme/caf\xc3\xa9", "acme/caf\xc3\x89"));
}

} // namespace
} // namespace godwit
