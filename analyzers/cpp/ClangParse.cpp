#include "analyzers/cpp/ClangParse.h"
#include "rules/Text.h"

#include <clang/AST/ASTConsumer.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/FileManager.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Lex/Lexer.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/JSONCompilationDatabase.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/VirtualFileSystem.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#if !defined(GODWIT_CLANG_RESOURCE_DIR) || !defined(GODWIT_CLANG_DRIVER)
#error                                                                                             \
    "GODWIT_CLANG_RESOURCE_DIR and GODWIT_CLANG_DRIVER must name Clang's resource directory and driver"
#endif

namespace godwit::cpp {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMissingDir = "/__godwit_missing_headers__";

// What a header that was not found becomes. It declares the names the analyzer composes values
// from, so `absl::StrCat(kDataset, ".t")` still parses when absl's headers are not there. The
// guard keeps it to one copy however many headers are missing.
constexpr std::string_view kStandIn = R"(// godwit: stand-in for a header that was not found
#ifndef GODWIT_MISSING_HEADER_STAND_IN
#define GODWIT_MISSING_HEADER_STAND_IN
#include <string>
#include <string_view>
namespace absl {
using std::string_view;
template <typename... T> std::string StrCat(const T&...);
} // namespace absl
namespace fmt {
template <typename... T> std::string format(std::string_view, T&&...);
} // namespace fmt
#if __cplusplus > 201703L && !defined(__cpp_lib_format)
namespace std {
template <typename... T> string format(string_view, T&&...);
} // namespace std
#endif
#endif
)";

/// Counts errors and keeps the first one with its position in the main file.
class ErrorCounter : public clang::DiagnosticConsumer {
public:
  explicit ErrorCounter(ParseResult& result) : result_(result) {}

  void HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                        const clang::Diagnostic& info) override {
    clang::DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level < clang::DiagnosticsEngine::Error)
      return;
    ++result_.errors;
    if (!result_.firstError.empty())
      return;
    llvm::SmallString<128> message;
    info.FormatDiagnostic(message);
    result_.firstError = std::string(message.str());
    if (info.hasSourceManager() && info.getLocation().isValid()) {
      const clang::SourceManager& sm = info.getSourceManager();
      clang::SourceLocation loc = sm.getFileLoc(info.getLocation());
      // An error in a header is shown at the #include that brought the header in.
      for (clang::FileID fid = sm.getFileID(loc); fid.isValid() && fid != sm.getMainFileID();
           fid = sm.getFileID(loc))
        loc = sm.getIncludeLoc(fid);
      if (loc.isValid() && sm.getFileID(loc) == sm.getMainFileID()) {
        result_.firstLine = static_cast<int>(sm.getSpellingLineNumber(loc));
        result_.firstColumn = static_cast<int>(sm.getSpellingColumnNumber(loc));
      }
    }
  }

private:
  ParseResult& result_;
};

/// Stands in for headers that are not found (Preprocessor's recovery hook) and counts them.
class MissingHeaders : public clang::PPCallbacks {
public:
  MissingHeaders(llvm::vfs::InMemoryFileSystem& memory, const clang::SourceManager& sm,
                 ParseResult& result)
      : memory_(memory), sm_(sm), result_(result) {}

  bool FileNotFound(llvm::StringRef name, llvm::SmallVectorImpl<char>& recoveryPath) override {
    if (name.contains("..") || name.startswith("/"))
      return false;
    // A folder of its own for each: the file manager remembers folders it did not find, and an
    // earlier stand-in's folder is already on the search path.
    const std::string dir = std::string(kMissingDir) + "/" + std::to_string(++count_);
    const std::string path = dir + "/" + name.str();
    if (!memory_.addFile(path, 0, llvm::MemoryBuffer::getMemBuffer(kStandIn, path)))
      return false;
    recoveryPath.assign(dir.begin(), dir.end());
    return true;
  }

  void InclusionDirective(clang::SourceLocation hash, const clang::Token&, llvm::StringRef name,
                          bool, clang::CharSourceRange, const clang::FileEntry* file,
                          llvm::StringRef, llvm::StringRef, const clang::Module*,
                          clang::SrcMgr::CharacteristicKind) override {
    // The preprocessor's retry after FileNotFound reports no search path: the file tells.
    if (file == nullptr || !file->getName().startswith(kMissingDir))
      return;
    result_.missingHeaders.push_back(name.str());
    ++result_.errors;
    if (!result_.firstError.empty())
      return;
    result_.firstError.append("'").append(name.str()).append("' file not found");
    if (sm_.getFileID(hash) == sm_.getMainFileID()) {
      result_.firstLine = static_cast<int>(sm_.getSpellingLineNumber(hash));
      result_.firstColumn = static_cast<int>(sm_.getSpellingColumnNumber(hash));
    }
  }

private:
  llvm::vfs::InMemoryFileSystem& memory_;
  const clang::SourceManager& sm_;
  ParseResult& result_;
  int count_ = 0;
};

