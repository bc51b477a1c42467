#pragma once
// Running Clang on one file held in memory: its compile command (compile_commands.json or the
// fallback flags), headers that are not found stood in for, diagnostics counted. Internal to the
// C++ analyzer; the only header besides CppAnalyzer.cpp that sees LLVM.

#include "analyzers/Analyzer.h"
#include "rules/Expected.h"

#include <clang/AST/ASTContext.h>
#include <clang/Basic/LangOptions.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Lex/Preprocessor.h>
#include <clang/Tooling/CompilationDatabase.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace godwit::cpp {

/// How one file is compiled.
struct CompileCommand {
  std::vector<std::string> args; ///< The command line, driver first; names `file` as its input.
  std::string directory;         ///< The command's working directory.
  std::string file;              ///< Absolute path the file's text is mapped at.
  bool fromDatabase = false;     ///< From compile_commands.json (else the fallback flags).
  std::string heuristic;         ///< Set when the database entry was borrowed from a similar file.
  std::string skipped;           ///< Non-empty: no Clang mode fits the file, and why.
};

/// The compile commands of a checkout: compile_commands.json when there is one, else the
/// fallback flags. One instance serves many threads.
class CompileCommands {
public:
  /// Finds the database: `context.compileCommands` (a file, or a folder holding
  /// compile_commands.json), else `<root>/compile_commands.json`, else
  /// `<root>/build/compile_commands.json`. An explicitly given database that cannot be read is an
  /// error; a found one is read when the first C++ file needs it.
  static Expected<std::unique_ptr<CompileCommands>> open(const AnalyzerContext& context);

  /// The command for `path` (relative to the root). A file the database does not list gets the
  /// command of its most similar entry (headers: the matching source file).
  CompileCommand commandFor(std::string_view path) const;

  /// The fallback command: `-std=c++17 -fsyntax-only`, the file's folder and `<root>/include`.
  CompileCommand fallbackFor(std::string_view path) const;

  /// Why the found database could not be used, or empty.
  std::string databaseProblem() const;

  /// The database file in use, or empty.
  const std::filesystem::path& databasePath() const { return dbPath_; }

private:
  CompileCommands(std::filesystem::path root, std::filesystem::path dbPath);
  Expected<void> load() const;

  std::filesystem::path root_;
  std::filesystem::path dbPath_;
  mutable std::once_flag loaded_;
  mutable std::mutex mutex_; // the database's lookups are not documented as thread-safe
  mutable std::unique_ptr<clang::tooling::CompilationDatabase> db_;
  mutable std::string problem_;
};

/// What one parse gives besides the AST.
struct ParseResult {
  bool parsed = false; ///< The frontend ran; false when the driver refused the command.
  int errors = 0;      ///< Error diagnostics plus headers that were not found.
  std::string firstError;
  int firstLine = 0;   ///< Position of the first error in the main file (its #include line when
  int firstColumn = 0; ///< the error is in a header); 0 when unknown.
  std::vector<std::string> missingHeaders; ///< As written in the #include directives.
};

/// Hooks into one parse, called on the parsing thread.
class ParseClient {
public:
  virtual ~ParseClient() = default;
  /// Before preprocessing starts (add PPCallbacks here).
  virtual void begin(clang::CompilerInstance& ci) = 0;
  /// With the complete AST; the preprocessor is still alive.
  virtual void end(clang::ASTContext& context, clang::Preprocessor& pp) = 0;
};

/// Parses `text` as the file of `command`, syntax only; `client` may be null. A header that is
/// not found is replaced by a stand-in declaring the string vocabulary godwit recognizes
/// (absl::StrCat, absl::string_view, fmt::format), counted as an error, and parsing goes on.
ParseResult parse(const CompileCommand& command, std::string_view text, ParseClient* client);

/// Language options for raw lexing of C++ (C++20 with the GNU extensions off).
clang::LangOptions rawLangOptions();

} // namespace godwit::cpp
