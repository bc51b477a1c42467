#pragma once
// A real PostgreSQL server for tests (Debian's postgresql-15): initdb into a fresh temporary
// folder, postgres on a free port of 127.0.0.1 with its unix socket in that folder, run as the
// `postgres` system user when the tests run as root (PostgreSQL refuses root). Connections over
// TCP need the superuser's password (scram-sha-256), so password handling is tested for real.

#include <memory>
#include <string>

namespace godwit::test {

/// One server. A started server is stopped and its folder removed by the destructor; an attached
/// one (the ctest fixture's) is left running.
class PostgresServer {
public:
  /// The superuser's name and password.
  static constexpr const char* kUser = "postgres";
  static constexpr const char* kPassword = "godwit-test-superuser";

  /// Starts a server and waits until it accepts connections. Throws std::runtime_error with the
  /// server's log when it cannot.
  static std::unique_ptr<PostgresServer> start();

  /// The server the ctest fixture started: the one `info` describes (written by writeInfo).
  static std::unique_ptr<PostgresServer> attach(const std::string& info);

  /// The server of this test process: the fixture's when GODWIT_TEST_POSTGRES names its info
  /// file, else one started on first use and stopped when the process exits.
  static PostgresServer& shared();

  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  /// Records where the server is, for attach().
  void writeInfo(const std::string& info) const;
  /// Stops the server (fast shutdown) and removes its folder.
  void stop();
  /// Leaves the server running when this object goes (the fixture's `start`).
  void detach() { owned_ = false; }

  int port() const { return port_; }
  /// `postgres://postgres:PASSWORD@127.0.0.1:PORT/database`; `password` empty leaves it out.
  std::string url(const std::string& database, const std::string& password = kPassword) const;

  /// Creates a database with a name no other test uses and returns the name.
  std::string createDatabase();
  /// Drops `database`, closing its connections.
  void dropDatabase(const std::string& database);

  /// Runs `sql` in `database` as the superuser; false (and the server's message in `error`)
  /// when it is refused.
  bool exec(const std::string& database, const std::string& sql, std::string* error = nullptr);
  /// The first column of the first row of `sql` as text; empty when there is none. Throws when
  /// the statement is refused.
  std::string scalar(const std::string& database, const std::string& sql);

private:
  PostgresServer(std::string dir, int port, bool owned);

  std::string dir_; ///< The temporary folder: data/, the socket, the logs.
  int port_ = 0;
  bool owned_ = false;
};

} // namespace godwit::test
