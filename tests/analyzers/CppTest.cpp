#include "analyzers/cpp/Cpp.h"
#include "analyzers/cpp/CppLiteral.h"

#include "rules/DatasetMatcher.h"
#include "tests/analyzers/LanguageTestSupport.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace godwit {
namespace {

namespace fs = std::filesystem;
using test::readable;
using test::sources;
using Strings = std::vector<std::string>;

// ---- Literal tokens and their values (no Clang involved) ----

DecodedString decodeToken(std::string_view src) {
  DecodedString d;
  EXPECT_TRUE(cpp::appendLiteral(d, src, 0, static_cast<uint32_t>(src.size()))) << src;
  test::expectWellFormed(d);
  return d;
}

std::string content(std::string_view src, const cpp::LiteralToken& t) {
  return std::string(src.substr(t.contentBegin, t.contentEnd - t.contentBegin));
}

TEST(CppTest, ParsesEveryPrefixRawStringsAndSuffixes) {
  struct Case {
    std::string_view src;
    cpp::CharKind kind;
    bool raw;
    std::string content;
    std::string suffix;
  };
  const Case cases[] = {
      {R"("a.b")", cpp::CharKind::Narrow, false, "a.b", ""},
      {R"(u8"a.b")", cpp::CharKind::Utf8, false, "a.b", ""},
      {R"(L"a.b")", cpp::CharKind::Wide, false, "a.b", ""},
      {R"(u"a.b")", cpp::CharKind::Utf16, false, "a.b", ""},
      {R"(U"a.b")", cpp::CharKind::Utf32, false, "a.b", ""},
      {R"x(R"sql(SELECT ")" FROM t)sql")x", cpp::CharKind::Narrow, true, R"x(SELECT ")" FROM t)x",
       ""},
      {R"x(u8R"(a)")x", cpp::CharKind::Utf8, true, "a", ""},
      {R"x(LR"d(a)b)d")x", cpp::CharKind::Wide, true, "a)b", ""},
      {R"("a.b"s)", cpp::CharKind::Narrow, false, "a.b", "s"},
      {R"("a.b"_sv)", cpp::CharKind::Narrow, false, "a.b", "_sv"},
  };
  for (const Case& c : cases) {
    const auto t = cpp::parseLiteralToken(c.src, 0, static_cast<uint32_t>(c.src.size()));
    ASSERT_TRUE(t) << c.src;
    EXPECT_EQ(t->kind, c.kind) << c.src;
    EXPECT_EQ(t->raw, c.raw) << c.src;
    EXPECT_EQ(content(c.src, *t), c.content) << c.src;
    EXPECT_EQ(t->suffix, c.suffix) << c.src;
  }
}

TEST(CppTest, RefusesTokensThatAreNoStringLiterals) {
  for (std::string_view src : {R"('a')", R"("abc)", R"x(R"x(abc)y")x", R"x(R"(abc")x", R"("abc"-)",
                               "u9\"a\"", "R\"0123456789abcdefg(a)0123456789abcdefg\""})
    EXPECT_FALSE(cpp::parseLiteralToken(src, 0, static_cast<uint32_t>(src.size()))) << src;
  DecodedString d;
  EXPECT_FALSE(cpp::appendLiteral(d, "'a'", 0, 3));
  EXPECT_TRUE(d.pieces.empty());
}

TEST(CppTest, SimpleEscapesMapToTheirSourceBytes) {
  const std::string src = R"("a\n\t\"\\\?\'\a\b\f\r\vz")";
  const DecodedString d = decodeToken(src);
  EXPECT_EQ(d.value, "a\n\t\"\\?'\a\b\f\r\vz");
  EXPECT_EQ(sources(d, src), (Strings{"a", R"(\n)", R"(\t)", R"(\")", R"(\\)", R"(\?)", R"(\')",
                                      R"(\a)", R"(\b)", R"(\f)", R"(\r)", R"(\v)", "z"}));
  ASSERT_EQ(d.pieces.size(), 1u);
  EXPECT_EQ(d.pieces[0].begin, 1u);
  EXPECT_EQ(d.pieces[0].end, src.size() - 1);
  EXPECT_EQ(test::style(d.pieces[0].style), "\"");
}

