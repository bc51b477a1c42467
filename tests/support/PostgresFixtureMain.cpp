// `godwit-test-postgres start|stop INFO`: the ctest fixture that starts one PostgreSQL server for
// every test that needs one (FIXTURES_SETUP) and stops it after them (FIXTURES_CLEANUP). INFO
// is the file that tells the tests where it runs (GODWIT_TEST_POSTGRES).
#include "tests/support/PostgresServer.h"

#include <filesystem>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  using godwit::test::PostgresServer;
  const std::string command = argc == 3 ? argv[1] : "";
  if (command != "start" && command != "stop") {
    std::cerr << "usage: godwit-test-postgres start|stop INFO\n";
    return 2;
  }
  const std::string info = argv[2];
  try {
    // A server an interrupted run left behind is stopped first.
    if (std::filesystem::exists(info)) {
      PostgresServer::attach(info)->stop();
      std::filesystem::remove(info);
    }
    if (command == "start") {
      auto server = PostgresServer::start();
      server->writeInfo(info);
      std::cout << "PostgreSQL for the tests on 127.0.0.1:" << server->port() << "\n";
      server->detach(); // It keeps running for the tests; `stop` ends it.
    }
  } catch (const std::exception& e) {
    std::cerr << "godwit-test-postgres: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
