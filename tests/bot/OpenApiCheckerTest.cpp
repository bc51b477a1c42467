// The OpenAPI request checker the contract server relies on: it must refuse what GitHub's
// published description does not allow, or the contract tests prove nothing.

#include "tests/support/OpenApiChecker.h"
#include "bot/github/Http.h"
#include "tests/support/GitHubContractServer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace godwit::test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class OpenApiCheckerTest : public ::testing::Test {
protected:
  std::vector<std::string> check(const std::string& method, const std::string& path,
                                 const QueryParams& query = {}, const std::string& body = {}) {
    return OpenApiChecker::github()->check(method, path, query, body);
  }
};

TEST_F(OpenApiCheckerTest, AllowsTheRequestsTheClientSends) {
  EXPECT_THAT(check("POST", "/repos/o/r/pulls", {},
                    R"({"title":"t","head":"b","base":"main","body":"x","draft":true})"),
              IsEmpty());
  EXPECT_THAT(
      check("GET", "/repos/o/r/pulls", {{"head", "o:b"}, {"state", "all"}, {"per_page", "100"}}),
      IsEmpty());
  EXPECT_THAT(check("POST", "/repos/o/r/issues/3/labels", {}, R"({"labels":["a","b"]})"),
              IsEmpty());
  EXPECT_THAT(check("POST", "/repos/o/r/pulls/3/requested_reviewers", {},
                    R"({"reviewers":["a"],"team_reviewers":["t"]})"),
              IsEmpty());
  EXPECT_THAT(check("PATCH", "/repos/o/r/issues/comments/9", {}, R"({"body":"x"})"), IsEmpty());
  EXPECT_THAT(check("POST", "/app/installations/7/access_tokens"), IsEmpty());
}

TEST_F(OpenApiCheckerTest, MultiSegmentParametersSpanSlashes) {
  EXPECT_THAT(check("DELETE", "/repos/o/r/git/refs/heads/godwit/migrate/x"), IsEmpty());
  EXPECT_EQ(OpenApiChecker::github()->operationId("DELETE", "/repos/o/r/git/refs/heads/a/b"),
            "git/delete-ref");
  EXPECT_THAT(check("GET", "/repos/o/r/commits/heads/a/b/status", {{"per_page", "100"}}),
              IsEmpty());
  EXPECT_EQ(OpenApiChecker::github()->operationId("GET", "/repos/o/r/commits/abc/check-runs"),
            "checks/list-for-ref");
}

TEST_F(OpenApiCheckerTest, RefusesUnknownPathsAndMethods) {
  EXPECT_THAT(check("GET", "/repos/o/r/no-such-thing/at-all"), SizeIs(1));
  auto wrongMethod = check("PUT", "/repos/o/r/labels", {}, R"({"name":"x"})");
  ASSERT_THAT(wrongMethod, SizeIs(1));
  EXPECT_THAT(wrongMethod[0], HasSubstr("has no PUT operation"));
}

TEST_F(OpenApiCheckerTest, RefusesBodiesMissingRequiredFields) {
  auto v = check("POST", "/repos/o/r/labels", {}, R"({"color":"ffffff"})");
  ASSERT_THAT(v, SizeIs(1));
  EXPECT_THAT(v[0], HasSubstr("required field 'name'"));
  EXPECT_THAT(check("POST", "/repos/o/r/labels"), SizeIs(1)); // the body itself is required
}

TEST_F(OpenApiCheckerTest, RefusesFieldsTheSchemaDoesNotDefine) {
  // additionalProperties: false in the description.
  auto closed = check("PATCH", "/repos/o/r/import/authors/1", {}, R"({"email":"a","nick":"b"})");
  ASSERT_THAT(closed, SizeIs(1));
  EXPECT_THAT(closed[0], HasSubstr("field 'nick'"));
  // A schema that lists its properties: GitHub would silently ignore a misspelt field.
  auto misspelt =
      check("POST", "/repos/o/r/pulls/1/requested_reviewers", {}, R"({"team_reviewer":["t"]})");
  ASSERT_THAT(misspelt, SizeIs(1));
  EXPECT_THAT(misspelt[0], HasSubstr("team_reviewer"));
}

TEST_F(OpenApiCheckerTest, RefusesValuesOfTheWrongType) {
  auto v =
      check("POST", "/repos/o/r/pulls", {}, R"({"title":"t","head":"h","base":"b","draft":"yes"})");
  ASSERT_THAT(v, SizeIs(1));
  EXPECT_THAT(v[0], HasSubstr("draft: expected boolean"));
  EXPECT_THAT(check("POST", "/repos/o/r/issues/3/labels", {}, R"({"labels":[]})"), SizeIs(1));
  EXPECT_THAT(check("POST", "/repos/o/r/labels", {}, "{not json"), SizeIs(1));
}

TEST_F(OpenApiCheckerTest, ChecksQueryParameters) {
  auto missing = check("GET", "/search/issues");
  ASSERT_THAT(missing, SizeIs(1));
  EXPECT_THAT(missing[0], HasSubstr("required query parameter 'q'"));
  EXPECT_THAT(check("GET", "/repos/o/r/labels", {{"perpage", "5"}}), SizeIs(1));
  EXPECT_THAT(check("GET", "/repos/o/r/pulls", {{"state", "merged"}}), SizeIs(1));
  EXPECT_THAT(check("GET", "/repos/o/r/labels", {{"per_page", "many"}}), SizeIs(1));
  EXPECT_THAT(check("DELETE", "/repos/o/r/git/refs/heads/x", {}, R"({"force":true})"), SizeIs(1));
}

TEST(ContractServerTest, CollectsViolationsOfRequestsItReceives) {
  GitHubContractServer server("tok");
  server.addRepository({"o/r", "main", ""});
  HttpClient http;
  auto response = http.send({"POST",
                             server.url() + "/repos/o/r/labels",
                             {{"Authorization", "Bearer tok"},
                              {"Accept", "application/vnd.github+json"},
                              {"X-GitHub-Api-Version", "2022-11-28"},
                              {"User-Agent", "test"},
                              {"Content-Type", "application/json"}},
                             R"({"name":"x","colour":"ffffff"})"});
  ASSERT_TRUE(response.hasValue()) << response.error().str();
  auto violations = server.violations();
  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_THAT(violations[0], HasSubstr("colour"));

  auto noHeaders = http.send({"GET", server.url() + "/repos/o/r", {}, std::nullopt});
  ASSERT_TRUE(noHeaders.hasValue());
  EXPECT_EQ(noHeaders->status, 401);
  EXPECT_THAT(server.violations(), SizeIs(4)); // no User-Agent, Accept, API version
}

} // namespace
} // namespace godwit::test
