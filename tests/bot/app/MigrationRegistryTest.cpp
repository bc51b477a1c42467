// The migration registry on real files in a temporary folder, and from a real bare registry
// repository (libgit2) over file://.
#include "bot/app/MigrationRegistry.h"

#include "bot/fleet/Campaign.h"
#include "tests/bot/GitFixture.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

namespace godwit {
namespace {

namespace fs = std::filesystem;
using bottest::BareRemote;
using bottest::TempDir;
using Names = std::vector<std::string>;

std::string migration(const std::string& name, const std::string& to = "acme-prod.core.users_v2") {
  return "apiVersion: godwit/v1\nkind: Migration\nname: " + name +
         "\ndatasets:\n  - kind: bigquery-table\n    from: acme-prod.core.users_v1\n    to: " + to +
         "\n";
}

// A migration whose dataset has no `to:` (line 5, column 5 is its entry).
const std::string kBroken = "apiVersion: godwit/v1\nkind: Migration\nname: broken\ndatasets:\n"
                            "  - kind: bigquery-table\n    from: acme-prod.core.users_v1\n";

class MigrationRegistryTest : public ::testing::Test {
protected:
  void write(const std::string& file, const std::string& text) {
    std::ofstream(tmp.path() / file, std::ios::binary) << text;
  }

  RegistryReload reload() {
    auto reloaded = registry.reload();
    if (!reloaded)
      throw std::runtime_error(reloaded.error().str());
    return std::move(reloaded).value();
  }

  Names active() const {
    Names names;
    for (const auto& [name, entry] : registry.snapshot()->migrations)
      names.push_back(name);
    return names;
  }

  std::string file(const std::string& name) const { return (tmp.path() / name).string(); }

  /// The `to` of the active migration `name`'s dataset; `<none>` when it is not active.
  std::string to(const std::string& name) const {
    const RegistryEntry* entry = registry.snapshot()->find(name);
    return entry && !entry->migration.datasets.empty() ? entry->migration.datasets[0].to : "<none>";
  }