TEST(CppTest, NumericEscapesAndTheCharacterAfterAShortOne) {
  // `\x41` and `\7` would swallow a hex or octal digit written after them: that character shares
  // their source bytes, so an edit starting there rewrites the escape as well.
  const std::string src = R"("\101z\x41-y\7z\0")";
  const DecodedString d = decodeToken(src);
  EXPECT_EQ(d.value, std::string("AzA-y\az\0", 8));
  EXPECT_EQ(sources(d, src),
            (Strings{R"(\101)", "z", R"(\x41-)", R"(\x41-)", "y", R"(\7z)", R"(\7z)", R"(\0)"}));
}

TEST(CppTest, EscapeValuesDependOnTheCharacterType) {
  // A narrow literal holds bytes: past 0xFF is an error, so a hole.
  EXPECT_EQ(readable(decodeToken(R"("a\x141.b")").value), "a<?>.b");
  EXPECT_EQ(readable(decodeToken(R"("a\x141b")").value), "a<?>"); // `b` is a hex digit
  EXPECT_EQ(decodeToken(R"("\xe9")").value, "\xe9");
  // Wider characters are code points; the value is their UTF-8.
  EXPECT_EQ(decodeToken(R"(L"\x263A")").value, "\u263A");
  EXPECT_EQ(decodeToken(R"(U"\x1F600")").value, "\U0001F600");
  EXPECT_EQ(readable(decodeToken(R"(u"\xD800")").value), "<?>");
}

TEST(CppTest, UniversalCharacterNamesAreUtf8) {
  const std::string src = R"("caf\u00e9\U0001F600!")";
  const DecodedString d = decodeToken(src);
  EXPECT_EQ(d.value, "caf\u00e9\U0001F600!");
  EXPECT_EQ(sources(d, src)[3], R"(\u00e9)");
  EXPECT_EQ(sources(d, src)[5], R"(\U0001F600)");
  EXPECT_EQ(readable(decodeToken(R"("\uD800")").value), "<?>");
  EXPECT_EQ(readable(decodeToken(R"("\u12x")").value), "<?>x");
  EXPECT_EQ(readable(decodeToken(R"("\U00110000")").value), "<?>");
}

TEST(CppTest, UnknownEscapesAreHoles) {
  const std::string src = R"("a\qb")";
  const DecodedString d = decodeToken(src);
  EXPECT_EQ(readable(d.value), "a<?>b");
  EXPECT_EQ(sources(d, src)[1], R"(<hole:\q>)");
}

TEST(CppTest, LineSplicesProduceNothingAndLeaveAGap) {
  const std::string src = "\"acme\\\nprod.\\ \r\nx\\\\\"";
  const DecodedString d = decodeToken(src);
  EXPECT_EQ(d.value, "acmeprod.x\\");
  const size_t p = d.value.find('p');
  EXPECT_LT(d.srcEnd[p - 1], d.srcBegin[p]); // the splice lies between: no edit spans it
  EXPECT_EQ(src.substr(d.srcEnd[p - 1], d.srcBegin[p] - d.srcEnd[p - 1]), "\\\n");
  // A splice between an escape's backslash and its letter still makes one escape.
  EXPECT_EQ(decodeToken("\"a\\\\\nn\"").value, "a\n");
}

TEST(CppTest, RawStringsKeepEveryByte) {
  const std::string src = "R\"sql(SELECT \"x\" \\n\nFROM `t`)sql\"";
  const DecodedString d = decodeToken(src);
  EXPECT_EQ(d.value, "SELECT \"x\" \\n\nFROM `t`");
  EXPECT_EQ(d.srcBegin[0], src.find("SELECT"));
  EXPECT_EQ(test::style(d.pieces[0].style), "\" triple raw");
  // A splice is no splice inside a raw string.
  EXPECT_EQ(decodeToken("R\"(a\\\nb)\"").value, "a\\\nb");
}

