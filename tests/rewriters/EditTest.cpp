#include "rewriters/Edit.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

Edit edit(size_t offset, size_t length, std::string replacement,
          std::string origin = "a.scala:1:1") {
  return Edit{"a.scala", offset, length, std::move(replacement), std::move(origin)};
}

TEST(EditSet, AppliesEditsInFileOrderWhateverTheOrderTheyCameIn) {
  EditSet set;
  ASSERT_TRUE(set.add(edit(10, 3, "TEN")));
  ASSERT_TRUE(set.add(edit(0, 1, "zero")));
  ASSERT_TRUE(set.add(edit(5, 0, "+")));
  ASSERT_EQ(set.edits().size(), 3u);
  EXPECT_EQ(set.edits()[0].offset, 0u);
  EXPECT_EQ(set.edits()[1].offset, 5u);
  EXPECT_EQ(set.edits()[2].offset, 10u);
  //                  0123456789012345
  EXPECT_EQ(set.apply("abcdefghijklmnop"), "zerobcde+fghijTENnop");
}

TEST(EditSet, KeepsEveryByteOutsideTheEdits) {
  using namespace std::string_literals;
  const std::string original = "\xef\xbb\xbfx\r\n\0y\t\xff\"tbl\"\r\n\0end"s;
  ASSERT_EQ(original.size(), 21u);
  EditSet set;
  const size_t at = original.find("tbl");
  ASSERT_TRUE(set.add(edit(at, 3, "table")));
  std::string expected = original;
  expected.replace(at, 3, "table");
  EXPECT_EQ(set.apply(original), expected);
  EXPECT_EQ(set.apply(original).size(), original.size() + 2);
}

TEST(EditSet, EmptySetReturnsTheOriginal) {
  EditSet set;
  EXPECT_TRUE(set.empty());
  EXPECT_EQ(set.apply("same\n"), "same\n");
}

TEST(EditSet, EditsAtTheVeryStartAndEnd) {
  EditSet set;
  ASSERT_TRUE(set.add(edit(0, 0, "<")));
  ASSERT_TRUE(set.add(edit(3, 0, ">")));
  EXPECT_EQ(set.apply("abc"), "<abc>");

  EditSet whole;
  ASSERT_TRUE(whole.add(edit(0, 3, "")));
  EXPECT_EQ(whole.apply("abc"), "");
}

TEST(EditSet, ExactDuplicateIsIgnored) {
  EditSet set;
  ASSERT_TRUE(set.add(edit(2, 2, "XY", "a.scala:1:1")));
  ASSERT_TRUE(set.add(edit(2, 2, "XY", "a.scala:7:3")));
  ASSERT_EQ(set.edits().size(), 1u);
  EXPECT_EQ(set.edits()[0].origin, "a.scala:1:1");
  EXPECT_EQ(set.apply("abcdef"), "abXYef");

  ASSERT_TRUE(set.add(edit(4, 0, "!", "a.scala:2:1")));
  ASSERT_TRUE(set.add(edit(4, 0, "!", "a.scala:3:1")));
  EXPECT_EQ(set.apply("abcdef"), "abXY!ef");
}