  TempDir tmp;
  std::chrono::system_clock::time_point now{std::chrono::seconds(1'800'000'000)};
  MigrationRegistry registry{tmp.path(), [this] { return now; }};
};

TEST_F(MigrationRegistryTest, LoadsEachYamlFileOfTheFolderAsOneMigration) {
  write("users.yaml", migration("users-v2"));
  write("orders.yml", migration("orders-v3", "acme-prod.core.orders_v3"));
  write("README.md", "not a migration");
  write(".users.yaml.swp", "an editor's swap file");
  fs::create_directories(tmp.path() / "drafts");
  std::ofstream(tmp.path() / "drafts" / "draft.yaml") << migration("draft");

  const RegistryReload loaded = reload();
  EXPECT_EQ(loaded.added, (Names{"orders-v3", "users-v2"}));
  EXPECT_TRUE(loaded.changed.empty() && loaded.removed.empty() && loaded.errors.empty())
      << ::testing::PrintToString(reloadLines(loaded));
  EXPECT_EQ(active(), (Names{"orders-v3", "users-v2"}));

  const RegistryEntry* users = registry.snapshot()->find("users-v2");
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(users->file, file("users.yaml"));
  EXPECT_EQ(users->migration.path, file("users.yaml"));
  EXPECT_EQ(users->digest, migrationDigest(migration("users-v2")));
  EXPECT_EQ(users->loadedAt, now);
  ASSERT_EQ(users->migration.datasets.size(), 1u);
  EXPECT_EQ(users->migration.datasets[0].to, "acme-prod.core.users_v2");
}

TEST_F(MigrationRegistryTest, AReloadReportsWhatWasAddedChangedAndRemoved) {
  write("users.yaml", migration("users-v2"));
  write("orders.yaml", migration("orders-v3"));
  write("events.yaml", migration("events-v2"));
  (void)reload();
  const auto first = now;
  const auto before = registry.snapshot();

  now += std::chrono::minutes(5);
  write("users.yaml", migration("users-v2", "acme-prod.core.users_v3"));
  fs::remove(tmp.path() / "orders.yaml");
  write("payments.yaml", migration("payments-v2"));
  const RegistryReload second = reload();
  EXPECT_EQ(second.added, (Names{"payments-v2"}));
  EXPECT_EQ(second.changed, (Names{"users-v2"}));
  EXPECT_EQ(second.removed, (Names{"orders-v3"}));
  EXPECT_TRUE(second.errors.empty() && second.kept.empty());
  EXPECT_EQ(active(), (Names{"events-v2", "payments-v2", "users-v2"}));

  const auto after = registry.snapshot();
  EXPECT_EQ(to("users-v2"), "acme-prod.core.users_v3");
  ASSERT_TRUE(after->find("users-v2") && after->find("events-v2") && before->find("users-v2"));
  EXPECT_EQ(after->find("users-v2")->loadedAt, now);
  EXPECT_EQ(after->find("events-v2")->loadedAt, first) << "an unchanged file keeps its load time";
  // A snapshot taken before is immutable: it still has the old versions.
  EXPECT_EQ(before->find("users-v2")->migration.datasets[0].to, "acme-prod.core.users_v2");
  EXPECT_NE(before->find("orders-v3"), nullptr);

  const RegistryReload third = reload();
  EXPECT_TRUE(third.added.empty() && third.changed.empty() && third.removed.empty());
}

TEST_F(MigrationRegistryTest, AMigrationMovedToAnotherFileIsChanged) {
  write("a.yaml", migration("users-v2"));
  (void)reload();
  fs::rename(tmp.path() / "a.yaml", tmp.path() / "b.yaml");
  const RegistryReload moved = reload();
  EXPECT_EQ(moved.changed, (Names{"users-v2"}));
  EXPECT_TRUE(moved.added.empty() && moved.removed.empty());
  ASSERT_NE(registry.snapshot()->find("users-v2"), nullptr);
  EXPECT_EQ(registry.snapshot()->find("users-v2")->file, file("b.yaml"));
}

TEST_F(MigrationRegistryTest, ABadFileKeepsItsPreviousVersionAndTheOthersLoad) {
  write("users.yaml", migration("users-v2"));
  write("orders.yaml", migration("orders-v3"));
  (void)reload();

  write("users.yaml", kBroken);
  write("orders.yaml", migration("orders-v3", "acme-prod.core.orders_v4"));
  write("new.yaml", "name: [unclosed\n");
  const RegistryReload bad = reload();
  ASSERT_EQ(bad.errors.size(), 2u);
  EXPECT_EQ(bad.errors[0].file, file("new.yaml"));
  EXPECT_GT(bad.errors[0].line, 0);
  EXPECT_EQ(bad.errors[1].file, file("users.yaml"));
  EXPECT_EQ(bad.errors[1].line, 5);
  EXPECT_EQ(bad.errors[1].column, 5);
  EXPECT_NE(bad.errors[1].message.find("to"), std::string::npos) << bad.errors[1].message;
  EXPECT_EQ(bad.kept, (Names{"users-v2"}));
  EXPECT_EQ(bad.changed, (Names{"orders-v3"}));
  EXPECT_TRUE(bad.removed.empty() && bad.added.empty());

  EXPECT_EQ(active(), (Names{"orders-v3", "users-v2"}));
  EXPECT_EQ(to("users-v2"), "acme-prod.core.users_v2");

  const Names lines = reloadLines(bad);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "migration changed: orders-v3"), lines.end());
  const std::string where = file("users.yaml") + ":5:5: error: ";
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.starts_with(where);
  })) << ::testing::PrintToString(lines);
  for (const std::string& line : lines)
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;

  // Fixed, it loads again; removed, it is gone.
  write("users.yaml", migration("users-v2", "acme-prod.core.users_v5"));
  EXPECT_EQ(reload().changed, (Names{"users-v2"}));
  write("users.yaml", kBroken);
  (void)reload();
  fs::remove(tmp.path() / "users.yaml");
  EXPECT_EQ(reload().removed, (Names{"users-v2"}));
}