TEST(CppTest, NewTextIsEncodedForTheLiteral) {
  const LiteralStyle plain = cpp::literalStyle(*cpp::parseLiteralToken(R"("a")", 0, 3));
  EXPECT_EQ(encodeLiteral(plain, "say \"hi\"\\\n"), R"(say \"hi\"\\\n)");
  const LiteralStyle raw = cpp::literalStyle(*cpp::parseLiteralToken(R"x(R"(a)")x", 0, 6));
  EXPECT_EQ(encodeLiteral(raw, "a.b\nc"), "a.b\nc");
  EXPECT_EQ(encodeLiteral(raw, ")\""), std::nullopt); // could close the raw string
  EXPECT_EQ(encodeLiteral(raw, "a\\b"), std::nullopt);
  // Decoding what was encoded gives the value back.
  for (std::string value : {"acme-data.users.t", "tab\there", "q\"uote\\"}) {
    const std::string literal = "\"" + *encodeLiteral(plain, value) + "\"";
    EXPECT_EQ(decodeToken(literal).value, value);
  }
}

DecodedString literalValue(std::string_view src, uint32_t begin, uint32_t end) {
  DecodedString d;
  EXPECT_TRUE(cpp::appendLiteral(d, src, begin, end));
  return d;
}

TEST(CppTest, FormatStringsSubstituteTheirArguments) {
  const std::string src = R"(f("{}.{}.user_profile_v1", "acme-prod", "core_users"))";
  const auto literalAt = [&](std::string_view text) {
    const auto at = static_cast<uint32_t>(src.find(text));
    return literalValue(src, at, at + static_cast<uint32_t>(text.size()));
  };
  const DecodedString fmt = literalAt(R"("{}.{}.user_profile_v1")");
  const DecodedString project = literalAt(R"("acme-prod")");
  const DecodedString dataset = literalAt(R"("core_users")");
  const auto args = [&](size_t i) -> const DecodedString* {
    return i == 0 ? &project : i == 1 ? &dataset : nullptr;
  };
  const auto d = cpp::applyFormat(fmt, args);
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "acme-prod.core_users.user_profile_v1");
  EXPECT_EQ(test::pieceTexts(*d, src),
            (Strings{"{}.{}.user_profile_v1", "acme-prod", "core_users"}));
  EXPECT_EQ(test::style(d->pieces[0].style), "\" {"); // new text doubles its braces
  EXPECT_EQ(d->srcBegin[d->value.find(".user")], src.find(".user"));
}

TEST(CppTest, FormatFieldsItCannotKnowAreHoles) {
  const std::string src = R"("{{x}}{0}{0}{:>4}{name}{}{5}")";
  const DecodedString fmt = literalValue(src, 0, static_cast<uint32_t>(src.size()));
  const DecodedString a = literalValue(R"("a")", 0, 3);
  const auto args = [&](size_t i) -> const DecodedString* { return i == 0 ? &a : nullptr; };
  const auto d = cpp::applyFormat(fmt, args);
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  // `{:>4}` pads, `{name}` is named, `{}` after `{0}` is argument 1, `{5}` does not exist.
  EXPECT_EQ(readable(d->value), "{x}aa<?><?><?><?>");
  EXPECT_EQ(sources(*d, src)[0], "{{");
  EXPECT_EQ(sources(*d, src)[5], "<hole:{:>4}>");
  for (std::string bad : {R"("{")", R"("}")", R"("{:{}}")", R"("a{0")"})
    EXPECT_FALSE(cpp::applyFormat(literalValue(bad, 0, static_cast<uint32_t>(bad.size())), args))
        << bad;
}

// ---- The analyzer on real files (Clang runs) ----

class TempDir {
public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "godwit-cpp-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel, std::ios::binary) << text;
  }

private:
  fs::path path_;
};

std::vector<DatasetMatcher> matchers(std::string_view to = "acme-prod.core_users.user_profile_v2") {
  std::vector<DatasetMatcher> out;
  DatasetSpec table;
  table.kind = DatasetKind::BigQueryTable;
  table.from = "acme-prod.core_users.user_profile_v1";
  table.to = std::string(to);
  out.emplace_back(table);
  DatasetSpec topic;
  topic.kind = DatasetKind::KafkaTopic;
  topic.from = "playback-events";
  topic.to = "playback-events-v2";
  out.emplace_back(topic);
  return out;
}

std::unique_ptr<Analyzer> analyzer(const fs::path& root, const fs::path& compileCommands = {}) {
  auto a = makeCppAnalyzer({}, AnalyzerContext{root, compileCommands});
  EXPECT_TRUE(a.hasValue()) << (a ? "" : a.error().str());
  return a ? std::move(*a) : nullptr;
}

