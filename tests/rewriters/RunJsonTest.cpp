#include "rewriters/RunJson.h"

#include "rules/RulePack.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace godwit {
namespace {

namespace fs = std::filesystem;

class TempDir {
public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "godwit-runjson-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  void write(const std::string& rel, const std::string& content) const {
    fs::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel, std::ios::binary) << content;
  }

private:
  fs::path path_;
};

const char* kMigration = R"(apiVersion: godwit/v1
kind: Migration
name: user-profile-v2
description: Move consumers to user_profile_v2
docs: https://example.com/user-profile-v2
datasets:
  - kind: bigquery-table
    from: acme-prod.core_users.user_profile_v1
    to:   acme-prod.core_users.user_profile_v2
    columns:
      rename:
        email: email_address
      removed: [legacy_id]
  - kind: gcs-prefix
    from: gs://acme-raw/events/playback/
    to:   gs://acme-lake/playback/v2/
  - kind: kafka-topic
    from: playback-events
    to:   playback-events-v2
exclude:
  - "**/generated/**"
pullRequest:
  title: Move to user_profile_v2
  body: Please merge.
  labels: [data]
  draft: true
  reviewers: [alice, acme/data]
rollout:
  waves: ["10%", 20, "100%"]
  seed: 2147483647
  prsPerHour: 5
  maxOpenPRs: 40
  gate:
    timeout: 2h
    maxFailureRatio: 0.3333333333333333
    minMergedRatio: 0.1
  windows:
    - days: [mon, tue]
      start: "09:00"
      end: "17:30"
      rate: 3/hour
  deadline: 2031-12-31
  notify:
    webhook: https://hooks.example.com/godwit
backstage:
  entity: resource:default/user-profile
  filter: [kind=component]
)";

void expectSameError(const Error& a, const Error& b) {
  EXPECT_EQ(a.message, b.message);
  EXPECT_EQ(a.file, b.file);
  EXPECT_EQ(a.line, b.line);
  EXPECT_EQ(a.column, b.column);
  EXPECT_EQ(a.hint, b.hint);
}

void expectSameValue(const DecodedString& a, const DecodedString& b) {
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.srcBegin, b.srcBegin);
  EXPECT_EQ(a.srcEnd, b.srcEnd);
  EXPECT_EQ(a.piece, b.piece);
  ASSERT_EQ(a.pieces.size(), b.pieces.size());
  for (size_t i = 0; i < a.pieces.size(); ++i) {
    const LiteralPiece& p = a.pieces[i];
    const LiteralPiece& q = b.pieces[i];
    EXPECT_EQ(p.begin, q.begin);
    EXPECT_EQ(p.end, q.end);
    EXPECT_EQ(p.style.quote, q.style.quote);
    EXPECT_EQ(p.style.triple, q.style.triple);
    EXPECT_EQ(p.style.raw, q.style.raw);
    EXPECT_EQ(p.style.holeIntro, q.style.holeIntro);
    EXPECT_EQ(p.style.syntax, q.style.syntax);
    EXPECT_EQ(p.style.inJsonString, q.style.inJsonString);
    EXPECT_EQ(p.constant, q.constant);
    EXPECT_EQ(p.constantUses, q.constantUses);
    EXPECT_EQ(p.useAt, q.useAt);
    EXPECT_EQ(p.useFile, q.useFile);
    EXPECT_EQ(p.file, q.file);
    EXPECT_EQ(p.shared, q.shared);
  }
}

void expectSameFinding(const Finding& a, const Finding& b) {
  SCOPED_TRACE(a.file + ":" + std::to_string(a.line));
  EXPECT_EQ(a.file, b.file);
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.length, b.length);
  EXPECT_EQ(a.line, b.line);
  EXPECT_EQ(a.column, b.column);
  EXPECT_EQ(a.endLine, b.endLine);
  EXPECT_EQ(a.endColumn, b.endColumn);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.dataset, b.dataset);
  EXPECT_EQ(a.context, b.context);
  EXPECT_EQ(a.ruleId, b.ruleId);
  EXPECT_EQ(a.access, b.access);
  EXPECT_EQ(a.action, b.action);
  EXPECT_EQ(a.found, b.found);
  EXPECT_EQ(a.replacement, b.replacement);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.sink, b.sink);
  EXPECT_EQ(a.suppressed, b.suppressed);
  ASSERT_EQ(a.changes.size(), b.changes.size());
  for (size_t i = 0; i < a.changes.size(); ++i) {
    const ValueEdit& e = a.changes[i];
    const ValueEdit& g = b.changes[i];
    EXPECT_EQ(e.begin, g.begin);
    EXPECT_EQ(e.end, g.end);
    EXPECT_EQ(e.text, g.text);
    ASSERT_EQ(e.value == nullptr, g.value == nullptr);
    if (e.value)
      expectSameValue(*e.value, *g.value);
  }
}

