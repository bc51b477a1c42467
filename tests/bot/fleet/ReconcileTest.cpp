// reconcile (bot/fleet/Reconcile.h): the catalog's consumers against the references in code.
#include "bot/fleet/Reconcile.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

FleetRepo repo(const std::string& name, bool consumer, int64_t id = 0) {
  FleetRepo r;
  r.fullName = name;
  r.catalogConsumer = consumer;
  r.id = id;
  return r;
}

std::vector<std::string> names(const std::vector<FleetRepo>& repos) {
  std::vector<std::string> out;
  for (const auto& r : repos)
    out.push_back(r.fullName);
  return out;
}

TEST(Reconcile, ReportsBothDirectionsAndWhatWasNotAnalyzed) {
  std::vector<FleetRepo> inventory{repo("acme/agree", true), repo("acme/stale", true),
                                   repo("acme/hidden", false), repo("acme/clean", false),
                                   repo("acme/unreachable", true)};
  std::vector<CodeFindings> found{{0, "acme/agree", 3},
                                  {0, "ACME/Stale", 0},
                                  {0, "acme/hidden", 2},
                                  {0, "acme/clean", 0},
                                  {0, "acme/extra", 1}};
  Reconciliation r = reconcile(inventory, found);
  EXPECT_EQ(names(r.unreferencedConsumers), std::vector<std::string>{"acme/stale"});
  EXPECT_EQ(names(r.unanalyzedConsumers), std::vector<std::string>{"acme/unreachable"});
  ASSERT_EQ(r.unlistedConsumers.size(), 2u);
  EXPECT_EQ(r.unlistedConsumers[0].repo.fullName, "acme/extra");
  EXPECT_EQ(r.unlistedConsumers[0].references, 1u);
  EXPECT_EQ(r.unlistedConsumers[1].repo.fullName, "acme/hidden");
  EXPECT_EQ(r.unlistedConsumers[1].references, 2u);
}

TEST(Reconcile, MatchesByIdAcrossARename) {
  std::vector<FleetRepo> inventory{repo("acme/old-name", true, 42), repo("acme/reused", false, 7)};
  // 42 was renamed; a different repository (id 9) now has the name acme/reused.
  std::vector<CodeFindings> found{{42, "acme/new-name", 0}, {9, "acme/reused", 4}};
  Reconciliation r = reconcile(inventory, found);
  EXPECT_EQ(names(r.unreferencedConsumers), std::vector<std::string>{"acme/old-name"});
  ASSERT_EQ(r.unlistedConsumers.size(), 1u);
  EXPECT_EQ(r.unlistedConsumers[0].repo.id, 9);
  EXPECT_TRUE(r.unanalyzedConsumers.empty());
}

TEST(Reconcile, AgreementIsEmpty) {
  Reconciliation r = reconcile({repo("acme/a", true), repo("acme/b", false)},
                               {{0, "acme/a", 1}, {0, "acme/b", 0}});
  EXPECT_TRUE(r.unreferencedConsumers.empty());
  EXPECT_TRUE(r.unlistedConsumers.empty());
  EXPECT_TRUE(r.unanalyzedConsumers.empty());
}

} // namespace
} // namespace godwit
