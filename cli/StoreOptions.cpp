#include "cli/StoreOptions.h"

#include "bot/store/SqliteStore.h"

namespace godwit {

void addStoreOptions(CLI::App& cmd, StoreFlags& flags) {
  cmd.add_option("--store", flags.store,
                 "The store: a SQLite file (default: " + defaultStorePath().string() +
                     ") or a PostgreSQL URL, postgres://USER@HOST:PORT/DATABASE");
  cmd.add_option("--store-password-file", flags.passwordFile,
                 "File holding the PostgreSQL password (else PGPASSWORD, ~/.pgpass or the URL's "
                 "passfile=)");
}

} // namespace godwit
