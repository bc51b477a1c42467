#include "cli/app/AppCli.h"

int main(int argc, char** argv) {
  return godwit::runAppCli(argc, argv);
}
