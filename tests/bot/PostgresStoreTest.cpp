// What only PostgresStore has: a URL, a password (PGPASSWORD, a passfile, --store-password-file)
// that no error shows, and openStore() choosing the backend. The Store's behaviour itself is
// tested on both backends by StoreTest and CampaignStoreTest.
#include "bot/store/PostgresStore.h"
#include "GitFixture.h"
#include "bot/store/OpenStore.h"
#include "bot/store/SqliteStore.h"
#include "tests/support/PostgresServer.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <optional>

namespace godwit {
namespace {

using bottest::TempDir;
using test::PostgresServer;

// Sets an environment variable for one scope.
class ScopedEnv {
public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name))
      old_ = old;
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(StoreUrl, PostgresUrlsAreTheTwoSchemes) {
  EXPECT_TRUE(isPostgresUrl("postgres://db/fleet"));
  EXPECT_TRUE(isPostgresUrl("postgresql://godwit@db:5432/fleet"));
  EXPECT_FALSE(isPostgresUrl("state/godwit.db"));
  EXPECT_FALSE(isPostgresUrl("postgres.db"));
  EXPECT_FALSE(isPostgresUrl("mysql://db/fleet"));
  EXPECT_FALSE(isPostgresUrl(""));
}

TEST(StoreUrl, RedactionRemovesEveryPassword) {
  EXPECT_EQ(redactStoreUrl("postgres://godwit:s3cret@db.example:5432/fleet"),
            "postgres://godwit@db.example:5432/fleet");
  EXPECT_EQ(redactStoreUrl("postgresql://godwit:p%40ss@db/fleet?sslmode=require&password=other"
                           "&connect_timeout=5"),
            "postgresql://godwit@db/fleet?sslmode=require&connect_timeout=5");
  EXPECT_EQ(redactStoreUrl("postgres://db/fleet?password=x"), "postgres://db/fleet");
  EXPECT_EQ(redactStoreUrl("postgres://db/fleet?pass%77ord=x&a=b"), "postgres://db/fleet?a=b");
  EXPECT_EQ(redactStoreUrl("postgres://u:a:b@c@db/fleet"), "postgres://u@db/fleet")
      << "a password holding `:` and `@`";
  EXPECT_EQ(redactStoreUrl("postgres://u:pa?ss/w@db/fleet?sslmode=disable"),
            "postgres://u@db/fleet?sslmode=disable")
      << "a password holding `?` and `/` unencoded";
  EXPECT_EQ(redactStoreUrl("postgres://godwit@db:5432/fleet"), "postgres://godwit@db:5432/fleet");
  EXPECT_EQ(redactStoreUrl("postgres://db:5432"), "postgres://db:5432");
}

class PostgresStoreTest : public ::testing::Test {
protected:
  PostgresServer& server = PostgresServer::shared();
  std::string database = server.createDatabase();
  TempDir tmp;
  // No password from the machine's own ~/.pgpass: each test says where it comes from.
  ScopedEnv noPassfile{"PGPASSFILE", "/nonexistent/pgpass"};
  ScopedEnv noPassword{"PGPASSWORD", nullptr};

  ~PostgresStoreTest() override { server.dropDatabase(database); }

  std::string urlWithoutPassword() const { return server.url(database, ""); }

  std::string write(const std::string& name, const std::string& text) {
    const auto file = tmp.path() / name;
    std::ofstream(file) << text;
    chmod(file.c_str(), 0600); // libpq ignores a passfile others can read
    return file.string();
  }

  static void expectNoSecret(const Error& e, const std::string& secret) {
    EXPECT_EQ(e.str().find(secret), std::string::npos) << e.str();
  }
};

TEST_F(PostgresStoreTest, AWrongPasswordIsAnErrorThatNeverShowsIt) {
  const std::string secret = "wrong-Zq81-secret";
  auto store = PostgresStore::open(server.url(database, secret));
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("password authentication failed"), std::string::npos)
      << store.error().str();
  EXPECT_NE(store.error().message.find(urlWithoutPassword()), std::string::npos)
      << "the URL is shown without its password: " << store.error().str();
  EXPECT_FALSE(store.error().hint.empty());
  expectNoSecret(store.error(), secret);

  auto inQuery = PostgresStore::open(urlWithoutPassword() + "?password=" + secret);
  ASSERT_FALSE(inQuery);
  expectNoSecret(inQuery.error(), secret);

  auto given = PostgresStore::open(urlWithoutPassword(), PostgresOptions{secret});
  ASSERT_FALSE(given);
  expectNoSecret(given.error(), secret);
}

