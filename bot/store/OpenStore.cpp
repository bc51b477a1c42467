#include "bot/store/OpenStore.h"

#include "bot/store/PostgresStore.h"
#include "bot/store/SqliteStore.h"

#include <fstream>

namespace godwit {
namespace {

// The password of `--store-password-file`: the file's first line. Its text never reaches a
// message.
Expected<std::string> readPassword(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return makeError("cannot read the store password file " + file,
                     "check --store-password-file and the file's permissions");
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  if (line.empty())
    return makeError("the store password file " + file + " is empty",
                     "write the password on its first line");
  return line;
}

} // namespace

Expected<std::unique_ptr<Store>> openStore(const std::string& store, const StoreOptions& options) {
  if (isPostgresUrl(store)) {
    PostgresOptions pg;
    if (!options.passwordFile.empty()) {
      Expected<std::string> password = readPassword(options.passwordFile);
      if (!password)
        return password.error();
      pg.password = std::move(*password);
    }
    auto opened = PostgresStore::open(store, pg);
    if (!opened)
      return opened.error();
    return std::unique_ptr<Store>(std::move(*opened));
  }
  auto opened =
      SqliteStore::open(store.empty() ? defaultStorePath() : std::filesystem::path(store));
  if (!opened)
    return opened.error();
  return std::unique_ptr<Store>(std::move(*opened));
}

} // namespace godwit
