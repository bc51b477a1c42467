#include "StoreBackends.h"

#include "GitFixture.h"
#include "bot/store/PostgresStore.h"
#include "bot/store/SqliteStore.h"
#include "tests/support/PostgresServer.h"

#include <sqlite3.h>

namespace godwit::storetest {
namespace {

class SqliteDb final : public BackendDb {
public:
  std::string location() const override { return file_.string(); }
  size_t schemaSteps() const override { return SqliteStore::schemaMigrations().size(); }
  Expected<std::unique_ptr<Store>> open() override { return open(SqliteStore::schemaMigrations()); }
  Expected<std::unique_ptr<Store>> open(const std::vector<std::string>& migrations) override {
    auto store = SqliteStore::open(file_, migrations);
    if (!store)
      return store.error();
    return std::unique_ptr<Store>(std::move(*store));
  }
  bool exec(const std::string& sql) override {
    return withDb([&](sqlite3* db) {
      return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
    });
  }
  std::string scalar(const std::string& sql) override {
    return withDb([&](sqlite3* db) {
      sqlite3_stmt* s = nullptr;
      std::string out;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
        throw std::runtime_error("`" + sql + "`: " + sqlite3_errmsg(db));
      if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
      sqlite3_finalize(s);
      return out;
    });
  }
  bool hasTable(const std::string& name) override {
    return scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" + name +
                  "'") == "1";
  }

private:
  template <class F> auto withDb(F&& f) -> decltype(f(nullptr)) {
    sqlite3* db = nullptr;
    if (sqlite3_open(file_.c_str(), &db) != SQLITE_OK) {
      sqlite3_close(db);
      throw std::runtime_error("cannot open " + file_.string());
    }
    struct Close {
      sqlite3* db;
      ~Close() { sqlite3_close(db); }
    } close{db};
    return f(db);
  }

  bottest::TempDir tmp_;
  std::filesystem::path file_ = tmp_.path() / "state" / "godwit.db";
};

class PostgresDb final : public BackendDb {
public:
  PostgresDb() : server_(test::PostgresServer::shared()), name_(server_.createDatabase()) {}
  ~PostgresDb() override { server_.dropDatabase(name_); }
  std::string location() const override { return server_.url(name_); }
  size_t schemaSteps() const override { return PostgresStore::schemaMigrations().size(); }
  Expected<std::unique_ptr<Store>> open() override {
    return open(PostgresStore::schemaMigrations());
  }
  Expected<std::unique_ptr<Store>> open(const std::vector<std::string>& migrations) override {
    auto store = PostgresStore::open(location(), {}, migrations);
    if (!store)
      return store.error();
    return std::unique_ptr<Store>(std::move(*store));
  }
  bool exec(const std::string& sql) override { return server_.exec(name_, sql); }
  std::string scalar(const std::string& sql) override { return server_.scalar(name_, sql); }
  bool hasTable(const std::string& name) override {
    return scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                  "current_schema() AND table_name = '" +
                  name + "'") == "1";
  }

private:
  test::PostgresServer& server_;
  std::string name_;
};

} // namespace

const std::vector<Backend>& storeBackends() {
  static const std::vector<Backend> backends = {
      {"sqlite", []() -> std::unique_ptr<BackendDb> { return std::make_unique<SqliteDb>(); }},
      {"postgres", []() -> std::unique_ptr<BackendDb> { return std::make_unique<PostgresDb>(); }},
  };
  return backends;
}

std::unique_ptr<Store> StoreSuite::open() {
  auto store = db->open();
  if (!store)
    throw std::runtime_error(store.error().str());
  return std::move(*store);
}

void PrintTo(const Backend& backend, std::ostream* out) {
  *out << backend.name;
}

std::string backendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

} // namespace godwit::storetest
