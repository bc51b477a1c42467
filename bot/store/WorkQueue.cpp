#include "bot/store/WorkQueue.h"

#include "bot/store/PostgresConnection.h"

#include <algorithm>

namespace godwit {

WorkQueue::WorkQueue(PostgresStore& store, std::string runner, std::chrono::seconds lease)
    : store_(store), runner_(std::move(runner)), lease_(lease) {}

Expected<int64_t> WorkQueue::enqueue(const std::string& campaign,
                                     const std::vector<std::string>& fullNames) {
  auto& db = *store_.db_;
  return db.attempt("cannot queue the repositories of " + campaign, [&] {
    pqxx::work tx(*db.conn);
    int64_t queued = 0;
    // The partial unique index decides what is already active, not a read before the write.
    for (const std::string& name : fullNames)
      queued += static_cast<int64_t>(
          tx.exec_params("INSERT INTO work_jobs (campaign, full_name) VALUES ($1, $2) "
                         "ON CONFLICT (campaign, full_name) WHERE state IN ('queued', 'running') "
                         "DO NOTHING",
                         campaign, name)
              .affected_rows());
    tx.commit();
    return queued;
  });
}

Expected<std::vector<WorkClaim>> WorkQueue::claim(const std::string& campaign, int limit) {
  auto& db = *store_.db_;
  return db.attempt("cannot claim work of " + campaign, [&] {
    std::vector<WorkClaim> out;
    for (const pqxx::row& r :
         db.exec("UPDATE work_jobs SET state = 'running', locked_by = $2, "
                 "lease_until = now() + make_interval(secs => $3), version = version + 1, "
                 "updated_at = now() WHERE id IN (SELECT id FROM work_jobs WHERE campaign = $1 AND "
                 "state = 'queued' ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) "
                 "RETURNING id, full_name, version",
                 campaign, runner_, static_cast<double>(lease_.count()), limit))
      out.push_back({r[0].as<int64_t>(), campaign, r[1].as<std::string>(), r[2].as<int64_t>()});
    // RETURNING has no order; a runner works its claims in queue order (ids grow as jobs are
    // queued).
    std::sort(out.begin(), out.end(),
              [](const WorkClaim& a, const WorkClaim& b) { return a.job < b.job; });
    return out;
  });
}

Expected<bool> WorkQueue::renew(const WorkClaim& claim) {
  auto& db = *store_.db_;
  return db.attempt("cannot renew the lease of " + claim.fullName, [&] {
    return db.exec("UPDATE work_jobs SET lease_until = now() + make_interval(secs => $3), "
                   "updated_at = now() WHERE id = $1 AND version = $2 AND state = 'running' "
                   "AND locked_by = $4",
                   claim.job, claim.version, static_cast<double>(lease_.count()), runner_)
               .affected_rows() == 1;
  });
}

Expected<bool> WorkQueue::finish(const WorkClaim& claim, bool ok, const std::string& error) {
  return complete(claim, {ok, error, std::nullopt, {}});
}

Expected<bool> WorkQueue::complete(const WorkClaim& claim, const JobResult& result) {
  auto& db = *store_.db_;
  return db.attempt("cannot finish the job of " + claim.fullName, [&] {
    pqxx::work tx(*db.conn);
    if (tx.exec_params("UPDATE work_jobs SET state = $3, error = $4, locked_by = '', "
                       "lease_until = NULL, updated_at = now() WHERE id = $1 AND version = $2 "
                       "AND state = 'running' AND locked_by = $5",
                       claim.job, claim.version, std::string(result.ok ? "done" : "failed"),
                       result.error, runner_)
            .affected_rows() != 1)
      return false; // The transaction rolls back unused.
    if (result.repo)
      pgdetail::writeCampaignRepo(tx, *result.repo);
    for (const EventRecord& e : result.events)
      pgdetail::writeEvent(tx, e);
    tx.commit();
    return true;
  });
}

Expected<bool> WorkQueue::release(const WorkClaim& claim) {
  auto& db = *store_.db_;
  return db.attempt("cannot give back the job of " + claim.fullName, [&] {
    return db.exec("UPDATE work_jobs SET state = 'queued', locked_by = '', lease_until = NULL, "
                   "updated_at = now() WHERE id = $1 AND version = $2 AND state = 'running' "
                   "AND locked_by = $3",
                   claim.job, claim.version, runner_)
               .affected_rows() == 1;
  });
}

Expected<int64_t> WorkQueue::activeJobs(const std::string& campaign) {
  auto& db = *store_.db_;
  return db.attempt("cannot count the jobs of " + campaign, [&] {
    return db.exec("SELECT count(*) FROM work_jobs WHERE campaign = $1 AND "
                   "state IN ('queued', 'running')",
                   campaign)[0][0]
        .as<int64_t>();
  });
}

Expected<std::vector<LeaseInfo>> WorkQueue::leases(const std::string& campaign) {
  auto& db = *store_.db_;
  return db.attempt("cannot read the leases of " + campaign, [&] {
    std::vector<LeaseInfo> out;
    for (const pqxx::row& r :
         db.exec("SELECT locked_by, full_name, version, "
                 "extract(epoch FROM now() - updated_at)::float8, "
                 "extract(epoch FROM lease_until - now())::float8 FROM work_jobs "
                 "WHERE campaign = $1 AND state = 'running' ORDER BY locked_by, id",
                 campaign))
      out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<int64_t>(),
                     r[3].as<double>(), r[4].as<double>()});
    return out;
  });
}

Expected<void> WorkQueue::withLock(const std::string& key,
                                   const std::function<Expected<void>()>& f) {
  auto& db = *store_.db_;
  const std::string name = "godwit " + key;
  if (Expected<void> locked = db.attempt("cannot take the lock of " + key,
                                         [&] {
                                           db.exec("SELECT pg_advisory_lock(hashtextextended("
                                                   "$1, 0))",
                                                   name);
                                         });
      !locked)
    return locked;
  Expected<void> result = f();
  Expected<void> unlocked = db.attempt("cannot give back the lock of " + key, [&] {
    db.exec("SELECT pg_advisory_unlock(hashtextextended($1, 0))", name);
  });
  return result ? unlocked : result;
}

Expected<std::optional<Reclaimed>> WorkQueue::reclaimExpired(int maxResets) {
  auto& db = *store_.db_;
  return db.attempt("cannot requeue expired leases", [&] {
    pqxx::work tx(*db.conn);
    if (!tx.exec_params("SELECT pg_try_advisory_xact_lock($1)", kReclaimLock)[0][0].as<bool>())
      return std::optional<Reclaimed>();
    Reclaimed done;
    for (const pqxx::row& r : tx.exec_params(
             "UPDATE work_jobs SET resets = resets + 1, locked_by = '', lease_until = NULL, "
             "state = CASE WHEN resets + 1 >= $1 THEN 'failed' ELSE 'queued' END, "
             "error = CASE WHEN resets + 1 >= $1 THEN 'the lease expired ' || (resets + 1) || "
             "' times' ELSE error END, updated_at = now() "
             "WHERE state = 'running' AND lease_until < now() RETURNING state",
             maxResets))
      ++(r[0].as<std::string>() == "failed" ? done.failed : done.requeued);
    tx.commit();
    return std::optional<Reclaimed>(done);
  });
}

} // namespace godwit