class Consumer : public clang::ASTConsumer {
public:
  Consumer(clang::CompilerInstance& ci, ParseClient* client, ParseResult& result)
      : ci_(ci), client_(client), result_(result) {}

  void HandleTranslationUnit(clang::ASTContext& context) override {
    result_.parsed = true;
    if (client_ != nullptr)
      client_->end(context, ci_.getPreprocessor());
  }

private:
  clang::CompilerInstance& ci_;
  ParseClient* client_;
  ParseResult& result_;
};

class Action : public clang::ASTFrontendAction {
public:
  Action(llvm::vfs::InMemoryFileSystem& memory, ParseClient* client, ParseResult& result)
      : memory_(memory), client_(client), result_(result) {}

protected:
  bool BeginSourceFileAction(clang::CompilerInstance& ci) override {
    ci.getPreprocessor().addPPCallbacks(
        std::make_unique<MissingHeaders>(memory_, ci.getSourceManager(), result_));
    if (client_ != nullptr)
      client_->begin(ci);
    return true;
  }

  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance& ci,
                                                        llvm::StringRef) override {
    return std::make_unique<Consumer>(ci, client_, result_);
  }

private:
  llvm::vfs::InMemoryFileSystem& memory_;
  ParseClient* client_;
  ParseResult& result_;
};