void expectSameResult(const RunResult& a, const RunResult& b) {
  ASSERT_EQ(a.findings.size(), b.findings.size());
  for (size_t i = 0; i < a.findings.size(); ++i)
    expectSameFinding(a.findings[i], b.findings[i]);
  ASSERT_EQ(a.changes.size(), b.changes.size());
  for (size_t i = 0; i < a.changes.size(); ++i) {
    EXPECT_EQ(a.changes[i].path, b.changes[i].path);
    EXPECT_EQ(a.changes[i].before, b.changes[i].before);
    EXPECT_EQ(a.changes[i].after, b.changes[i].after);
  }
  ASSERT_EQ(a.errors.size(), b.errors.size());
  for (size_t i = 0; i < a.errors.size(); ++i)
    expectSameError(a.errors[i], b.errors[i]);
  ASSERT_EQ(a.notes.size(), b.notes.size());
  for (size_t i = 0; i < a.notes.size(); ++i)
    expectSameError(a.notes[i], b.notes[i]);
  EXPECT_EQ(a.staleTemps, b.staleTemps);
  const Summary& s = a.summary;
  const Summary& t = b.summary;
  for (auto [x, y] : std::initializer_list<std::pair<size_t, size_t>>{
           {s.filesSeen, t.filesSeen},     {s.ignored, t.ignored},
           {s.unsupported, t.unsupported}, {s.binary, t.binary},
           {s.tooLarge, t.tooLarge},       {s.symlinks, t.symlinks},
           {s.special, t.special},         {s.staleTemps, t.staleTemps},
           {s.unreadable, t.unreadable},   {s.candidates, t.candidates},
           {s.parseErrors, t.parseErrors}, {s.noParser, t.noParser},
           {s.tooDeep, t.tooDeep},         {s.filesChanged, t.filesChanged},
           {s.rewrites, t.rewrites},       {s.attention, t.attention},
           {s.suppressed, t.suppressed},   {s.rejected, t.rejected},
           {s.notWritten, t.notWritten}})
    EXPECT_EQ(x, y);
}

Migration migration() {
  auto m = parseMigration(kMigration, "campaigns/user-profile-v2.yaml");
  EXPECT_TRUE(m) << (m ? "" : m.error().str());
  return m ? *m : Migration{};
}

/// Every Scala, Python and YAML fixture's input and expected trees, plus a file that is not
/// UTF-8, one that cannot be read and a temporary file an interrupted apply left.
fs::path makeTree(const TempDir& tmp) {
  const fs::path root = tmp.path() / "repo";
  fs::create_directories(root);
  for (const char* lang : {"scala", "python", "yaml", "sql"})
    if (fs::exists(fs::path(GODWIT_SOURCE_DIR) / "fixtures" / lang))
      fs::copy(fs::path(GODWIT_SOURCE_DIR) / "fixtures" / lang, root / lang,
               fs::copy_options::recursive);
  tmp.write("repo/latin1/Job.scala",
            "object Job {\n  // caf\xe9\n  val p = \"gs://acme-raw/events/playback/day=1\"\n}\n");
  tmp.write("repo/latin1/.Job.scala.godwit-abc123", "half written");
  tmp.write("repo/locked/Secret.scala", "val t = \"acme-prod.core_users.user_profile_v1\"\n");
  ::chmod((root / "locked/Secret.scala").c_str(), 0);
  return root;
}

TEST(RunJsonTest, ARealRunOverTheFixturesRoundTripsExactly) {
  TempDir tmp;
  RunOptions options;
  options.root = makeTree(tmp);
  options.jobs = 2;
  auto run = runMigration(migration(), options);
  ASSERT_TRUE(run) << run.error().str();

  // The run exercises what must cross: edits through shared decoded values, attention,
  // suppressed findings, errors, notes, stale temporaries and bytes that are not UTF-8.
  EXPECT_GT(run->summary.rewrites, 20u);
  EXPECT_GT(run->summary.attention, 5u);
  EXPECT_GT(run->summary.suppressed, 0u);
  EXPECT_FALSE(run->staleTemps.empty());
  if (::geteuid() != 0) { // root reads any file
    EXPECT_FALSE(run->errors.empty());
  }
  EXPECT_FALSE(run->notes.empty());
  bool latin1 = false;
  size_t edits = 0;
  for (const FileChange& c : run->changes)
    latin1 = latin1 || c.path == "latin1/Job.scala";
  for (const Finding& f : run->findings)
    edits += f.changes.size();
  EXPECT_TRUE(latin1);
  EXPECT_GT(edits, 20u);

  const std::string line = encodeRunAnswer(run);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto decoded = decodeRunAnswer(line);
  ASSERT_TRUE(decoded) << decoded.error().str();
  ASSERT_TRUE(*decoded) << decoded->error().str();
  expectSameResult(*run, **decoded);
  // Encoding the decoded result again gives the same line: nothing was lost on the way.
  EXPECT_EQ(encodeRunAnswer(*decoded), line);
}