TEST_F(PostgresStoreTest, WithoutAPasswordTheServerRefuses) {
  auto store = PostgresStore::open(urlWithoutPassword());
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("cannot connect"), std::string::npos) << store.error().str();
}

TEST_F(PostgresStoreTest, PasswordFromPGPASSWORD) {
  ScopedEnv password("PGPASSWORD", PostgresServer::kPassword);
  auto store = PostgresStore::open(urlWithoutPassword());
  ASSERT_TRUE(store) << store.error().str();
  EXPECT_EQ(*(*store)->schemaVersion(), static_cast<int>(PostgresStore::schemaMigrations().size()));
}

TEST_F(PostgresStoreTest, PasswordFromAPassfileInTheUrl) {
  const std::string passfile =
      write("pgpass", "127.0.0.1:" + std::to_string(server.port()) +
                          ":*:postgres:" + PostgresServer::kPassword + "\n");
  auto store = PostgresStore::open(urlWithoutPassword() + "?passfile=" + passfile);
  ASSERT_TRUE(store) << store.error().str();
}

TEST_F(PostgresStoreTest, PasswordFromAFileGivenToOpenStore) {
  auto store = openStore(urlWithoutPassword(),
                         {write("password", std::string(PostgresServer::kPassword) + "\n")});
  ASSERT_TRUE(store) << store.error().str();
  EXPECT_NE(dynamic_cast<PostgresStore*>(store->get()), nullptr);

  const std::string secret = "file-secret-77x";
  auto wrong = openStore(urlWithoutPassword(), {write("wrong", secret + "\n")});
  ASSERT_FALSE(wrong);
  expectNoSecret(wrong.error(), secret);

  auto missing = openStore(urlWithoutPassword(), {(tmp.path() / "absent").string()});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("absent"), std::string::npos) << missing.error().str();
  EXPECT_FALSE(openStore(urlWithoutPassword(), {write("empty", "\n")}));
}

TEST_F(PostgresStoreTest, BadUrlsAndUnreachableServersAreClearErrors) {
  const std::string secret = "url-secret-41k";
  auto badPort = PostgresStore::open("postgres://postgres:" + secret + "@127.0.0.1:notaport/x");
  ASSERT_FALSE(badPort);
  EXPECT_NE(badPort.error().message.find("postgres://postgres@127.0.0.1:notaport/x"),
            std::string::npos)
      << badPort.error().str();
  expectNoSecret(badPort.error(), secret);

  auto badOption = PostgresStore::open("postgres://postgres:" + secret + "@127.0.0.1/x?bogus=1");
  ASSERT_FALSE(badOption);
  expectNoSecret(badOption.error(), secret);

  // Nothing listens on port 1 of the loopback: the connection is refused at once.
  auto unreachable = PostgresStore::open("postgresql://postgres:" + secret + "@127.0.0.1:1/x");
  ASSERT_FALSE(unreachable);
  EXPECT_NE(unreachable.error().message.find("cannot connect"), std::string::npos)
      << unreachable.error().str();
  EXPECT_FALSE(unreachable.error().hint.empty());
  expectNoSecret(unreachable.error(), secret);

  EXPECT_FALSE(PostgresStore::open("state.db")) << "not a URL";
}

TEST_F(PostgresStoreTest, OpenStoreChoosesTheBackendByTheLocation) {
  auto pg = openStore("postgresql" + server.url(database).substr(std::string("postgres").size()));
  ASSERT_TRUE(pg) << pg.error().str();
  EXPECT_NE(dynamic_cast<PostgresStore*>(pg->get()), nullptr) << "postgresql:// as well";
  auto sqlite = openStore((tmp.path() / "state.db").string());
  ASSERT_TRUE(sqlite) << sqlite.error().str();
  EXPECT_NE(dynamic_cast<SqliteStore*>(sqlite->get()), nullptr);
  EXPECT_TRUE(std::filesystem::exists(tmp.path() / "state.db"));
}

TEST_F(PostgresStoreTest, TheEventLogRefusesTruncation) {
  auto store = PostgresStore::open(server.url(database));
  ASSERT_TRUE(store) << store.error().str();
  EventRecord e;
  e.kind = "push";
  ASSERT_TRUE((*store)->appendEvent(e));
  std::string error;
  EXPECT_FALSE(server.exec(database, "TRUNCATE events", &error));
  EXPECT_NE(error.find("append-only"), std::string::npos) << error;
  EXPECT_EQ(server.scalar(database, "SELECT count(*) FROM events"), "1");
}

} // namespace
} // namespace godwit