struct Analysis {
  std::vector<Finding> findings;
  AnalysisNotes notes;
};

Analysis analyze(const Analyzer& a, const std::string& path, const std::string& text,
                 std::string_view to = "acme-prod.core_users.user_profile_v2") {
  const auto m = matchers(to);
  Analysis out;
  auto found = a.analyzeFile(SourceFile{path, text}, m, out.notes);
  EXPECT_TRUE(found.hasValue()) << (found ? "" : found.error().str());
  if (found)
    out.findings = std::move(*found);
  return out;
}

/// `line:col context action` per finding, for assertions that read well.
Strings summary(const std::vector<Finding>& findings) {
  Strings out;
  for (const Finding& f : findings)
    out.push_back(std::to_string(f.line) + ":" + std::to_string(f.column) + " " + f.context + " " +
                  std::string(actionName(f.action)) + (f.found.empty() ? "" : " " + f.found));
  return out;
}

const std::string kTable = "acme-prod.core_users.user_profile_v1";

TEST(CppTest, FindsEveryLiteralForm) {
  TempDir dir;
  const std::string text =
      "#include <string>\n"
      "#include <string_view>\n"
      "using namespace std::literals;\n"
      "const char* a = \"acme-prod.core_users.user_profile_v1\";\n"
      "const char* b = u8\"acme-prod.core_users.user_profile_v1\";\n"
      "const wchar_t* c = L\"acme-prod.core_users.user_profile_v1\";\n"
      "const char* d = R\"sql(SELECT * FROM `acme-prod.core_users.user_profile_v1`)sql\";\n"
      "const char* e = \"acme-prod.core_users.\" \"user_profile_v1\";\n"
      "auto f = \"acme-prod.core_users.user_profile_v1\"s;\n"
      "auto topic = \"playback-events\"sv;\n"
      "const char* h = \"acme-prod.core_users.user_profile_v10\";\n"
      "const char* i = \"acme-dev.core_users.user_profile_v1\";\n";
  const auto a = analyzer(dir.path());
  const Analysis r = analyze(*a, "src/forms.cc", text);
  EXPECT_EQ(r.notes.parseErrors, 0) << (r.notes.notes.empty() ? "" : r.notes.notes[0].message);
  EXPECT_EQ(summary(r.findings),
            (Strings{"4:18 cpp.string rewrite " + kTable, "5:20 cpp.string rewrite " + kTable,
                     "6:22 cpp.string rewrite " + kTable, "7:38 cpp.string rewrite " + kTable,
                     "8:18 cpp.string rewrite " + kTable, "9:11 cpp.string rewrite " + kTable,
                     "10:15 cpp.topic-name rewrite playback-events"}));
  // Adjacent literals are one value of two pieces.
  const Finding& adjacent = r.findings[4];
  ASSERT_EQ(adjacent.changes.size(), 1u);
  EXPECT_EQ(adjacent.changes[0].value->pieces.size(), 2u);
}

TEST(CppTest, ConstantsAndCompositionsResolve) {
  TempDir dir;
  dir.write("include/absl/strings/str_cat.h",
            "#pragma once\n#include <string>\n"
            "namespace absl { template <class... T> std::string StrCat(const T&...); }\n");
  const std::string text =
      "#include \"absl/strings/str_cat.h\"\n"
      "#include <string>\n"
      "#include <string_view>\n"
      "constexpr char kProject[] = \"acme-prod\";\n"
      "const std::string kDataset = \"core_users\";\n"
      "constexpr std::string_view kTable = \"user_profile_v1\";\n"
      "std::string A() { return absl::StrCat(kProject, \".\", kDataset, \".\", kTable); }\n"
      "std::string B() { return std::string(kProject) + \".\" + kDataset + \".user_profile_v1\"; "
      "}\n"
      "std::string C(const std::string& p) { return absl::StrCat(p, "
      "\".core_users.user_profile_v1\"); }\n";
  const auto a = analyzer(dir.path());
  const Analysis r = analyze(*a, "src/compose.cc", text);
  EXPECT_EQ(r.notes.parseErrors, 0);
  ASSERT_EQ(summary(r.findings),
            (Strings{"7:26 cpp.strcat rewrite " + kTable, "8:26 cpp.concat rewrite " + kTable,
                     "9:63 cpp.strcat attention ${…}.core_users.user_profile_v1"}));
  // StrCat: the change lands in kTable's literal, reached through the constant used once.
  const ValueEdit& strcat = r.findings[0].changes.at(0);
  const DecodedString& v = *strcat.value;
  const uint16_t piece = v.piece[v.value.rfind("v1")];
  EXPECT_EQ(v.pieces[piece].constant, "kTable");
  EXPECT_EQ(v.pieces[piece].constantUses, 1);
  EXPECT_EQ(text.substr(v.pieces[piece].begin, v.pieces[piece].end - v.pieces[piece].begin),
            "user_profile_v1");
  // `+`: the last literal is local.
  const DecodedString& w = *r.findings[1].changes.at(0).value;
  EXPECT_EQ(w.pieces[w.piece[w.value.rfind("v1")]].constant, "");
}

