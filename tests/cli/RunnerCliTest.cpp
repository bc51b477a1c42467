// `godwit-runner` as a user calls it: every command has --help, --store and the code-host flags
// of `godwit pr`; a bad invocation exits 2.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace godwit {
namespace {

struct Ran {
  int status = -1;
  std::string out;
};

Ran run(const std::string& args) {
  const std::string command = std::string(GODWIT_RUNNER_BINARY) + " " + args + " 2>&1";
  Ran r;
  FILE* p = ::popen(command.c_str(), "r");
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    r.out.append(buf.data(), n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class RunnerCommandHelp : public ::testing::TestWithParam<const char*> {};

TEST_P(RunnerCommandHelp, HasTheStoreAndCodeHostFlags) {
  const Ran r = run(std::string(GetParam()) + " --help");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char* flag : {"--store", "--cache-dir", "--api-url", "--token-file", "--app-id",
                           "--private-key", "--installation-id"})
    EXPECT_NE(r.out.find(flag), std::string::npos) << GetParam() << " lacks " << flag;
}

INSTANTIATE_TEST_SUITE_P(EveryCommand, RunnerCommandHelp,
                         ::testing::Values("discover", "plan", "sweep", "status", "pause", "resume",
                                           "rollback", "report"));

TEST(RunnerCliTest, ACommandIsRequired) {
  const Ran r = run("");
  EXPECT_EQ(r.status, 2) << r.out;
  const Ran unknown = run("launch");
  EXPECT_EQ(unknown.status, 2) << unknown.out;
}

TEST(RunnerCliTest, StatusNeedsACampaign) {
  const Ran r = run("status");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("--migration or --campaign"), std::string::npos) << r.out;
}

} // namespace
} // namespace godwit
