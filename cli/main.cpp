#include "cli/Cli.h"

int main(int argc, char** argv) { return godwit::runCli(argc, argv); }