TEST(CppTest, MissingHeadersAreNotedAndTheFileIsStillAnalyzed) {
  TempDir dir;
  const std::string text =
      "#include \"absl/strings/str_cat.h\"\n"
      "#include \"acme/bigquery/client.h\"\n"
      "#include <string>\n"
      "constexpr char kDataset[] = \"acme-prod.core_users\";\n"
      "std::string T() { return absl::StrCat(kDataset, \".user_profile_v1\"); }\n"
      "void Q() { acme::bigquery::Client c; c.Run(\"SELECT 1 FROM "
      "acme-prod.core_users.user_profile_v1\"); }\n";
  const auto a = analyzer(dir.path());
  const Analysis r = analyze(*a, "svc/main.cc", text);
  // Two headers and `acme::` (declared in one of them): the second stand-in must not stop Clang.
  EXPECT_EQ(r.notes.parseErrors, 3);
  ASSERT_FALSE(r.notes.notes.empty());
  EXPECT_NE(r.notes.notes[0].message.find("'absl/strings/str_cat.h' file not found"),
            std::string::npos)
      << r.notes.notes[0].message;
  EXPECT_EQ(r.notes.notes[0].line, 1);
  EXPECT_EQ(summary(r.findings),
            (Strings{"5:26 cpp.strcat rewrite " + kTable, "6:59 cpp.string rewrite " + kTable}));
}

TEST(CppTest, ExpressionsClangDropsAreAttentionNotMissed) {
  TempDir dir;
  // kDataset's header is missing: Clang drops both statements (undeclared names), the token pass
  // keeps each literal with a hole for what it is joined to.
  const std::string text =
      "#include \"common/datasets.h\"\n"
      "#include <string>\n"
      "std::string A() { return absl::StrCat(kDataset, \".user_profile_v1\"); }\n"
      "std::string B() { return kDataset + \".user_profile_v1\"; }\n"
      "void C() { Read(\"acme-prod.core_users.user_profile_v1\", kOptions); }\n"
      "void D() { Read(\"acme-prod.core_users.user_profile_v1\", 3); }\n";
  const auto a = analyzer(dir.path());
  const Analysis r = analyze(*a, "src/lost.cc", text);
  EXPECT_GE(r.notes.parseErrors, 4);
  EXPECT_EQ(summary(r.findings),
            (Strings{"3:50 cpp.string attention ${…}.user_profile_v1",
                     "4:38 cpp.string attention ${…}.user_profile_v1",
                     "5:18 cpp.string attention " + kTable + "${…}",
                     "6:18 cpp.string rewrite " + kTable}));
}

TEST(CppTest, FallbackFlagsFindEachProjectsIncludeFolder) {
  TempDir dir;
  dir.write("services/feature-server/include/server/tables.h",
            "#pragma once\ninline constexpr char kDataset[] = \"acme-prod.core_users\";\n");
  const std::string text =
      "#include \"server/tables.h\"\n#include <string>\n"
      "std::string T() { return std::string(kDataset) + \".user_profile_v1\"; }\n";
  const auto a = analyzer(dir.path());
  const Analysis r = analyze(*a, "services/feature-server/src/t.cc", text);
  EXPECT_EQ(r.notes.parseErrors, 0) << (r.notes.notes.empty() ? "" : r.notes.notes[0].message);
  EXPECT_EQ(summary(r.findings), (Strings{"3:38 cpp.concat rewrite " + kTable}));
}

