#include "cli/runner/RunnerCli.h"

int main(int argc, char** argv) {
  return godwit::runRunnerCli(argc, argv);
}
