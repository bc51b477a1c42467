// godwit-contract-server REPOS.tsv URL_FILE: the GitHub contract server as a process, for the
// fleet benchmark (bench/fleet-run). Serves the repositories of REPOS.tsv (`owner/name<TAB>clone
// URL` per line), writes its URL to URL_FILE once it listens, and runs until SIGTERM or SIGINT;
// then prints how many requests it answered and every contract violation (exit 1 if any).
#include "tests/support/GitHubContractServer.h"

#include <csignal>
#include <fstream>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: godwit-contract-server REPOS.tsv URL_FILE\n";
    return 2;
  }
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr); // the server's threads inherit the mask
  const char* token = std::getenv("GITHUB_TOKEN");
  godwit::test::GitHubContractServer server(token && *token ? token : "ghp_contract_test_token");
  std::ifstream repos(argv[1]);
  std::string line;
  size_t count = 0;
  while (std::getline(repos, line)) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos)
      continue;
    server.addRepository({line.substr(0, tab), "main", line.substr(tab + 1)});
    ++count;
  }
  if (count == 0) {
    std::cerr << argv[1] << ": error: no repositories\n";
    return 2;
  }
  {
    const std::string tmp = std::string(argv[2]) + ".tmp";
    std::ofstream(tmp) << server.url() << "\n";
    std::rename(tmp.c_str(), argv[2]);
  }
  int signal = 0;
  sigwait(&stop, &signal);
  const auto violations = server.violations();
  std::cout << "godwit-contract-server: " << server.requests().size() << " requests, "
            << violations.size() << " violations\n";
  for (const std::string& v : violations)
    std::cout << "  " << v << "\n";
  return violations.empty() ? 0 : 1;
}
