#pragma once
// Inside bot_store_pg only: PostgresStore's connection, shared with WorkQueue, and how what
// libpqxx throws becomes an Error that shows no password.

#include "bot/github/Auth.h"
#include "bot/store/PostgresStore.h"

#include <pqxx/pqxx>

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace godwit {
namespace pgdetail {

/// `text` without its trailing newlines and spaces (libpq ends messages with one).
inline std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

/// Inserts or replaces `repo` in `tx` (PostgresStore::saveCampaignRepo's statement).
void writeCampaignRepo(pqxx::transaction_base& tx, const CampaignRepoRecord& repo);

/// Appends `event` in `tx` and returns its id (PostgresStore::appendEvent's statement).
int64_t writeEvent(pqxx::transaction_base& tx, const EventRecord& event);

} // namespace pgdetail

// The connection and what its messages must not show.
struct PostgresStore::Connection {
  std::string shown;                ///< The URL without its password.
  std::vector<std::string> secrets; ///< The password in every spelling given.
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<pqxx::quiet_errorhandler> quiet; ///< Notices (`… already exists`) go nowhere.

  Error error(const std::string& what, const std::exception& e) const {
    const bool connection = dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr;
    return makeError("store " + shown + ": " + what + ": " +
                         redact(pgdetail::trimmed(e.what()), secrets),
                     connection ? "check the URL, that the server is up, and the password "
                                  "(PGPASSWORD, ~/.pgpass or --store-password-file)"
                                : "check that the database is a godwit store");
  }

  /// Runs `f` and turns what libpqxx throws into an error about `what`.
  template <class F>
  auto attempt(const std::string& what, F&& f) -> Expected<std::invoke_result_t<F&>> {
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
        f();
        return {};
      } else {
        return f();
      }
    } catch (const std::exception& e) {
      return error(what, e);
    }
  }

  /// One statement in its own (implicit) transaction.
  template <class... Args> pqxx::result exec(const std::string& sql, Args&&... args) {
    pqxx::nontransaction tx(*conn);
    return tx.exec_params(sql, std::forward<Args>(args)...);
  }
};

} // namespace godwit