TEST_F(MigrationRegistryTest, TwoFilesWithOneNameAreAnErrorForBothNamingBoth) {
  write("users.yaml", migration("users-v2"));
  (void)reload();
  write("copy.yaml", migration("users-v2", "acme-prod.core.elsewhere"));
  const RegistryReload twice = reload();
  ASSERT_EQ(twice.errors.size(), 2u);
  EXPECT_EQ(twice.errors[0].file, file("copy.yaml"));
  EXPECT_EQ(twice.errors[0].line, 3);
  EXPECT_NE(twice.errors[0].message.find(file("users.yaml")), std::string::npos)
      << twice.errors[0].message;
  EXPECT_EQ(twice.errors[1].file, file("users.yaml"));
  EXPECT_NE(twice.errors[1].message.find(file("copy.yaml")), std::string::npos);
  // The version loaded before stays; neither file's new text is taken.
  EXPECT_EQ(twice.kept, (Names{"users-v2"}));
  EXPECT_EQ(to("users-v2"), "acme-prod.core.users_v2");

  // A name never loaded before that two files claim is not active at all.
  write("a.yaml", migration("orders-v3"));
  write("b.yaml", migration("orders-v3"));
  const RegistryReload fresh = reload();
  EXPECT_EQ(fresh.errors.size(), 4u);
  EXPECT_EQ(registry.snapshot()->find("orders-v3"), nullptr);
}

TEST_F(MigrationRegistryTest, AMissingFolderIsAnErrorAndKeepsTheSnapshot) {
  write("users.yaml", migration("users-v2"));
  (void)reload();
  const auto before = registry.snapshot();
  MigrationRegistry elsewhere(tmp.path() / "missing");
  auto missing = elsewhere.reload();
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().file, (tmp.path() / "missing").string());

  auto gone = registry.reloadFrom(tmp.path() / "missing");
  ASSERT_FALSE(gone);
  EXPECT_EQ(registry.snapshot(), before);
  auto notAFolder = registry.reloadFrom(tmp.path() / "users.yaml");
  ASSERT_FALSE(notAFolder);
  EXPECT_EQ(registry.snapshot(), before);
}

TEST_F(MigrationRegistryTest, SnapshotsAreReadWhileReloadsRun) {
  write("users.yaml", migration("users-v2"));
  (void)reload();
  std::atomic<bool> done{false};
  std::atomic<size_t> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r)
    readers.emplace_back([&] {
      while (!done) {
        const auto snapshot = registry.snapshot();
        // Every published snapshot has users-v2, whole.
        const RegistryEntry* users = snapshot->find("users-v2");
        if (!users || users->migration.name != "users-v2" || users->migration.datasets.empty())
          ADD_FAILURE() << "a snapshot without users-v2";
        reads++;
      }
    });
  std::thread writer([&] {
    for (int i = 0; i < 40; ++i) {
      write("users.yaml", migration("users-v2", "acme-prod.core.users_v" + std::to_string(i)));
      write("extra.yaml", i % 2 ? migration("extra") : kBroken);
      (void)registry.reload();
    }
  });
  // A second writer: reloads are serialized, each sees the one before.
  std::thread second([&] {
    for (int i = 0; i < 40; ++i)
      (void)registry.reloadFrom(tmp.path());
  });
  writer.join();
  second.join();
  done = true;
  for (auto& t : readers)
    t.join();
  EXPECT_GT(reads.load(), 0u);
  write("users.yaml", migration("users-v2", "acme-prod.core.final"));
  (void)reload();
  EXPECT_EQ(to("users-v2"), "acme-prod.core.final");
}

