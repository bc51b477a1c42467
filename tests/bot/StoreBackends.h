#pragma once
// The backends every store test runs against, as one parametrized suite (TEST_P over
// storeBackends()): SQLite in a temporary file, PostgreSQL in a fresh database of the test server
// (tests/support/PostgresServer.h). A test reaches its database through BackendDb, with raw SQL
// as another tool (or an attacker) would.

#include "bot/store/Store.h"

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace godwit::storetest {

/// One test's database in one backend; removed with the object.
class BackendDb {
public:
  virtual ~BackendDb() = default;
  /// Where the store is, as openStore() takes it.
  virtual std::string location() const = 0;
  /// How many schema steps the backend's store has.
  virtual size_t schemaSteps() const = 0;
  /// Opens a store on the database with the default schema steps.
  virtual Expected<std::unique_ptr<Store>> open() = 0;
  /// Opens a store on the database with other schema steps.
  virtual Expected<std::unique_ptr<Store>> open(const std::vector<std::string>& migrations) = 0;
  /// Runs raw SQL; false when the database refuses it.
  virtual bool exec(const std::string& sql) = 0;
  /// The first column of the first row of `sql` as text, empty when there is none.
  virtual std::string scalar(const std::string& sql) = 0;
  /// Whether the database has a table `name`.
  virtual bool hasTable(const std::string& name) = 0;
};

/// A backend: its name (the test name's suffix) and how to make a fresh database in it.
struct Backend {
  const char* name;
  std::unique_ptr<BackendDb> (*make)();
};

/// SQLite and PostgreSQL.
const std::vector<Backend>& storeBackends();

/// The fixture of the parametrized store suites: a fresh database per test.
class StoreSuite : public ::testing::TestWithParam<Backend> {
protected:
  std::unique_ptr<BackendDb> db = GetParam().make();

  /// A store on the test's database; throws (failing the test) when it cannot be opened.
  std::unique_ptr<Store> open();
};

/// Prints a backend as its name (in test names and failures).
void PrintTo(const Backend& backend, std::ostream* out);

/// Names parametrized tests after their backend (`…/sqlite`, `…/postgres`).
std::string backendName(const ::testing::TestParamInfo<Backend>& info);

} // namespace godwit::storetest
