#include "analyzers/RepoConstants.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

DecodedString literal(std::string_view text) {
  DecodedString d;
  d.beginPiece(0, static_cast<uint32_t>(text.size()), LiteralStyle{});
  for (size_t i = 0; i < text.size(); ++i)
    d.push(text[i], static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1));
  return d;
}

// A repository whose constants files each define PROJECT (and Scala's `Project`).
struct Repo {
  std::vector<std::string> files = {"src/com/acme/Tables.java",   "src/com/acme/Job.java",
                                    "src/com/other/Tables.java",  "src/com/acme/jobs/Export.java",
                                    "app/Bq.scala",               "app/jobs/Metrics.scala",
                                    "pkg/acme/config.py",         "pkg/acme/jobs/counts.py",
                                    "pkg/acme/settings/__init__.py"};
  std::vector<std::string> loaded;
  RepoConstants::Loader load = [this](const std::string& path) {
    loaded.push_back(path);
    const std::string name = path.ends_with(".scala") ? "Project" : "PROJECT";
    std::vector<FileConstant> out{FileConstant{name, literal(path), 1, true}};
    out.push_back(FileConstant{"HIDDEN", literal("x"), 0, false});
    return std::optional<std::vector<FileConstant>>(std::move(out));
  };
};

std::string resolvedFile(const RepoConstants& index, std::string_view user, std::string_view name) {
  const RepoConstant* c = index.find(user, name);
  return c ? c->file : "";
}

TEST(RepoConstants, JavaQualifiedNameIsTheClassBesideTheUser) {
  Repo repo;
  const auto index = RepoConstants::build(
      repo.files, {{"src/com/acme/Job.java", "class Job {}", {"Tables.PROJECT", "Tables.HIDDEN"}}},
      repo.load);
  EXPECT_EQ(resolvedFile(*index, "src/com/acme/Job.java", "Tables.PROJECT"),
            "src/com/acme/Tables.java");
  EXPECT_EQ(index->find("src/com/acme/Job.java", "Tables.HIDDEN"), nullptr) << "private";
  EXPECT_EQ(index->definingFiles(), std::vector<std::string>{"src/com/acme/Tables.java"});
}

TEST(RepoConstants, JavaStaticImportNamesThePackage) {
  Repo repo;
  const std::string text = "package com.acme.jobs;\n"
                           "import static com.other.Tables.PROJECT;\n"
                           "class Export {}\n";
  const auto index =
      RepoConstants::build(repo.files, {{"src/com/acme/jobs/Export.java", text, {"PROJECT"}}},
                           repo.load);
  EXPECT_EQ(resolvedFile(*index, "src/com/acme/jobs/Export.java", "PROJECT"),
            "src/com/other/Tables.java");
}

TEST(RepoConstants, AmbiguousClassNameIsNotResolved) {
  // Two Tables.java and neither beside the user nor imported: not guessed.
  Repo repo;
  const auto index = RepoConstants::build(
      repo.files, {{"src/com/acme/jobs/Export.java", "class Export {}", {"Tables.PROJECT"}}},
      repo.load);
  EXPECT_EQ(index->find("src/com/acme/jobs/Export.java", "Tables.PROJECT"), nullptr);
  EXPECT_TRUE(repo.loaded.empty());
}

TEST(RepoConstants, ScalaWildcardImport) {
  Repo repo;
  const std::string text = "package jobs\nimport com.acme.Bq._\nobject Metrics\n";
  const auto index =
      RepoConstants::build(repo.files, {{"app/jobs/Metrics.scala", text, {"Project", "Other"}}},
                           repo.load);
  EXPECT_EQ(resolvedFile(*index, "app/jobs/Metrics.scala", "Project"), "");
  // `com.acme.Bq` is a path the file must end with; app/Bq.scala does not.
  const auto byName = RepoConstants::build(
      repo.files, {{"app/jobs/Metrics.scala", "import Bq._\n", {"Project"}}}, repo.load);
  EXPECT_EQ(resolvedFile(*byName, "app/jobs/Metrics.scala", "Project"), "app/Bq.scala");
}

TEST(RepoConstants, PythonFromImportAndModuleAlias) {
  Repo repo;
  const std::string text = "from acme.config import PROJECT as P\n"
                           "from acme import settings\n"
                           "from .. import config\n";
  const auto index = RepoConstants::build(
      repo.files, {{"pkg/acme/jobs/counts.py", text, {"P", "settings.PROJECT", "config.PROJECT"}}},
      repo.load);
  EXPECT_EQ(resolvedFile(*index, "pkg/acme/jobs/counts.py", "P"), "pkg/acme/config.py");
  EXPECT_EQ(resolvedFile(*index, "pkg/acme/jobs/counts.py", "settings.PROJECT"),
            "pkg/acme/settings/__init__.py");
  EXPECT_EQ(resolvedFile(*index, "pkg/acme/jobs/counts.py", "config.PROJECT"),
            "pkg/acme/config.py");
}

TEST(RepoConstants, UsesCountEveryTokenOutsideImports) {
  const std::string text = "import static a.Tables.DATASET;\n"
                           "x = Tables.DATASET + DATASET + s\"$DATASET\"; DATASET_V2; MY_DATASET\n";
  EXPECT_EQ(RepoConstants::usesIn(text, "Tables.DATASET"), 3);
  EXPECT_TRUE(RepoConstants::mentions(text, "DATASET"));
  EXPECT_FALSE(RepoConstants::mentions("DATASET_V2 MY_DATASET", "DATASET"));
}

} // namespace
} // namespace godwit