TEST(CppTest, MacrosAreEditedWhereTheyAreSpelledInTheFile) {
  TempDir dir;
  dir.write("include/common/tables.h", "#pragma once\n#define HEADER_TABLE \"" + kTable + "\"\n");
  const std::string text = "#include \"common/tables.h\"\n"
                           "#define TOPIC \"playback-events\"\n"
                           "#define TWICE(x) Run(x); Log(x)\n"
                           "#define NAME(x) #x\n"
                           "void Run(const char*); void Log(const char*);\n"
                           "void A() { Run(TOPIC); }\n"
                           "void B() { TWICE(\"" +
                           kTable +
                           "\"); }\n"
                           "void C() { Run(HEADER_TABLE \"$20240101\"); }\n"
                           "void D() { Run(NAME(playback-events)); }\n";
  const auto a = analyzer(dir.path());
  const Analysis r = analyze(*a, "src/macros.cc", text);
  EXPECT_EQ(r.notes.parseErrors, 0);
  // TOPIC: at its #define (once, not at the expansion); TWICE: one finding for its argument;
  // HEADER_TABLE: the header is analyzed on its own; NAME: built by `#`, not written anywhere
  // (and passed to no name that says topic, so it awaits a sink).
  ASSERT_EQ(summary(r.findings),
            (Strings{"2:16 cpp.topic-name rewrite playback-events",
                     "7:19 cpp.string rewrite " + kTable,
                     "9:16 cpp.string attention playback-events"}));
  const ValueEdit& built = r.findings[2].changes.at(0);
  EXPECT_LT(built.value->pieces.at(0).constantUses, 0);
  EXPECT_EQ(built.value->pieces[0].constant,
            "a string built by the # or ## operator of macro NAME");
}

TEST(CppTest, HeaderConstantsAreKnownButNotEditableHere) {
  TempDir dir;
  dir.write("include/tables.h", "#pragma once\nconstexpr char kProject[] = \"acme-prod\";\n");
  const std::string text =
      "#include \"tables.h\"\n#include <string>\n"
      "std::string T() { return std::string(kProject) + \".core_users.user_profile_v1\"; }\n";
  const auto a = analyzer(dir.path());
  const Analysis r = analyze(*a, "src/t.cc", text, "acme-data.users.user_profile");
  ASSERT_EQ(summary(r.findings), (Strings{"3:38 cpp.concat rewrite " + kTable}));
  const DecodedString& v = *r.findings[0].changes.at(0).value;
  const LiteralPiece& project = v.pieces.at(v.piece[0]);
  EXPECT_EQ(project.constant, "constant kProject, which is declared in include/tables.h");
  EXPECT_LT(project.constantUses, 0);
  EXPECT_EQ(text.substr(project.begin, project.end - project.begin), "kProject");
}

TEST(CppTest, CompileCommandsDecideTheParse) {
  TempDir dir;
  dir.write("third_party/bq/client.h", "#pragma once\nnamespace bq { void Query(const char*); }\n"
                                       "#define BQ_TABLE \"" +
                                           kTable + "\"\n");
  const std::string text =
      "#include \"bq/client.h\"\n"
      "#ifndef TABLE_PROJECT\n#error needs TABLE_PROJECT\n#endif\n"
      "void Q() { bq::Query(TABLE_PROJECT \".core_users.user_profile_v1\"); }\n"
      "void R() { bq::Query(BQ_TABLE); }\n";
  dir.write("src/q.cc", text);
  dir.write("build/compile_commands.json",
            R"([{"directory": "..", "file": "src/q.cc",
                 "command": "g++ -std=c++17 -Ithird_party -DTABLE_PROJECT='\"acme-prod\"' -c src/q.cc -o q.o"}])");
  const auto a = analyzer(dir.path());
  const Analysis r = analyze(*a, "src/q.cc", text);
  EXPECT_EQ(r.notes.parseErrors, 0) << (r.notes.notes.empty() ? "" : r.notes.notes[0].message);
  // BQ_TABLE comes from a header of the checkout found through the relative -Ithird_party: it is
  // reported where the header is analyzed, not here.
  ASSERT_EQ(summary(r.findings), (Strings{"5:22 cpp.string rewrite " + kTable}));

  // Without the database: the fallback flags, errors noted, the literal still analyzed.
  TempDir bare;
  const auto fallback = analyzer(bare.path());
  const Analysis f = analyze(*fallback, "src/q.cc", text);
  EXPECT_GE(f.notes.parseErrors, 2);
  // TABLE_PROJECT is unknown there: Clang drops the call, the token pass keeps the literal and
  // the macro glued to it (a hole).
  EXPECT_EQ(summary(f.findings),
            (Strings{"5:37 cpp.string attention ${…}.core_users.user_profile_v1"}));
}

