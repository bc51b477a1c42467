#pragma once
// The one way commands open a store: a PostgreSQL URL selects PostgresStore, anything else is a
// SQLite file (SqliteStore).

#include "bot/store/Store.h"

#include <memory>
#include <string>

namespace godwit {

/// How to open the store besides where it is.
struct StoreOptions {
  /// A file holding the PostgreSQL password (`--store-password-file`; one line). Ignored for
  /// SQLite.
  std::string passwordFile;
};

/// Opens the store `store` names: `postgres://…` or `postgresql://…` is a PostgreSQL database;
/// any other text is a SQLite file (empty: defaultStorePath(); `:memory:` a private one).
Expected<std::unique_ptr<Store>> openStore(const std::string& store,
                                           const StoreOptions& options = {});

} // namespace godwit
