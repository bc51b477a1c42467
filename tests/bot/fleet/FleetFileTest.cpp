#include "bot/fleet/FleetFile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace godwit {
namespace {

std::string lines(std::initializer_list<std::string_view> ls) {
  std::string out;
  for (std::string_view l : ls)
    out.append(l).append("\n");
  return out;
}

const std::string kHead = lines({"apiVersion: godwit/v1", "kind: Fleet", "repositories:"});

void expectError(const std::string& yaml, int line, int column, const std::string& message,
                 const std::string& hint = {}) {
  auto fleet = parseFleetFile(yaml, "fleet.yaml");
  ASSERT_FALSE(fleet) << yaml;
  const Error& e = fleet.error();
  EXPECT_EQ(e.file, "fleet.yaml");
  EXPECT_EQ(e.line, line) << e.str();
  EXPECT_EQ(e.column, column) << e.str();
  EXPECT_NE(e.message.find(message), std::string::npos) << e.str();
  EXPECT_FALSE(e.hint.empty()) << e.str();
  if (!hint.empty())
    EXPECT_NE(e.hint.find(hint), std::string::npos) << e.str();
}

TEST(FleetFileTest, ReadsEveryRepositoryWithItsPlace) {
  auto fleet = parseFleetFile(kHead + lines({
                                          "  - repo: acme/scio-user-metrics",     // 4
                                          "    owner: team-analytics",            // 5
                                          "    tier: 2",                          // 6
                                          "    labels: [scala, batch]",           // 7
                                          "  - {repo: acme/airflow-dags, tier: 0,", // 8
                                          "     cloneUrl: 'file:///srv/airflow-dags.git'}",
                                      }),
                              "fleet.yaml");
  ASSERT_TRUE(fleet) << fleet.error().str();
  ASSERT_EQ(fleet->size(), 2u);
  const FleetRepo& scio = (*fleet)[0];
  EXPECT_EQ(scio.fullName, "acme/scio-user-metrics");
  EXPECT_EQ(scio.owner, "team-analytics");
  EXPECT_EQ(scio.tier, 2);
  EXPECT_EQ(scio.labels, (std::vector<std::string>{"scala", "batch"}));
  EXPECT_EQ(scio.source, "fleet.yaml:4:5");
  EXPECT_EQ(scio.id, 0);
  const FleetRepo& dags = (*fleet)[1];
  EXPECT_EQ(dags.owner, "acme") << "the owner defaults to the repository's owner";
  EXPECT_EQ(dags.tier, 0);
  EXPECT_EQ(dags.cloneUrl, "file:///srv/airflow-dags.git");
  EXPECT_EQ(dags.source, "fleet.yaml:8:5");
}

TEST(FleetFileTest, AnEmptyListIsAnEmptyFleet) {
  auto fleet = parseFleetFile(kHead, "fleet.yaml");
  ASSERT_TRUE(fleet) << fleet.error().str();
  EXPECT_TRUE(fleet->empty());
}

TEST(FleetFileTest, BadInputIsAnErrorAtItsNode) {
  expectError("", 1, 1, "the fleet file is empty", "kind: Fleet");
  expectError(lines({"apiVersion: godwit/v1", "kind: Migration"}), 2, 7,
              "`kind` is `Migration`, not `Fleet`", "use `kind: Fleet`");
  expectError(lines({"apiVersion: godwit/v2", "kind: Fleet"}), 1, 13, "unsupported apiVersion");
  expectError(lines({"apiVersion: godwit/v1", "kind: Fleet"}), 1, 1, "missing `repositories`");
  expectError(lines({"apiVersion: godwit/v1", "kind: Fleet", "repository: []"}), 3, 1,
              "unknown key `repository` at the top level", "did you mean `repositories`?");
  expectError(kHead + lines({"  - repo: acme/a", "    teir: 1"}), 5, 5,
              "unknown key `teir` in a repository", "did you mean `tier`?");
  expectError(kHead + lines({"  - owner: team"}), 4, 5, "a repository needs `repo`");
  expectError(kHead + lines({"  - repo: not-a-slug"}), 4, 11, "invalid repository `not-a-slug`",
              "owner/name");
  expectError(kHead + lines({"  - repo: acme/a", "    tier: high"}), 5, 11,
              "`tier` must be a whole number");
  expectError(kHead + lines({"  - repo: acme/a", "    labels: scala"}), 5, 13,
              "`labels` must be a list");
  expectError(kHead + lines({"  - acme/a"}), 4, 5, "must be a mapping");
  expectError(kHead + lines({"  - repo: acme/a", "  - repo: ACME/a"}), 5, 5,
              "repository `ACME/a` is listed twice (first at line 4)");
  expectError(std::string("\xFF\xFE", 2) + "a", 1, 1, "the fleet file is UTF-16");
}

TEST(FleetFileTest, LoadsFromDiskAndRefusesWhatIsNotAFile) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("godwit-fleetfile-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "fleet.yaml").string();
  std::ofstream(path) << kHead << "  - repo: acme/a\n";
  auto fleet = loadFleetFile(path);
  ASSERT_TRUE(fleet) << fleet.error().str();
  ASSERT_EQ(fleet->size(), 1u);
  EXPECT_EQ((*fleet)[0].source, path + ":4:5");

  auto missing = loadFleetFile((dir / "nope.yaml").string());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot read the fleet file"), std::string::npos);
  auto directory = loadFleetFile(dir.string());
  ASSERT_FALSE(directory);
  EXPECT_NE(directory.error().message.find("it is a directory"), std::string::npos);
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace godwit