TEST(CppTest, AnExplicitCompileCommandsThatCannotBeReadIsAnError) {
  TempDir dir;
  auto missing = makeCppAnalyzer({}, AnalyzerContext{dir.path(), dir.path() / "nope.json"});
  ASSERT_FALSE(missing.hasValue());
  EXPECT_NE(missing.error().message.find("--compile-commands"), std::string::npos);
  dir.write("bad/compile_commands.json", "{ not json");
  auto bad = makeCppAnalyzer({}, AnalyzerContext{dir.path(), dir.path() / "bad"});
  ASSERT_FALSE(bad.hasValue());
  EXPECT_NE(bad.error().message.find("not a JSON array"), std::string::npos);
}

TEST(CppTest, ObjectiveCAndCudaAreSkippedWithANote) {
  TempDir dir;
  const auto a = analyzer(dir.path());
  for (const std::string path : {"ios/Profile.mm", "gpu/kernel.cu"}) {
    const Analysis r = analyze(*a, path, "const char* t = \"" + kTable + "\";\n");
    EXPECT_TRUE(r.notes.skipped) << path;
    EXPECT_TRUE(r.findings.empty()) << path;
    ASSERT_EQ(r.notes.notes.size(), 1u);
    EXPECT_EQ(r.notes.notes[0].file, path);
  }
}

TEST(CppTest, VerifyEditsGoesThroughClangReplacements) {
  TempDir dir;
  const auto a = analyzer(dir.path());
  const std::string text = "const char* t = \"acme-prod.core_users.user_profile_v1\"; int x = 1;\n";
  const SourceFile file{"src/t.cc", text};
  const size_t v1 = text.find("v1");
  const auto apply = [&](std::vector<SourceEdit> edits) {
    std::string out = text;
    for (auto it = edits.rbegin(); it != edits.rend(); ++it)
      out.replace(it->offset, it->length, it->text);
    return a->verifyEdits(file, edits, out);
  };
  EXPECT_TRUE(apply({SourceEdit{v1, 2, "v2"}}).hasValue());
  // Outside any literal: refused even though it parses.
  EXPECT_FALSE(apply({SourceEdit{text.find("1;"), 1, "2"}}).hasValue());
  // A quote would split the literal.
  const auto split = apply({SourceEdit{v1, 2, "\" \""}});
  ASSERT_FALSE(split.hasValue());
  // Overlapping edits conflict in Replacements.
  const auto conflict = apply({SourceEdit{v1, 2, "v2"}, SourceEdit{v1 + 1, 1, "3"}});
  ASSERT_FALSE(conflict.hasValue());
  EXPECT_NE(conflict.error().message.find("conflict"), std::string::npos);
  // A text that is not what the edits make is refused.
  EXPECT_FALSE(
      a->verifyEdits(file, std::vector<SourceEdit>{SourceEdit{v1, 2, "v2"}}, text).hasValue());
}

TEST(CppTest, ServesManyThreadsAtOnce) {
  TempDir dir;
  const auto a = analyzer(dir.path());
  const std::string text = "#include <string>\nconst std::string kDataset = \"core_users\";\n"
                           "std::string t = \"acme-prod.\" + kDataset + \".user_profile_v1\";\n";
  const Strings expected = summary(analyze(*a, "a.cc", text).findings);
  ASSERT_EQ(expected.size(), 1u);
  std::vector<Strings> got(4);
  {
    std::vector<std::jthread> threads;
    for (size_t i = 0; i < got.size(); ++i)
      threads.emplace_back([&, i] { got[i] = summary(analyze(*a, "a.cc", text).findings); });
  }
  for (const Strings& g : got)
    EXPECT_EQ(g, expected);
}

} // namespace
} // namespace godwit