std::string baseName(std::string_view path) {
  const size_t slash = path.find_last_of("/\\");
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string lowerExtension(std::string_view path) {
  return lower(fs::path(std::string(path)).extension().string());
}

/// Why no Clang mode fits a file of this extension, or empty.
std::string skipForExtension(std::string_view path) {
  const std::string ext = lowerExtension(path);
  if (ext == ".mm" || ext == ".m")
    return "Objective-C++ file: godwit's C++ analyzer does not parse Objective-C; check it by hand";
  if (ext == ".cu" || ext == ".cuh")
    return "CUDA file: godwit's C++ analyzer does not parse CUDA; check it by hand";
  return {};
}

/// The flags every parse gets, after the command's own: syntax only, every error counted, no
/// warnings (they never count), and Clang's own builtin headers.
void addParseFlags(std::vector<std::string>& args) {
  args.insert(args.end(), {"-fsyntax-only", "-ferror-limit=0", "-w", "-fno-spell-checking",
                           "-fno-color-diagnostics", "-fno-caret-diagnostics",
                           std::string("-resource-dir=") + GODWIT_CLANG_RESOURCE_DIR});
}

/// Drops what a syntax-only parse must not do or cannot use (outputs, dependency files,
/// plugins, precompiled headers, LLVM options) and the input file; the caller appends its own.
std::vector<std::string> cleanedArguments(const std::vector<std::string>& in,
                                          const std::string& directory,
                                          const std::vector<fs::path>& inputs) {
  static const std::vector<std::string_view> withValue = {"-o",
                                                          "-MF",
                                                          "-MT",
                                                          "-MQ",
                                                          "-include-pch",
                                                          "-mllvm",
                                                          "-Xclang",
                                                          "--serialize-diagnostics",
                                                          "-resource-dir",
                                                          "-Xlinker",
                                                          "-Xassembler",
                                                          "-Xpreprocessor"};
  static const std::vector<std::string_view> alone = {"--",
                                                      "-c",
                                                      "-S",
                                                      "-E",
                                                      "-M",
                                                      "-MM",
                                                      "-MD",
                                                      "-MMD",
                                                      "-MG",
                                                      "-MP",
                                                      "-fsyntax-only",
                                                      "-fcolor-diagnostics",
                                                      "-pipe"};
  static const std::vector<std::string_view> prefixes = {"-fplugin=",
                                                         "-fpass-plugin=",
                                                         "-Werror",
                                                         "-resource-dir=",
                                                         "-save-temps",
                                                         "-ftime-trace",
                                                         "-o",
                                                         "-MF",
                                                         "-MT",
                                                         "-MQ",
                                                         "-fdiagnostics-color"};
  static const std::vector<std::string> launchers = {"ccache", "sccache", "distcc", "icecc"};
  std::vector<std::string> out;
  size_t first = 0;
  // A compiler launcher runs the real compiler named next.
  while (first < in.size() &&
         std::find(launchers.begin(), launchers.end(), baseName(in[first])) != launchers.end())
    ++first;
  for (size_t i = first; i < in.size(); ++i) {
    const std::string& a = in[i];
    if (i > first) {
      if (std::find(withValue.begin(), withValue.end(), a) != withValue.end()) {
        ++i;
        continue;
      }
      if (std::find(alone.begin(), alone.end(), a) != alone.end())
        continue;
      if (std::any_of(prefixes.begin(), prefixes.end(),
                      [&](std::string_view p) { return std::string_view(a).starts_with(p); }))
        continue;
      if (!a.empty() && a[0] != '-') {
        fs::path p(a);
        if (p.is_relative())
          p = fs::path(directory) / p;
        p = p.lexically_normal();
        if (std::find(inputs.begin(), inputs.end(), p) != inputs.end())
          continue;
      }
    }
    out.push_back(a);
  }
  return out;
}

/// Why the command cannot be parsed by Clang (CUDA, Objective-C), or empty.
std::string skipForCommand(const std::vector<std::string>& args) {
  if (!args.empty() && baseName(args[0]).find("nvcc") != std::string::npos)
    return "CUDA file (compiled with nvcc): godwit's C++ analyzer does not parse CUDA; check it "
           "by hand";
  for (size_t i = 0; i < args.size(); ++i) {
    std::string language;
    if (args[i] == "-x" && i + 1 < args.size())
      language = args[i + 1];
    else if (args[i].starts_with("-x") && args[i].size() > 2)
      language = args[i].substr(2);
    if (language.starts_with("cuda") || args[i].starts_with("--cuda"))
      return "CUDA file: godwit's C++ analyzer does not parse CUDA; check it by hand";
    if (language.starts_with("objective-c"))
      return "Objective-C++ file: godwit's C++ analyzer does not parse Objective-C; check it by "
             "hand";
  }
  return {};
}

/// compile_commands.json with each relative `directory` taken relative to the database's own
/// folder (the JSON format wants absolute ones; relative ones keep checked-in databases usable).
Expected<std::string> readDatabase(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return makeError("cannot read " + path.string(), "check that the file exists and is readable");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
  if (json.is_discarded() || !json.is_array())
    return makeError(path.string() + " is not a JSON array of compile commands",
                     "regenerate it (e.g. cmake -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)");
  const fs::path base = fs::absolute(path).parent_path();
  for (auto& entry : json) {
    if (!entry.is_object() || !entry.contains("directory") || !entry["directory"].is_string())
      continue;
    const fs::path dir(entry["directory"].get<std::string>());
    if (dir.is_relative())
      entry["directory"] = (base / dir).lexically_normal().string();
  }
  return json.dump();
}

} // namespace

CompileCommands::CompileCommands(fs::path root, fs::path dbPath)
    : root_(std::move(root)), dbPath_(std::move(dbPath)) {}

Expected<std::unique_ptr<CompileCommands>> CompileCommands::open(const AnalyzerContext& context) {
  const fs::path root = fs::absolute(context.root).lexically_normal();
  std::error_code ec;
  if (!context.compileCommands.empty()) {
    fs::path db = fs::absolute(context.compileCommands);
    if (fs::is_directory(db, ec))
      db /= "compile_commands.json";
    std::unique_ptr<CompileCommands> commands(new CompileCommands(root, db.lexically_normal()));
    if (auto loaded = commands->load(); !loaded) {
      Error e = loaded.error();
      e.message = "--compile-commands: " + e.message;
      return e;
    }
    return commands;
  }
  fs::path found;
  for (const fs::path& candidate :
       {root / "compile_commands.json", root / "build" / "compile_commands.json"}) {
    if (fs::is_regular_file(candidate, ec)) {
      found = candidate;
      break;
    }
  }
  return std::unique_ptr<CompileCommands>(new CompileCommands(root, found));
}

