// Notebooks: which cells are which documents, what is never read, and malformed notebooks.
#include "analyzers/notebook/Notebook.h"

#include <gtest/gtest.h>

#include <string>

namespace godwit {
namespace {

std::string notebook(const std::string& cells, const std::string& metadata = "{}",
                     const std::string& format = "4") {
  return "{\n \"cells\": [" + cells + "],\n \"metadata\": " + metadata +
         ",\n \"nbformat\": " + format + ",\n \"nbformat_minor\": 5\n}\n";
}

std::string cell(const std::string& type, const std::string& source,
                 const std::string& outputs = "") {
  return "{\"cell_type\": \"" + type + "\", \"metadata\": {}, " +
         (type == "code" ? "\"outputs\": [" + outputs + "], " : std::string()) +
         "\"source\": " + source + "}";
}

TEST(NotebookSplit, CodeCellsAreDecodedPythonWithMagicsSetAside) {
  const std::string text =
      notebook(cell("code", R"(["%matplotlib inline\n", "x = \"a\\tb\"\n", "  !ls"])") + ", " +
               cell("code", R"("y = 1")"));
  auto parts = splitNotebook(SourceFile{"a.ipynb", text});
  ASSERT_TRUE(parts) << parts.error().str();
  ASSERT_EQ(parts->python.size(), 2u);
  EXPECT_EQ(parts->python[0].text, "pass\nx = \"a\\tb\"\n  pass");
  EXPECT_TRUE(parts->python[0].inJsonString);
  // `\"` in the JSON is one document byte made of two host bytes.
  const size_t quote = parts->python[0].text.find('"');
  EXPECT_EQ(parts->python[0].srcEnd[quote] - parts->python[0].srcBegin[quote], 2u);
  ASSERT_EQ(parts->text.size(), 1u); // the `%` line, read for attention
  ASSERT_EQ(parts->shell.size(), 1u); // the `!` line without its `!`, a shell document
  EXPECT_EQ(parts->shell[0].language, "shell");
  EXPECT_EQ(parts->shell[0].text, "ls");
  EXPECT_TRUE(parts->shell[0].inJsonString);
  EXPECT_EQ(joinCells(parts->python).text, "pass\nx = \"a\\tb\"\n  pass\ny = 1");
}

TEST(NotebookSplit, BigQueryCellsAreSqlWithoutTheirMagicLine) {
  const std::string text =
      notebook(cell("code", R"(["%%bigquery df --project p\n", "SELECT 1\n", "FROM t"])") + ", " +
               cell("code", R"(["%%bash\n", "bq ls"])") + ", " +
               cell("markdown", R"(["# Title"])") + ", " + cell("raw", R"(["raw text"])"));
  auto parts = splitNotebook(SourceFile{"a.ipynb", text});
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->sql.size(), 1u);
  EXPECT_EQ(parts->sql[0].text, "SELECT 1\nFROM t");
  EXPECT_TRUE(parts->python.empty());
  ASSERT_EQ(parts->markdown.size(), 1u);
  EXPECT_EQ(parts->markdown[0].language, "markdown");
  EXPECT_EQ(parts->text.size(), 1u); // the raw cell
  ASSERT_EQ(parts->shell.size(), 1u); // the %%bash cell without its first line
  EXPECT_EQ(parts->shell[0].text, "bq ls");
}

TEST(NotebookSplit, ShellLinesThatIPythonRewritesStayText) {
  const std::string text =
      notebook(cell("code", R"(["!bq show {t}\n", "!gsutil ls $P\n", "!!ls\n", "!ls \\\n",
                                "%%script bash\n"])") +
               ", " + cell("code", R"(["%%script bash\n", "bq ls"])"));
  auto parts = splitNotebook(SourceFile{"a.ipynb", text});
  ASSERT_TRUE(parts) << parts.error().str();
  EXPECT_TRUE(parts->shell.empty());
  ASSERT_EQ(parts->text.size(), 6u);
  EXPECT_NE(parts->text[0].reason.find("IPython fills in"), std::string::npos);
  EXPECT_NE(parts->text[5].reason.find("%%script"), std::string::npos);
}

TEST(NotebookSplit, OutputsAreNeverRead) {
  const std::string text = notebook(
      cell("code", R"(["x = 1"])",
           R"({"output_type": "stream", "name": "stdout", "text": ["acme-prod.core_users.t\n"]})"));
  auto parts = splitNotebook(SourceFile{"a.ipynb", text});
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->python.size(), 1u);
  EXPECT_EQ(parts->python[0].text, "x = 1");
  EXPECT_TRUE(parts->text.empty());
}

TEST(NotebookSplit, OtherKernelsAreTextOnly) {
  const std::string text = notebook(cell("code", R"(["val x = 1"])"),
                                    R"({"kernelspec": {"language": "scala", "name": "s"}})");
  auto parts = splitNotebook(SourceFile{"a.ipynb", text});
  ASSERT_TRUE(parts);
  EXPECT_TRUE(parts->python.empty());
  ASSERT_EQ(parts->text.size(), 1u);
  EXPECT_NE(parts->text[0].reason.find("scala"), std::string::npos);
}

TEST(NotebookSplit, InvalidJsonIsAnErrorWithItsPlace) {
  const std::string text = "{\n \"cells\": [,\n}\n";
  auto parts = splitNotebook(SourceFile{"nb/a.ipynb", text});
  ASSERT_FALSE(parts);
  EXPECT_EQ(parts.error().file, "nb/a.ipynb");
  EXPECT_EQ(parts.error().line, 2);
  EXPECT_NE(parts.error().message.find("not valid JSON"), std::string::npos);
}

TEST(NotebookSplit, OlderFormatsAreUnsupportedNotErrors) {
  auto parts = splitNotebook(SourceFile{"a.ipynb", notebook("", "{}", "3")});
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->unsupported, std::optional<std::string>("it is nbformat 3"));
  auto notAnObject = splitNotebook(SourceFile{"a.ipynb", "[1]"});
  EXPECT_FALSE(notAnObject);
}

TEST(NotebookAnalyzer, SyntaxErrorsCountJsonAndCode) {
  auto analyzer = makeNotebookAnalyzer({});
  ASSERT_TRUE(analyzer);
  EXPECT_EQ((*analyzer)->syntaxErrors(notebook(cell("code", R"(["x = 1"])"))), 0);
  EXPECT_GT((*analyzer)->syntaxErrors(notebook(cell("code", R"(["def (:"])"))), 0);
  EXPECT_GT((*analyzer)->syntaxErrors("{\"cells\": ["), 0);
}

} // namespace
} // namespace godwit
