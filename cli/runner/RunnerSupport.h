#pragma once
// What the `godwit-runner` commands share beyond their flags: the campaign clock, the store, the
// campaign a command is about, and printing an error.

#include "bot/fleet/Notifier.h"
#include "bot/github/RateLimit.h"
#include "bot/store/Store.h"
#include "cli/runner/RunnerCommands.h"
#include "rules/Migration.h"

#include <memory>
#include <string>

namespace godwit {

/// Campaign time: the wall clock, or from `GODWIT_RUNNER_NOW` (ISO 8601 UTC) on, for tests of
/// windows and rates; it advances with real time from there.
Expected<std::shared_ptr<Clock>> campaignClock();

/// Opens the store of `--store` (a SQLite file, by default defaultStorePath(), or a PostgreSQL
/// URL) with `--store-password-file`.
Expected<std::unique_ptr<Store>> openStore(const RunnerCommon& common);

/// The campaign's name: the migration's, from `--migration`, or `--campaign` as given.
Expected<std::string> campaignName(const CampaignRef& ref);

/// The rollout settings of `--migration`; the defaults with `--campaign`.
RolloutSettings rolloutFor(const CampaignRef& ref);

/// The notifier of the migration's `rollout.notify.webhook` (warnings to stderr); null when it
/// names none.
std::unique_ptr<Notifier> notifierFor(const Migration& migration);

/// Prints `e` (`file:line:col: error: …` and its hint) to stderr and returns `code`.
int fail(const Error& e, int code = 2);

} // namespace godwit
