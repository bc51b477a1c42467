#pragma once
// The store flags every bot command takes (`godwit pr` and each `godwit-runner` command).

#include <CLI/CLI.hpp>

#include <string>

namespace godwit {

/// Where the store is (bot/store/OpenStore.h).
struct StoreFlags {
  std::string store; ///< --store: a SQLite file or a postgres:// URL; empty: the default file.
  std::string passwordFile; ///< --store-password-file: the PostgreSQL password, one line.
};

/// Adds --store and --store-password-file to `cmd`.
void addStoreOptions(CLI::App& cmd, StoreFlags& flags);

} // namespace godwit