Expected<void> CompileCommands::load() const {
  Expected<void> result;
  std::call_once(loaded_, [&] {
    if (dbPath_.empty())
      return;
    auto text = readDatabase(dbPath_);
    if (!text) {
      problem_ = text.error().message;
      result = text.error();
      return;
    }
    std::string why;
    auto db = clang::tooling::JSONCompilationDatabase::loadFromBuffer(
        *text, why, clang::tooling::JSONCommandLineSyntax::AutoDetect);
    if (!db) {
      problem_ = dbPath_.string() + " cannot be used: " + why;
      result = makeError(problem_, "regenerate it (e.g. cmake -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)");
      return;
    }
    db_ = clang::tooling::inferMissingCompileCommands(std::move(db));
  });
  return result;
}

std::string CompileCommands::databaseProblem() const {
  (void)load();
  return problem_;
}

CompileCommand CompileCommands::fallbackFor(std::string_view path) const {
  CompileCommand c;
  const fs::path file = (root_ / fs::path(std::string(path))).lexically_normal();
  c.file = file.string();
  c.directory = root_.string();
  c.skipped = skipForExtension(path);
  const std::string ext = lowerExtension(path);
  const bool header = ext == ".h" || ext == ".hh" || ext == ".hpp" || ext == ".hxx";
  c.args = {GODWIT_CLANG_DRIVER, "-std=c++17", "-I" + file.parent_path().string()};
  // `include/` of the root, and of every folder between the file and the root that has one (a
  // checkout holding several projects, each with its own headers), nearest first.
  std::error_code ec;
  for (fs::path dir = file.parent_path(); dir != root_ && dir.has_relative_path();
       dir = dir.parent_path())
    if (fs::is_directory(dir / "include", ec) && dir / "include" != file.parent_path())
      c.args.push_back("-I" + (dir / "include").string());
  c.args.push_back("-I" + (root_ / "include").string());
  c.args.insert(c.args.end(), {"-x", header ? "c++-header" : "c++", c.file});
  addParseFlags(c.args);
  return c;
}

CompileCommand CompileCommands::commandFor(std::string_view path) const {
  CompileCommand fallback = fallbackFor(path);
  if (!fallback.skipped.empty())
    return fallback;
  (void)load();
  if (!db_)
    return fallback;
  std::vector<clang::tooling::CompileCommand> found;
  {
    std::lock_guard lock(mutex_);
    found = db_->getCompileCommands(fallback.file);
  }
  if (found.empty() || found.front().CommandLine.empty())
    return fallback;
  const clang::tooling::CompileCommand& entry = found.front();
  CompileCommand c;
  c.fromDatabase = true;
  c.file = fallback.file;
  c.directory = entry.Directory;
  c.heuristic = entry.Heuristic;
  c.skipped = skipForCommand(entry.CommandLine);
  fs::path listed(entry.Filename);
  if (listed.is_relative())
    listed = fs::path(entry.Directory) / listed;
  c.args = cleanedArguments(entry.CommandLine, entry.Directory,
                            {listed.lexically_normal(), fs::path(c.file)});
  c.args.push_back(c.file);
  addParseFlags(c.args);
  return c;
}

ParseResult parse(const CompileCommand& command, std::string_view text, ParseClient* client) {
  ParseResult result;
  llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> overlay(
      new llvm::vfs::OverlayFileSystem(llvm::vfs::createPhysicalFileSystem()));
  llvm::IntrusiveRefCntPtr<llvm::vfs::InMemoryFileSystem> memory(new llvm::vfs::InMemoryFileSystem);
  overlay->pushOverlay(memory);
  // A physical file system of its own: changing its working directory leaves the process's (and
  // other threads') alone. A directory that does not exist keeps the current one.
  (void)overlay->setCurrentWorkingDirectory(command.directory);
  memory->addFile(command.file, 0, llvm::MemoryBuffer::getMemBufferCopy(text, command.file));
  llvm::IntrusiveRefCntPtr<clang::FileManager> files(
      new clang::FileManager(clang::FileSystemOptions(), overlay));

  clang::tooling::ToolInvocation invocation(
      command.args, std::make_unique<Action>(*memory, client, result), files.get(),
      std::make_shared<clang::PCHContainerOperations>());
  ErrorCounter errors(result);
  invocation.setDiagnosticConsumer(&errors);
  invocation.run();
  return result;
}

clang::LangOptions rawLangOptions() {
  clang::LangOptions lo;
  lo.CPlusPlus = lo.CPlusPlus11 = lo.CPlusPlus14 = lo.CPlusPlus17 = lo.CPlusPlus20 = 1;
  lo.LineComment = 1;
  lo.Bool = 1;
  lo.Digraphs = 1;
  return lo;
}

} // namespace godwit::cpp