TEST(EditSet, SameRangeWithOtherReplacementIsAnOverlap) {
  EditSet set;
  ASSERT_TRUE(set.add(edit(2, 2, "XY", "a.scala:1:5")));
  auto r = set.add(edit(2, 2, "ZZ", "a.scala:4:9"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "overlapping edits in a.scala: a.scala:1:5 and a.scala:4:9 change the same bytes");
  EXPECT_FALSE(r.error().hint.empty());
  EXPECT_EQ(set.edits().size(), 1u);
}

TEST(EditSet, IntersectingRangesOverlap) {
  EditSet set;
  ASSERT_TRUE(set.add(edit(10, 5, "x", "a.scala:3:1")));
  // Partly before, partly after, inside, and around the held edit.
  for (Edit e : {edit(8, 3, "y", "a.scala:1:1"), edit(14, 4, "y", "a.scala:1:1"),
                 edit(11, 2, "y", "a.scala:1:1"), edit(9, 8, "y", "a.scala:1:1")}) {
    auto r = set.add(e);
    ASSERT_FALSE(r) << e.offset << "+" << e.length;
    EXPECT_NE(r.error().message.find("a.scala:1:1"), std::string::npos);
    EXPECT_NE(r.error().message.find("a.scala:3:1"), std::string::npos);
  }
  EXPECT_EQ(set.edits().size(), 1u);
}

TEST(EditSet, OverlapNamesTheEarlierEditFirst) {
  EditSet set;
  ASSERT_TRUE(set.add(edit(10, 5, "x", "a.scala:3:1")));
  auto r = set.add(edit(8, 3, "y", "a.scala:1:1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "overlapping edits in a.scala: a.scala:1:1 and a.scala:3:1 change the same bytes");
}

TEST(EditSet, AdjacentRangesDoNotOverlap) {
  EditSet set;
  ASSERT_TRUE(set.add(edit(2, 2, "XY")));
  ASSERT_TRUE(set.add(edit(4, 2, "ZW")));
  ASSERT_TRUE(set.add(edit(0, 2, "UV")));
  EXPECT_EQ(set.apply("abcdefg"), "UVXYZWg");
}

TEST(EditSet, InsertionsAtTheSameOffsetOverlap) {
  EditSet set;
  ASSERT_TRUE(set.add(edit(3, 0, "-v2", "a.scala:1:1")));
  auto r = set.add(edit(3, 0, "_v3", "a.scala:2:1"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("a.scala:1:1 and a.scala:2:1"), std::string::npos);
}

TEST(EditSet, InsertionStrictlyInsideAReplacementOverlaps) {
  EditSet set;
  ASSERT_TRUE(set.add(edit(2, 4, "X")));
  EXPECT_FALSE(set.add(edit(3, 0, "+")));
  EXPECT_FALSE(set.add(edit(5, 0, "+")));

  EditSet other;
  ASSERT_TRUE(other.add(edit(3, 0, "+")));
  EXPECT_FALSE(other.add(edit(2, 4, "X")));
}

TEST(EditSet, InsertionAtTheEdgeOfAReplacementIsAllowed) {
  EditSet set;
  ASSERT_TRUE(set.add(edit(2, 3, "XYZ")));
  ASSERT_TRUE(set.add(edit(2, 0, "<")));
  ASSERT_TRUE(set.add(edit(5, 0, ">")));
  ASSERT_EQ(set.edits().size(), 3u);
  EXPECT_EQ(set.edits()[0].length, 0u);
  EXPECT_EQ(set.apply("abcdefg"), "ab<XYZ>fg");
}

TEST(EditSet, FindsOverlapsAmongManyEdits) {
  EditSet set;
  for (size_t i = 0; i < 1000; ++i)
    ASSERT_TRUE(set.add(edit(i * 10, 4, "x")));
  EXPECT_FALSE(set.add(edit(5003, 2, "y")));
  EXPECT_FALSE(set.add(edit(4998, 3, "y")));
  EXPECT_FALSE(set.add(edit(7002, 0, "y")));
  EXPECT_TRUE(set.add(edit(5004, 6, "y")));
  EXPECT_TRUE(set.add(edit(9994, 0, "y")));
  EXPECT_TRUE(set.add(edit(99999, 0, "end")));
  EXPECT_EQ(set.edits().size(), 1003u);
  for (size_t i = 1; i < set.edits().size(); ++i)
    EXPECT_LE(set.edits()[i - 1].offset + set.edits()[i - 1].length, set.edits()[i].offset);
}

TEST(EditSet, RefusesAnEditOfAnotherFile) {
  EditSet set;
  ASSERT_TRUE(set.add(edit(0, 1, "x")));
  Edit other = edit(10, 1, "y");
  other.file = "b.scala";
  EXPECT_FALSE(set.add(other));
}

} // namespace
} // namespace godwit