TEST(RunJsonTest, TheRequestRoundTripsAndRunsTheSame) {
  TempDir tmp;
  RunOptions options;
  options.root = makeTree(tmp);
  options.paths = {(options.root / "scala").string(), (options.root / "latin1").string()};
  options.jobs = 1;
  options.include = {"**/*.scala"};
  options.exclude = {"**/expected/**"};
  options.compileCommands = tmp.path() / "build\xff";
  options.fullParse = true;
  const Migration m = migration();

  const std::string line = encodeRunRequest(m, options);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto request = decodeRunRequest(line);
  ASSERT_TRUE(request) << request.error().str();
  EXPECT_EQ(encodeRunRequest(request->migration, request->options), line);
  const Migration& back = request->migration;
  EXPECT_EQ(back.path, m.path);
  EXPECT_EQ(back.docs, m.docs);
  ASSERT_EQ(back.datasets.size(), 3u);
  EXPECT_EQ(back.datasets[0].columns.rename, m.datasets[0].columns.rename);
  EXPECT_EQ(back.datasets[0].columns.removed, m.datasets[0].columns.removed);
  EXPECT_EQ(back.datasets[2].pos.line, m.datasets[2].pos.line);
  ASSERT_TRUE(back.pullRequest && back.rollout && back.backstage);
  EXPECT_EQ(back.pullRequest->labels, m.pullRequest->labels);
  EXPECT_EQ(back.pullRequest->reviewers, m.pullRequest->reviewers);
  EXPECT_EQ(back.rollout->seed, m.rollout->seed);
  EXPECT_EQ(back.rollout->maxFailureRatio, m.rollout->maxFailureRatio);
  EXPECT_EQ(back.rollout->minMergedRatio, m.rollout->minMergedRatio);
  EXPECT_EQ(back.rollout->maxOpenPRsPerOwner, m.rollout->maxOpenPRsPerOwner);
  ASSERT_EQ(back.rollout->windows.size(), 1u);
  EXPECT_EQ(back.rollout->windows[0].days, m.rollout->windows[0].days);
  EXPECT_EQ(back.rollout->windows[0].endMinute, m.rollout->windows[0].endMinute);
  EXPECT_EQ(back.rollout->windows[0].rate, m.rollout->windows[0].rate);
  EXPECT_EQ(back.backstage->entity, m.backstage->entity);
  EXPECT_EQ(request->options.compileCommands, options.compileCommands);
  EXPECT_EQ(request->options.paths, options.paths);

  options.compileCommands.clear(); // no such file: the run would stop there
  request->options.compileCommands.clear();
  auto direct = runMigration(m, options);
  auto sent = runMigration(request->migration, request->options);
  ASSERT_TRUE(direct) << direct.error().str();
  ASSERT_TRUE(sent) << sent.error().str();
  EXPECT_GT(direct->summary.rewrites, 0u);
  expectSameResult(*direct, *sent);
}

TEST(RunJsonTest, AnErrorAnswerStaysTheRunsError) {
  Error e{"bad glob '[a'", "m.yaml", 12, 5, "close the bracket"};
  auto decoded = decodeRunAnswer(encodeRunAnswer(Expected<RunResult>(e)));
  ASSERT_TRUE(decoded);
  ASSERT_FALSE(*decoded);
  expectSameError(decoded->error(), e);
}

TEST(RunJsonTest, GarbageIsAnErrorNotAResult) {
  for (const char* line : {"", "Segmentation fault", "{\"result\":{}}", "{\"result\":[1,2]}",
                           "{\"error\":{\"message\":3}}", "{\"result\":{\"values\":[]"}) {
    SCOPED_TRACE(line);
    auto decoded = decodeRunAnswer(line);
    ASSERT_FALSE(decoded);
    EXPECT_NE(decoded.error().message.find("unreadable analysis answer"), std::string::npos);
  }
  EXPECT_FALSE(decodeRunRequest("{\"migration\":{}}"));
  EXPECT_FALSE(decodeRunRequest("{\"migration\":null,\"options\":{}}"));
}

} // namespace
} // namespace godwit
