#include "rewriters/SharedEdits.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

// An edit of the literal at bytes 10..20 of `file`, asked for by the reference at `at` of
// `useFile`, which refers to the constant `uses` times.
Edit constantEdit(const std::string& file, const std::string& useFile, uint32_t at, int uses,
                  const std::string& replacement = "acme-data", bool shared = false) {
  Edit e;
  e.file = file;
  e.offset = 10;
  e.length = 10;
  e.replacement = replacement;
  e.origin = useFile + ":3:5";
  e.constant = ConstantUse{"DATASET", uses, useFile, at, shared};
  return e;
}

const SharedEdits::OtherUses kNoOthers = [](std::string_view, const std::string&,
                                            const std::set<std::string>&) {
  return std::vector<std::string>();
};

TEST(SharedEdits, EveryUseAskingTheSameEditIsMade) {
  SharedEdits s;
  s.demand(1, constantEdit("A.java", "A.java", 100, 2));
  s.demand(2, constantEdit("A.java", "A.java", 200, 2));
  EXPECT_FALSE(s.needsRepository());
  EXPECT_TRUE(s.refused(kNoOthers).empty());
}

TEST(SharedEdits, AUseThatAsksNothingRefusesAll) {
  SharedEdits s;
  s.demand(1, constantEdit("A.java", "A.java", 100, 2));
  const auto refused = s.refused(kNoOthers);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused.at(1), "the change lands in constant DATASET, which is used 2 times in this "
                           "file; change it by hand");
}

TEST(SharedEdits, TwoFindingsThroughOneReferenceAreOneUse) {
  // A constant reached through another constant: both findings come through the same reference.
  SharedEdits s;
  s.demand(1, constantEdit("A.java", "A.java", 100, 2));
  s.demand(2, constantEdit("A.java", "A.java", 100, 2));
  EXPECT_EQ(s.refused(kNoOthers).size(), 2u);
}

TEST(SharedEdits, DifferentReplacementsRefuseAll) {
  SharedEdits s;
  s.demand(1, constantEdit("A.java", "A.java", 100, 2, "acme-data"));
  s.demand(2, constantEdit("A.java", "A.java", 200, 2, "acme-lake"));
  const auto refused = s.refused(kNoOthers);
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_NE(refused.at(2).find("whose uses need different changes"), std::string::npos);
}

TEST(SharedEdits, ASharedConstantAsksTheRepository) {
  SharedEdits s;
  s.demand(1, constantEdit("Tables.java", "Job.java", 40, 1, "acme-data", true));
  EXPECT_TRUE(s.needsRepository());
  std::set<std::string> askedWith;
  const auto refused = s.refused([&](std::string_view name, const std::string& literalFile,
                                     const std::set<std::string>& asking) {
    EXPECT_EQ(name, "DATASET");
    EXPECT_EQ(literalFile, "Tables.java");
    askedWith = asking;
    return std::vector<std::string>{"Sessions.java"};
  });
  EXPECT_EQ(askedWith, std::set<std::string>{"Job.java"});
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused.at(1), "the change lands in constant DATASET, which is also used in "
                           "Sessions.java; change it by hand");
  EXPECT_TRUE(s.refused(kNoOthers).empty());
  EXPECT_EQ(s.refused({}).size(), 1u) << "without a way to ask, a shared constant is not edited";
}

TEST(SharedEdits, UsesAreCountedPerFile) {
  SharedEdits s;
  s.demand(1, constantEdit("Tables.java", "Job.java", 40, 1, "acme-data", true));
  s.demand(2, constantEdit("Tables.java", "Export.java", 80, 2, "acme-data", true));
  const auto refused = s.refused(kNoOthers);
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_EQ(refused.at(1), "the change lands in constant DATASET, which is used 2 times in "
                           "Export.java, not each time for this dataset; change it by hand");
}

} // namespace
} // namespace godwit
