// The `/godwit` comment commands: which line counts, case and whitespace, help, and who may.
#include "bot/webhook/Command.h"

#include <gtest/gtest.h>

#include <string>

namespace godwit {
namespace {

std::string parsed(std::string_view body) {
  std::optional<Command> c = parseCommand(body);
  return c ? std::string(toString(*c)) : "none";
}

TEST(CommandTest, TheFourCommands) {
  EXPECT_EQ(parsed("/godwit rebase"), "rebase");
  EXPECT_EQ(parsed("/godwit retry"), "retry");
  EXPECT_EQ(parsed("/godwit skip"), "skip");
  EXPECT_EQ(parsed("/godwit explain"), "explain");
}

TEST(CommandTest, CaseSpacesTabsAndCarriageReturns) {
  EXPECT_EQ(parsed("/GODWIT Rebase"), "rebase");
  EXPECT_EQ(parsed("  \t/godwit \t  retry  \t"), "retry");
  EXPECT_EQ(parsed("/godwit\tskip\r\nthanks"), "skip");
  EXPECT_EQ(parsed("/godwit explain\r"), "explain");
}

TEST(CommandTest, TheFirstCommandLineCounts) {
  EXPECT_EQ(parsed("Looks odd.\n\n/godwit explain\n/godwit rebase"), "explain");
  EXPECT_EQ(parsed("/godwit frobnicate\n/godwit rebase"), "help");
}

TEST(CommandTest, AnythingElseAfterGodwitAsksForHelp) {
  EXPECT_EQ(parsed("/godwit"), "help");
  EXPECT_EQ(parsed("/godwit   "), "help");
  EXPECT_EQ(parsed("/godwit help"), "help");
  EXPECT_EQ(parsed("/godwit rebase now"), "help");
  EXPECT_EQ(parsed("/godwit rebase, please"), "help");
  EXPECT_EQ(parsed("/godwit rebase!"), "help");
  EXPECT_EQ(parsed("/godwit reba\xc3\x9f"), "help");
}

TEST(CommandTest, TextThatIsNotACommand) {
  EXPECT_EQ(parsed(""), "none");
  EXPECT_EQ(parsed("LGTM"), "none");
  EXPECT_EQ(parsed("please /godwit rebase"), "none") << "not at the start of the line";
  EXPECT_EQ(parsed("/godwitty rebase"), "none");
  EXPECT_EQ(parsed("> /godwit rebase"), "none") << "a quote of someone's command";
  EXPECT_EQ(parsed("`/godwit rebase` regenerates"), "none") << "the help reply's own lines";
  EXPECT_EQ(parsed("/godwi rebase"), "none");
}

TEST(CommandTest, LinesInFencedCodeBlocksDoNotCount) {
  EXPECT_EQ(parsed("Try this:\n```\n/godwit rebase\n```\n"), "none");
  EXPECT_EQ(parsed("~~~text\n/godwit skip\n~~~\n/godwit explain"), "explain");
  EXPECT_EQ(parsed("   ```\n/godwit skip\n   ```\n/godwit retry"), "retry");
  EXPECT_EQ(parsed("    ```\n/godwit skip"), "skip") << "four spaces: indented code, no fence";
}

TEST(CommandTest, OnlyOwnersMembersAndCollaboratorsMayCommand) {
  EXPECT_TRUE(mayCommand("OWNER"));
  EXPECT_TRUE(mayCommand("MEMBER"));
  EXPECT_TRUE(mayCommand("COLLABORATOR"));
  for (const char* other : {"CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "MANNEQUIN",
                            "NONE", "", "owner", "OWNER "})
    EXPECT_FALSE(mayCommand(other)) << other;
}

} // namespace
} // namespace godwit
