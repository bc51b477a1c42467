#include "tests/support/PostgresServer.h"

#include <libpq-fe.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace godwit::test {
namespace {

namespace fs = std::filesystem;

const char* kBin = "/usr/lib/postgresql/15/bin";

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The user PostgreSQL runs as: `postgres` when we are root, else ourselves.
struct RunAs {
  bool switchUser = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

RunAs runAs() {
  RunAs r;
  if (geteuid() != 0)
    return r;
  const passwd* pw = getpwnam("postgres");
  if (!pw)
    throw std::runtime_error("PostgreSQL refuses to run as root and there is no `postgres` user: "
                             "install postgresql-15 (scripts/install-deps)");
  r.switchUser = true;
  r.uid = pw->pw_uid;
  r.gid = pw->pw_gid;
  return r;
}

// Runs `argv` (as the server's user) in `cwd` with its output appended to `log`; returns the exit
// status. No descriptor of ours reaches the child: a server that kept ctest's pipe open would make
// ctest wait for it.
int run(std::vector<std::string> argv, const fs::path& cwd, const fs::path& log) {
  if (runAs().switchUser)
    argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  std::vector<char*> args;
  for (std::string& a : argv)
    args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0 ||
        chdir(cwd.c_str()) != 0)
      _exit(127);
    close_range(3, ~0U, 0);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0)
      close(fd);
    throw std::runtime_error("cannot find a free port on 127.0.0.1");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::string conninfo(int port, const std::string& database) {
  return "host=127.0.0.1 port=" + std::to_string(port) + " dbname='" + database +
         "' user=" + PostgresServer::kUser + " password=" + PostgresServer::kPassword +
         " connect_timeout=10";
}

// Runs `sql` as the superuser; `value` gets the first column of the first row, if any.
bool query(int port, const std::string& database, const std::string& sql, std::string& value,
           std::string* error) {
  PGconn* c = PQconnectdb(conninfo(port, database).c_str());
  bool ok = false;
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult* r = PQexec(c, sql.c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (ok && PQntuples(r) > 0 && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0))
      value = PQgetvalue(r, 0, 0);
    PQclear(r);
  }
  if (!ok && error)
    *error = PQerrorMessage(c);
  PQfinish(c);
  return ok;
}

} // namespace

PostgresServer::PostgresServer(std::string dir, int port, bool owned)
    : dir_(std::move(dir)), port_(port), owned_(owned) {}

PostgresServer::~PostgresServer() {
  if (owned_)
    stop();
}

std::unique_ptr<PostgresServer> PostgresServer::start() {
  const RunAs user = runAs();
  std::string templ = (fs::temp_directory_path() / "godwit-pg-XXXXXX").string();
  if (!mkdtemp(templ.data()))
    throw std::runtime_error("mkdtemp failed");
  const fs::path dir = templ;
  std::unique_ptr<PostgresServer> server(new PostgresServer(dir.string(), 0, true));
  const fs::path log = dir / "setup.log";
  { std::ofstream(dir / "pwfile") << kPassword << "\n"; }
  if (user.switchUser) {
    for (const fs::path& p : {dir, dir / "pwfile"})
      if (chown(p.c_str(), user.uid, user.gid) != 0)
        throw std::runtime_error("cannot give " + p.string() + " to the postgres user");
  }
  // Durability is not what these tests are about: no fsync keeps initdb and every commit fast.
  if (run({std::string(kBin) + "/initdb", "-D", (dir / "data").string(), "-U", kUser,
           "--pwfile=" + (dir / "pwfile").string(), "--auth-local=trust",
           "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"},
          dir, log) != 0)
    throw std::runtime_error("initdb failed:\n" + slurp(log));
  // Another process may take the free port before postgres binds it: try a few.
  for (int attempt = 0;; ++attempt) {
    const int port = freePort();
    const std::string options = "-p " + std::to_string(port) + " -k " + dir.string() +
                                " -c listen_addresses=127.0.0.1 -c fsync=off"
                                " -c synchronous_commit=off -c full_page_writes=off";
    if (run({std::string(kBin) + "/pg_ctl", "-D", (dir / "data").string(), "-l",
             (dir / "server.log").string(), "-w", "-t", "60", "-o", options, "start"},
            dir, log) == 0) {
      server->port_ = port;
      break;
    }
    if (attempt == 2)
      throw std::runtime_error("PostgreSQL did not start:\n" + slurp(log) + "\nserver log:\n" +
                               slurp(dir / "server.log"));
  }
  // Ready for pg_ctl means the socket answers; wait for TCP and password logins too.
  for (int i = 0;; ++i) {
    PGconn* c = PQconnectdb(conninfo(server->port_, "postgres").c_str());
    const bool ok = PQstatus(c) == CONNECTION_OK;
    const std::string message = PQerrorMessage(c);
    PQfinish(c);
    if (ok)
      break;
    if (i == 100)
      throw std::runtime_error("PostgreSQL does not accept connections on 127.0.0.1:" +
                               std::to_string(server->port_) + ": " + message);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return server;
}

std::unique_ptr<PostgresServer> PostgresServer::attach(const std::string& info) {
  std::ifstream in(info);
  std::string dir;
  int port = 0;
  if (!(in >> dir >> port))
    throw std::runtime_error("no PostgreSQL test server described in " + info +
                             " (the ctest fixture postgres.start writes it)");
  return std::unique_ptr<PostgresServer>(new PostgresServer(dir, port, false));
}

PostgresServer& PostgresServer::shared() {
  static std::unique_ptr<PostgresServer> server = [] {
    const char* info = std::getenv("GODWIT_TEST_POSTGRES");
    return info && *info ? attach(info) : start();
  }();
  return *server;
}

void PostgresServer::writeInfo(const std::string& info) const {
  std::ofstream(info) << dir_ << " " << port_ << "\n";
}

void PostgresServer::stop() {
  std::error_code ec;
  if (fs::exists(fs::path(dir_) / "data" / "postmaster.pid", ec))
    run({std::string(kBin) + "/pg_ctl", "-D", (fs::path(dir_) / "data").string(), "-m", "fast",
         "-w", "stop"},
        dir_, fs::path(dir_) / "setup.log");
  fs::remove_all(dir_, ec);
  owned_ = false;
}

std::string PostgresServer::url(const std::string& database, const std::string& password) const {
  return std::string("postgres://") + kUser + (password.empty() ? "" : ":" + password) +
         "@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::createDatabase() {
  static std::atomic<int> counter{0};
  static const unsigned salt = std::random_device{}();
  const std::string name = "godwit_test_" + std::to_string(getpid()) + "_" +
                           std::to_string(salt % 100000) + "_" + std::to_string(++counter);
  std::string error;
  if (!exec("postgres", "CREATE DATABASE " + name, &error))
    throw std::runtime_error("cannot create database " + name + ": " + error);
  return name;
}

void PostgresServer::dropDatabase(const std::string& database) {
  exec("postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
}

bool PostgresServer::exec(const std::string& database, const std::string& sql, std::string* error) {
  std::string value;
  return query(port_, database, sql, value, error);
}

std::string PostgresServer::scalar(const std::string& database, const std::string& sql) {
  std::string value, error;
  if (!query(port_, database, sql, value, &error))
    throw std::runtime_error("`" + sql + "` in " + database + ": " + error);
  return value;
}

} // namespace godwit::test