TEST(RegistryRepositoryTest, ParsesOwnerNameAndTheSubfolder) {
  auto plain = parseRegistryRepository("acme/migrations");
  ASSERT_TRUE(plain) << plain.error().str();
  EXPECT_EQ(plain->fullName, "acme/migrations");
  EXPECT_EQ(plain->subdir, "migrations");
  auto sub = parseRegistryRepository("acme/data-platform:registry/active/");
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->subdir, "registry/active");
  auto root = parseRegistryRepository("acme/migrations:");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->subdir, "");
  for (const char* bad :
       {"acme", "/migrations", "acme/", "a/b/c", "acme/m:/etc", "acme/m:../x", "acme/m:a/../../x"})
    EXPECT_FALSE(parseRegistryRepository(bad)) << bad;
}

class RegistryFromRepositoryTest : public ::testing::Test {
protected:
  Repository repository() const {
    Repository repo;
    repo.id = 7;
    repo.fullName = "acme/registry";
    repo.defaultBranch = "main";
    repo.cloneUrl = remote.url();
    return repo;
  }
  WorkspaceOptions options() const {
    WorkspaceOptions opts;
    opts.cacheDir = tmp.path() / "cache";
    return opts;
  }
  RegistryReload load(const std::string& sha = {}) {
    auto loaded = reloadFromRepository(registry, repository(), options(), "migrations", sha);
    if (!loaded)
      throw std::runtime_error(loaded.error().str());
    return std::move(loaded).value();
  }

  TempDir tmp;
  BareRemote remote{tmp.path() / "remote" / "acme" / "registry.git"};
  MigrationRegistry registry;
  std::map<std::string, std::string> files{{"README.md", "# the migration registry\n"}};
};

TEST_F(RegistryFromRepositoryTest, APushOfANewFileAddsItsMigrationAndABadOneKeepsTheOld) {
  files["migrations/users.yaml"] = migration("users-v2");
  const std::string first = remote.commit("main", files);
  const RegistryReload one = load();
  EXPECT_EQ(one.commit, first);
  EXPECT_EQ(one.added, (Names{"users-v2"}));
  ASSERT_NE(registry.snapshot()->find("users-v2"), nullptr);
  EXPECT_EQ(registry.snapshot()->find("users-v2")->file, "acme/registry:migrations/users.yaml");

  files["migrations/orders.yaml"] = migration("orders-v3");
  const std::string second = remote.commit("main", files);
  const RegistryReload two = load(second);
  EXPECT_EQ(two.commit, second);
  EXPECT_EQ(two.added, (Names{"orders-v3"}));
  EXPECT_TRUE(two.errors.empty() && two.changed.empty() && two.removed.empty());

  files["migrations/orders.yaml"] = kBroken;
  const RegistryReload three = load(remote.commit("main", files));
  ASSERT_EQ(three.errors.size(), 1u);
  EXPECT_EQ(three.errors[0].str().substr(0, 49),
            "acme/registry:migrations/orders.yaml:5:5: error: ");
  EXPECT_EQ(three.kept, (Names{"orders-v3"}));
  const auto snapshot = registry.snapshot();
  ASSERT_NE(snapshot->find("orders-v3"), nullptr);
  EXPECT_EQ(snapshot->find("orders-v3")->migration.name, "orders-v3");
  EXPECT_NE(snapshot->find("users-v2"), nullptr);

  // An older commit can be loaded again by its id: the registry follows what it is given.
  EXPECT_EQ(load(first).removed, (Names{"orders-v3"}));
}

TEST_F(RegistryFromRepositoryTest, AMissingFolderOrCommitChangesNothing) {
  files["migrations/users.yaml"] = migration("users-v2");
  remote.commit("main", files);
  (void)load();
  const auto before = registry.snapshot();

  files.erase("migrations/users.yaml");
  remote.commit("main", files);
  auto noFolder = reloadFromRepository(registry, repository(), options(), "migrations");
  ASSERT_FALSE(noFolder);
  EXPECT_EQ(noFolder.error().file, "acme/registry:migrations/");
  EXPECT_EQ(registry.snapshot(), before);

  auto noCommit = reloadFromRepository(registry, repository(), options(), "migrations",
                                       "0123456789abcdef0123456789abcdef01234567");
  ASSERT_FALSE(noCommit);
  EXPECT_EQ(registry.snapshot(), before);
}

} // namespace
} // namespace godwit
