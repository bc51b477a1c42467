#include "analyzers/cpp/Cpp.h"

#include "analyzers/ValueFindings.h"
#include "analyzers/cpp/ClangParse.h"
#include "analyzers/cpp/CppLiteral.h"

#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/Lexer.h>
#include <clang/Lex/MacroInfo.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Tooling/Core/Replacement.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

namespace godwit {
namespace cpp {
namespace {

namespace fs = std::filesystem;

/// What built a string expression; it names the finding's context.
enum class Form { Literal, StrCat, Format, Concat };

std::string_view contextName(Form form) {
  switch (form) {
  case Form::StrCat:
    return "cpp.strcat";
  case Form::Format:
    return "cpp.format";
  case Form::Concat:
    return "cpp.concat";
  case Form::Literal:
    break;
  }
  return "cpp.string";
}

/// `ns::Name` without inline namespaces (`std::__cxx11`, `absl::lts_2023…`, `fmt::v9`).
std::string qualifiedName(const clang::NamedDecl* decl) {
  std::string name = decl->getNameAsString();
  for (const clang::DeclContext* dc = decl->getDeclContext(); dc != nullptr; dc = dc->getParent()) {
    if (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(dc)) {
      if (!ns->isInline())
        name = ns->getNameAsString() + "::" + name;
    } else if (const auto* record = llvm::dyn_cast<clang::RecordDecl>(dc)) {
      name = record->getNameAsString() + "::" + name;
    } else if (!llvm::isa<clang::LinkageSpecDecl>(dc)) {
      break;
    }
  }
  return name;
}

std::string recordName(clang::QualType type) {
  if (type.isNull())
    return {};
  const clang::CXXRecordDecl* record = type.getNonReferenceType()->getAsCXXRecordDecl();
  return record != nullptr ? qualifiedName(record) : std::string();
}

/// std::string, std::string_view (any character type) and absl::string_view.
bool isStringClass(clang::QualType type) {
  const std::string name = recordName(type);
  return name == "std::basic_string" || name == "std::basic_string_view" ||
         name == "absl::string_view";
}

/// Classes whose one-argument constructor keeps the text it is given: the string classes and the
/// wrappers that StrCat and format take their arguments as.
bool keepsText(clang::QualType type) {
  const std::string name = recordName(type);
  return isStringClass(type) || name == "absl::AlphaNum" || name == "fmt::basic_string_view" ||
         (name.size() > 13 && name.ends_with("format_string"));
}

bool isCharType(clang::QualType type) {
  return !type.isNull() && type->isAnyCharacterType();
}

/// The string types a constant can have: character arrays and pointers, string classes.
bool isStringType(clang::QualType type, const clang::ASTContext& context) {
  if (type.isNull())
    return false;
  type = type.getNonReferenceType();
  if (type->isArrayType())
    return isCharType(context.getBaseElementType(type));
  if (type->isPointerType())
    return isCharType(type->getPointeeType());
  return isStringClass(type);
}

/// Whether `decl` can be read as a constant: a string type whose value cannot change (const,
/// constexpr; a pointer to const characters counts unless something in the file assigns to it).
bool isConstantCandidate(const clang::VarDecl* decl, const clang::ASTContext& context) {
  if (llvm::isa<clang::ParmVarDecl>(decl) || decl->getAnyInitializer() == nullptr)
    return false;
  const clang::QualType type = decl->getType();
  if (type->isReferenceType() || !isStringType(type, context))
    return false;
  if (decl->isConstexpr() || type.isConstQualified())
    return true;
  if (type->isArrayType())
    return context.getBaseElementType(type).isConstQualified();
  if (type->isPointerType())
    return type->getPointeeType().isConstQualified() && decl->hasGlobalStorage();
  return false;
}

/// A macro defined in the file; its body is where its string literals are edited.
struct MacroDef {
  std::string name;
  uint32_t begin = 0; ///< The macro's name in the #define.
  uint32_t end = 0;   ///< One past the last byte of its body.
  int uses = 0;       ///< Expansions in the file.
};

/// A constant the analysis resolves: its value once decoded, and how the file uses it.
struct Constant {
  const clang::VarDecl* decl = nullptr;
  bool local = true; ///< Defined in this file; otherwise the value is known but not editable.
  std::string label; ///< The piece label: the name, or where a foreign constant is written.
  int uses = 0;
  bool assigned = false;
  int state = 0; // 0 unvisited, 1 decoding, 2 done
  std::optional<DecodedString> value;
};

class FileAnalysis;

/// Records the macros the file defines and counts their expansions in it.
class MacroRecorder : public clang::PPCallbacks {
public:
  MacroRecorder(FileAnalysis& owner, const clang::SourceManager& sm, const clang::LangOptions& lo)
      : owner_(owner), sm_(sm), lo_(lo) {}
  void MacroDefined(const clang::Token& name, const clang::MacroDirective* directive) override;
  void MacroExpands(const clang::Token& name, const clang::MacroDefinition& definition,
                    clang::SourceRange, const clang::MacroArgs*) override;

private:
  FileAnalysis& owner_;
  const clang::SourceManager& sm_;
  const clang::LangOptions& lo_;
};

/// One file's analysis: constants and their uses, string expressions of the AST, then string
/// literal tokens the AST did not cover (macro bodies, inactive code, code Clang dropped after an
/// error), each decoded into a value with its offset map and matched.
class FileAnalysis final : public ParseClient {
public:
  FileAnalysis(const SourceFile& file, std::span<const DatasetMatcher> matchers,
               const fs::path& root)
      : file_(file), matchers_(matchers), root_(root), collector_(file) {}

  void begin(clang::CompilerInstance& ci) override {
    ci.getPreprocessor().addPPCallbacks(
        std::make_unique<MacroRecorder>(*this, ci.getSourceManager(), ci.getLangOpts()));
  }
  void end(clang::ASTContext& context, clang::Preprocessor& pp) override;

  /// The findings in file order.
  std::vector<Finding> takeFindings() {
    collector_.demoteHeldBack();
    std::vector<Finding>& found = collector_.findings();
    std::stable_sort(found.begin(), found.end(),
                     [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
    return std::move(found);
  }

  // The file's own macros, filled by MacroRecorder while Clang preprocesses.
  std::vector<MacroDef> macros;
  std::map<const clang::MacroInfo*, size_t> macroIndex;

private:
  class Visitor;
  friend class Visitor;

  using Range = std::pair<uint32_t, uint32_t>;

  bool inMainFile(clang::SourceLocation loc) const {
    return loc.isValid() && sm_->getFileID(sm_->getExpansionLoc(loc)) == mainFile_;
  }
  uint32_t offsetOf(clang::SourceLocation fileLoc) const { return sm_->getFileOffset(fileLoc); }
  uint32_t tokenEnd(clang::SourceLocation fileLoc) const {
    return offsetOf(fileLoc) + clang::Lexer::MeasureTokenLength(fileLoc, *sm_, *lo_);
  }
  std::optional<Range> mainRange(clang::SourceRange range) const;
  std::optional<fs::path> pathOf(clang::FileID fid) const;
  std::string displayPath(clang::FileID fid) const;
  bool inCheckout(clang::FileID fid) const;
  const MacroDef* macroBodyAt(uint32_t offset) const;

  const clang::Expr* strip(const clang::Expr* e) const;
  std::string calleeName(const clang::Expr* callee) const;
  bool looksLikeString(const clang::Expr* e) const;
  bool isStringExpression(const clang::Expr* e) const;

  bool decode(const clang::Expr* e, DecodedString& out, Form& form);
  void decodeOperand(const clang::Expr* e, DecodedString& out);
  bool decodeCall(std::string_view name, llvm::ArrayRef<const clang::Expr*> args,
                  DecodedString& out, Form& form);
  bool decodeLiteral(const clang::StringLiteral* literal, DecodedString& out);
  bool appendToken(DecodedString& out, clang::SourceLocation loc);
  bool appendConstant(const clang::DeclRefExpr* ref, DecodedString& out);
  Constant* constantFor(const clang::VarDecl* decl);
  const DecodedString* resolve(Constant& c);
  void appendForeign(DecodedString& out, std::string_view value, Range at, const std::string& label,
                     bool analyzedItself);

  void analyzeExpression(const clang::Expr* e);
  void analyzeTokens();
  void addFindings(const DecodedString& value, Range range, Form form);
  /// Marks a topic finding whose value, at source byte `at`, is given to a name that says topic.
  void markTopicSink(Finding& f, uint32_t at) const;

  const SourceFile& file_;
  std::span<const DatasetMatcher> matchers_;
  fs::path root_;
  FindingCollector collector_;

  const clang::SourceManager* sm_ = nullptr;
  const clang::LangOptions* lo_ = nullptr;
  clang::ASTContext* context_ = nullptr;
  clang::FileID mainFile_;

  std::map<const clang::VarDecl*, Constant> constants_; // by canonical declaration
  std::vector<Range> definitions_;    // initializers of the file's constants and its macros
  std::set<uint32_t> consumedTokens_; // literal tokens already part of an analyzed value
  std::set<const clang::Expr*> consumedExprs_;
  // Uses of constants and macros written in another file of the checkout, which is analyzed
  // itself: a reference made only of one of them is reported there.
  std::set<Range> foreignUses_;
  // While decoding an outermost expression: its literal tokens and sub-expressions. Null while
  // resolving a constant (the constant's own definition is analyzed where it stands).
  std::vector<uint32_t>* tokenSink_ = nullptr;
  std::vector<const clang::Expr*>* exprSink_ = nullptr;
  int foreign_ = 0; // > 0 while decoding a constant written in another file
};

void MacroRecorder::MacroDefined(const clang::Token& name, const clang::MacroDirective* directive) {
  const clang::MacroInfo* info = directive->getMacroInfo();
  const clang::SourceLocation b = info->getDefinitionLoc(), e = info->getDefinitionEndLoc();
  if (b.isInvalid() || e.isInvalid() || !b.isFileID() || !e.isFileID() ||
      sm_.getFileID(b) != sm_.getMainFileID() || sm_.getFileID(e) != sm_.getMainFileID())
    return;
  MacroDef def;
  def.name = name.getIdentifierInfo()->getName().str();
  def.begin = sm_.getFileOffset(b);
  def.end = sm_.getFileOffset(e) + clang::Lexer::MeasureTokenLength(e, sm_, lo_);
  owner_.macroIndex[info] = owner_.macros.size();
  owner_.macros.push_back(std::move(def));
}

void MacroRecorder::MacroExpands(const clang::Token& name, const clang::MacroDefinition& definition,
                                 clang::SourceRange, const clang::MacroArgs*) {
  const auto it = owner_.macroIndex.find(definition.getMacroInfo());
  if (it == owner_.macroIndex.end())
    return;
  const clang::SourceLocation at = sm_.getExpansionLoc(name.getLocation());
  if (sm_.getFileID(at) == sm_.getMainFileID())
    ++owner_.macros[it->second].uses;
}

/// Walks the file's own declarations twice: first its constants and their uses, then its string
/// expressions (outermost first).
class FileAnalysis::Visitor : public clang::RecursiveASTVisitor<Visitor> {
public:
  Visitor(FileAnalysis& a, bool strings) : a_(a), strings_(strings) {}

  bool VisitVarDecl(clang::VarDecl* decl) {
    if (strings_ || !a_.inMainFile(decl->getLocation()) || !isConstantCandidate(decl, *a_.context_))
      return true;
    Constant& c = a_.constants_[decl->getCanonicalDecl()];
    c.decl = decl->getCanonicalDecl();
    c.label = decl->getNameAsString();
    if (const clang::Expr* init = decl->getInit())
      if (auto range = a_.mainRange(init->getSourceRange()))
        a_.definitions_.push_back(*range);
    return true;
  }

  bool VisitDeclRefExpr(clang::DeclRefExpr* ref) {
    if (!strings_ && a_.inMainFile(ref->getLocation()))
      if (const auto* var = llvm::dyn_cast<clang::VarDecl>(ref->getDecl()))
        ++uses_[var->getCanonicalDecl()];
    return true;
  }

  bool VisitBinaryOperator(clang::BinaryOperator* op) {
    if (!strings_ && op->isAssignmentOp())
      if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(op->getLHS()->IgnoreParenImpCasts()))
        if (const auto* var = llvm::dyn_cast<clang::VarDecl>(ref->getDecl()))
          assigned_.insert(var->getCanonicalDecl());
    return true;
  }

  bool VisitExpr(clang::Expr* e) {
    if (strings_)
      a_.analyzeExpression(e);
    return true;
  }

  /// Moves the counts of the first walk into the constants.
  void finishConstants() {
    for (auto& [decl, c] : a_.constants_) {
      const auto it = uses_.find(decl);
      c.uses = it == uses_.end() ? 0 : it->second;
      c.assigned = assigned_.count(decl) > 0;
    }
  }

private:
  FileAnalysis& a_;
  bool strings_;
  std::map<const clang::VarDecl*, int> uses_;
  std::set<const clang::VarDecl*> assigned_;
};

void FileAnalysis::end(clang::ASTContext& context, clang::Preprocessor&) {
  context_ = &context;
  sm_ = &context.getSourceManager();
  lo_ = &context.getLangOpts();
  mainFile_ = sm_->getMainFileID();
  bool invalid = false;
  // The offsets below index file_.text: Clang must have parsed exactly these bytes.
  if (sm_->getBufferData(mainFile_, &invalid) !=
          llvm::StringRef(file_.text.data(), file_.text.size()) ||
      invalid)
    return;

  std::vector<clang::Decl*> own;
  for (clang::Decl* decl : context.getTranslationUnitDecl()->decls())
    if (inMainFile(decl->getLocation()))
      own.push_back(decl);
  Visitor constants(*this, false);
  for (clang::Decl* decl : own)
    constants.TraverseDecl(decl);
  constants.finishConstants();
  for (const MacroDef& m : macros)
    definitions_.emplace_back(m.begin, m.end);

  Visitor strings(*this, true);
  for (clang::Decl* decl : own)
    strings.TraverseDecl(decl);
  analyzeTokens();
}

std::optional<FileAnalysis::Range> FileAnalysis::mainRange(clang::SourceRange range) const {
  if (range.isInvalid())
    return std::nullopt;
  // A macro argument is where it is written; anything else from a macro is its expansion.
  clang::SourceLocation b = sm_->getFileLoc(range.getBegin());
  clang::SourceLocation e = sm_->getFileLoc(range.getEnd());
  if (sm_->getFileID(b) != mainFile_ || sm_->getFileID(e) != mainFile_ ||
      offsetOf(b) > offsetOf(e)) {
    const clang::CharSourceRange expansion = sm_->getExpansionRange(range);
    b = expansion.getBegin();
    e = expansion.getEnd();
    if (sm_->getFileID(b) != mainFile_ || sm_->getFileID(e) != mainFile_ ||
        offsetOf(b) > offsetOf(e))
      return std::nullopt;
  }
  return Range{offsetOf(b), tokenEnd(e)};
}

std::optional<fs::path> FileAnalysis::pathOf(clang::FileID fid) const {
  const clang::FileEntry* entry = sm_->getFileEntryForID(fid);
  if (entry == nullptr)
    return std::nullopt;
  fs::path path(entry->getName().str());
  // A header found through a relative -I is named relative to the command's directory.
  if (path.is_relative()) {
    auto cwd = sm_->getFileManager().getVirtualFileSystem().getCurrentWorkingDirectory();
    if (cwd)
      path = fs::path(*cwd) / path;
  }
  return path.lexically_normal();
}

std::string FileAnalysis::displayPath(clang::FileID fid) const {
  const std::optional<fs::path> path = pathOf(fid);
  if (!path)
    return "another file";
  const fs::path relative = path->lexically_relative(root_);
  if (!relative.empty() && *relative.begin() != "..")
    return relative.generic_string();
  return path->generic_string();
}

bool FileAnalysis::inCheckout(clang::FileID fid) const {
  const std::optional<fs::path> path = pathOf(fid);
  const fs::path relative = path ? path->lexically_relative(root_) : fs::path();
  return !relative.empty() && *relative.begin() != "..";
}

const MacroDef* FileAnalysis::macroBodyAt(uint32_t offset) const {
  for (const MacroDef& m : macros)
    if (m.begin <= offset && offset < m.end)
      return &m;
  return nullptr;
}

const clang::Expr* FileAnalysis::strip(const clang::Expr* e) const {
  while (e != nullptr) {
    e = e->IgnoreParens();
    if (const auto* x = llvm::dyn_cast<clang::ImplicitCastExpr>(e)) {
      e = x->getSubExpr();
    } else if (const auto* x = llvm::dyn_cast<clang::FullExpr>(e)) {
      e = x->getSubExpr(); // ExprWithCleanups, ConstantExpr
    } else if (const auto* x = llvm::dyn_cast<clang::MaterializeTemporaryExpr>(e)) {
      e = x->getSubExpr();
    } else if (const auto* x = llvm::dyn_cast<clang::CXXBindTemporaryExpr>(e)) {
      e = x->getSubExpr();
    } else if (const auto* x = llvm::dyn_cast<clang::ExplicitCastExpr>(e)) {
      if (!isStringType(x->getType(), *context_) && !keepsText(x->getType()))
        return e;
      e = x->getSubExpr();
    } else if (const auto* x = llvm::dyn_cast<clang::CXXConstructExpr>(e)) {
      // std::string("…"), string_view{"…"}, AlphaNum and format_string conversions: one argument
      // (any others defaulted) whose text the object holds as it is.
      if (!keepsText(x->getType()) || x->getNumArgs() == 0)
        return e;
      for (unsigned i = 1; i < x->getNumArgs(); ++i)
        if (!llvm::isa<clang::CXXDefaultArgExpr>(x->getArg(i)))
          return e;
      e = x->getArg(0);
    } else if (const auto* x = llvm::dyn_cast<clang::CXXMemberCallExpr>(e)) {
      const clang::CXXMethodDecl* method = x->getMethodDecl();
      const std::string name = method != nullptr ? method->getNameAsString() : std::string();
      if ((name != "c_str" && name != "data") || x->getNumArgs() != 0 ||
          !isStringClass(x->getImplicitObjectArgument()->getType()))
        return e;
      e = x->getImplicitObjectArgument();
    } else if (const auto* x = llvm::dyn_cast<clang::RecoveryExpr>(e)) {
      // Clang keeps what it understood of a broken expression; one sub-expression is that one.
      const auto subs = x->subExpressions();
      if (subs.size() != 1 || llvm::isa<clang::UnresolvedLookupExpr>(subs[0]))
        return e;
      e = subs[0];
    } else {
      return e;
    }
  }
  return e;
}

std::string FileAnalysis::calleeName(const clang::Expr* callee) const {
  if (callee == nullptr)
    return {};
  callee = callee->IgnoreParenImpCasts();
  if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(callee))
    return qualifiedName(ref->getDecl());
  if (const auto* lookup = llvm::dyn_cast<clang::UnresolvedLookupExpr>(callee)) {
    // An unresolved call (a template, or a call Clang could not check): the name as written.
    if (lookup->getNumDecls() > 0)
      return qualifiedName(*lookup->decls_begin());
    std::string qualifier;
    if (const clang::NestedNameSpecifier* nns = lookup->getQualifier()) {
      llvm::raw_string_ostream os(qualifier);
      nns->print(os, context_->getPrintingPolicy());
    }
    if (qualifier.starts_with("::"))
      qualifier.erase(0, 2);
    return qualifier + lookup->getName().getAsString();
  }
  return {};
}

bool isConcatenation(std::string_view name) {
  return name == "absl::StrCat";
}

bool isFormat(std::string_view name) {
  return name == "fmt::format" || name == "std::format";
}

bool FileAnalysis::looksLikeString(const clang::Expr* e) const {
  e = strip(e);
  if (e == nullptr)
    return false;
  if (llvm::isa<clang::StringLiteral>(e) || isStringExpression(e))
    return true;
  if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(e))
    return isStringType(ref->getType(), *context_);
  return false;
}

/// An expression whose value godwit decodes as a whole: a literal, or a composition.
bool FileAnalysis::isStringExpression(const clang::Expr* e) const {
  if (llvm::isa<clang::StringLiteral>(e))
    return true;
  if (const auto* udl = llvm::dyn_cast<clang::UserDefinedLiteral>(e))
    return udl->getLiteralOperatorKind() == clang::UserDefinedLiteral::LOK_String;
  if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(e))
    return op->getOperator() == clang::OO_Plus && op->getNumArgs() == 2 &&
           (isStringClass(op->getType()) ||
            (op->isTypeDependent() &&
             (looksLikeString(op->getArg(0)) || looksLikeString(op->getArg(1)))));
  if (const auto* op = llvm::dyn_cast<clang::BinaryOperator>(e))
    // Pointer arithmetic on a literal is not concatenation; a broken `std::string + …` is.
    return op->getOpcode() == clang::BO_Add && (op->containsErrors() || op->isTypeDependent()) &&
           (looksLikeString(op->getLHS()) || looksLikeString(op->getRHS()));
  if (const auto* call = llvm::dyn_cast<clang::CallExpr>(e)) {
    const std::string name = calleeName(call->getCallee());
    return isConcatenation(name) || isFormat(name);
  }
  if (const auto* recovery = llvm::dyn_cast<clang::RecoveryExpr>(e)) {
    const auto subs = recovery->subExpressions();
    if (subs.empty())
      return false;
    const std::string name = calleeName(subs[0]);
    return isConcatenation(name) || isFormat(name);
  }
  return false;
}

bool FileAnalysis::decode(const clang::Expr* e, DecodedString& out, Form& form) {
  e = strip(e);
  if (e == nullptr)
    return false;
  if (exprSink_ != nullptr)
    exprSink_->push_back(e);
  if (const auto* literal = llvm::dyn_cast<clang::StringLiteral>(e))
    return decodeLiteral(literal, out);
  if (const auto* udl = llvm::dyn_cast<clang::UserDefinedLiteral>(e)) {
    if (udl->getLiteralOperatorKind() != clang::UserDefinedLiteral::LOK_String ||
        udl->getNumArgs() == 0)
      return false;
    const auto* literal = llvm::dyn_cast<clang::StringLiteral>(udl->getArg(0)->IgnoreImpCasts());
    return literal != nullptr && decodeLiteral(literal, out);
  }
  if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(e))
    return appendConstant(ref, out);
  if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(e)) {
    if (!isStringExpression(op))
      return false;
    form = Form::Concat;
    decodeOperand(op->getArg(0), out);
    decodeOperand(op->getArg(1), out);
    return true;
  }
  if (const auto* op = llvm::dyn_cast<clang::BinaryOperator>(e)) {
    if (!isStringExpression(op))
      return false;
    form = Form::Concat;
    decodeOperand(op->getLHS(), out);
    decodeOperand(op->getRHS(), out);
    return true;
  }
  if (const auto* call = llvm::dyn_cast<clang::CallExpr>(e)) {
    std::vector<const clang::Expr*> args(call->arg_begin(), call->arg_end());
    return decodeCall(calleeName(call->getCallee()), args, out, form);
  }
  if (const auto* recovery = llvm::dyn_cast<clang::RecoveryExpr>(e)) {
    const auto subs = recovery->subExpressions();
    if (subs.empty())
      return false;
    std::vector<const clang::Expr*> args(subs.begin() + 1, subs.end());
    return decodeCall(calleeName(subs[0]), args, out, form);
  }
  return false;
}

void FileAnalysis::decodeOperand(const clang::Expr* e, DecodedString& out) {
  DecodedString part;
  Form ignored = Form::Literal;
  if (decode(e, part, ignored)) {
    out.append(part);
    return;
  }
  // Unknown text: a hole over the operand's source (in another file: over nothing).
  const std::optional<Range> at = foreign_ > 0 ? std::nullopt : mainRange(e->getSourceRange());
  out.pushHole(at ? at->first : 0, at ? at->second : 0);
}

bool FileAnalysis::decodeCall(std::string_view name, llvm::ArrayRef<const clang::Expr*> args,
                              DecodedString& out, Form& form) {
  if (isConcatenation(name)) {
    form = Form::StrCat;
    for (const clang::Expr* arg : args)
      decodeOperand(arg, out);
    return true;
  }
  if (!isFormat(name) || args.empty())
    return false;
  DecodedString fmt;
  Form ignored = Form::Literal;
  if (!decode(args[0], fmt, ignored))
    return false;
  std::map<size_t, std::optional<DecodedString>> decodedArgs;
  const auto argument = [&](size_t index) -> const DecodedString* {
    if (index + 1 >= args.size())
      return nullptr;
    auto [it, fresh] = decodedArgs.try_emplace(index);
    if (fresh) {
      DecodedString value;
      Form f = Form::Literal;
      if (decode(args[index + 1], value, f))
        it->second = std::move(value);
    }
    return it->second ? &*it->second : nullptr;
  };
  std::optional<DecodedString> formatted = applyFormat(fmt, argument);
  if (!formatted)
    return false;
  form = Form::Format;
  out.append(*formatted);
  return true;
}

bool FileAnalysis::decodeLiteral(const clang::StringLiteral* literal, DecodedString& out) {
  DecodedString value;
  for (unsigned i = 0; i < literal->getNumConcatenated(); ++i)
    if (!appendToken(value, literal->getStrTokenLoc(i)))
      return false;
  // Clang's own value is the referee for narrow literals: if the decoder read the spelling
  // differently (an encoding or an extension it does not know), nothing here is edited.
  if (literal->getCharByteWidth() == 1 && !value.hasHoles() &&
      llvm::StringRef(value.value) != literal->getString()) {
    const std::optional<Range> at = mainRange(literal->getSourceRange());
    DecodedString unknown;
    unknown.pushHole(at ? at->first : 0, at ? at->second : 0);
    value = std::move(unknown);
  }
  out.append(value);
  return true;
}

bool FileAnalysis::appendToken(DecodedString& out, clang::SourceLocation loc) {
  const clang::SourceLocation spelling = sm_->getSpellingLoc(loc);
  const clang::FileID fid = sm_->getFileID(spelling);
  const uint32_t begin = sm_->getFileOffset(spelling);
  const unsigned length = clang::Lexer::MeasureTokenLength(spelling, *sm_, *lo_);
  if (length == 0)
    return false;
  if (fid == mainFile_ && foreign_ == 0) {
    if (!appendLiteral(out, file_.text, begin, begin + length))
      return false;
    if (loc.isMacroID()) {
      // Spelled in a #define of this file: edited there, like a constant used where it expands.
      if (const MacroDef* macro = macroBodyAt(begin)) {
        out.pieces.back().constant = macro->name;
        out.pieces.back().constantUses = macro->uses;
        return true;
      }
    }
    if (tokenSink_ != nullptr)
      tokenSink_->push_back(begin);
    return true;
  }
  bool invalid = false;
  const llvm::StringRef buffer = sm_->getBufferData(fid, &invalid);
  if (invalid)
    return false;
  DecodedString value;
  if (!appendLiteral(value, std::string_view(buffer.data(), buffer.size()), begin, begin + length))
    return false;
  if (foreign_ > 0) {
    out.append(value); // the caller maps the whole constant onto its use
    return true;
  }
  // A token from a macro defined in another file, or one a macro built with # or ##: its value
  // counts, but it is not written here.
  const bool built = sm_->isWrittenInScratchSpace(spelling);
  // A string made by # or ## has no macro of its own: name the one invoked in this file.
  const std::string macro =
      built ? clang::Lexer::getSourceText(
                  clang::CharSourceRange::getTokenRange(sm_->getExpansionLoc(loc)), *sm_, *lo_)
                  .str()
            : clang::Lexer::getImmediateMacroName(loc, *sm_, *lo_).str();
  const std::string label =
      built ? "a string built by the # or ## operator of macro " + macro
      : sm_->getBufferName(spelling).startswith("<")
          ? "macro " + macro + ", which is defined on the compiler's command line"
          : "macro " + macro + ", which is defined in " + displayPath(fid);
  const std::optional<Range> at = mainRange(clang::SourceRange(loc, loc));
  appendForeign(out, value.value, at.value_or(Range{0, 0}), label,
                !sm_->isWrittenInScratchSpace(spelling) && inCheckout(fid));
  return true;
}

void FileAnalysis::appendForeign(DecodedString& out, std::string_view value, Range at,
                                 const std::string& label, bool analyzedItself) {
  if (analyzedItself)
    foreignUses_.insert(at);
  LiteralPiece piece;
  piece.begin = at.first;
  piece.end = at.second;
  piece.constant = label;
  piece.constantUses = -1; // written in another file: never edited from here
  out.beginPiece(piece);
  for (char c : value) {
    if (c == kHole)
      out.pushHole(at.first, at.second);
    else
      out.push(c, at.first, at.second);
  }
}

Constant* FileAnalysis::constantFor(const clang::VarDecl* decl) {
  decl = decl->getCanonicalDecl();
  if (auto it = constants_.find(decl); it != constants_.end())
    return &it->second;
  // Constants of this file were all collected; one from a header is resolved but not editable.
  const clang::VarDecl* definition = nullptr;
  if (!isConstantCandidate(decl, *context_) || decl->getAnyInitializer(definition) == nullptr ||
      definition == nullptr || inMainFile(definition->getLocation()))
    return nullptr;
  Constant& c = constants_[decl];
  c.decl = decl;
  c.local = false;
  c.label = "constant " + decl->getNameAsString() + ", which is declared in " +
            displayPath(sm_->getFileID(sm_->getExpansionLoc(definition->getLocation())));
  return &c;
}

const DecodedString* FileAnalysis::resolve(Constant& c) {
  if (c.state == 0) {
    c.state = 1;
    std::vector<uint32_t>* tokens = std::exchange(tokenSink_, nullptr);
    std::vector<const clang::Expr*>* exprs = std::exchange(exprSink_, nullptr);
    foreign_ += c.local ? 0 : 1;
    const clang::VarDecl* definition = nullptr;
    const clang::Expr* init = c.decl->getAnyInitializer(definition);
    DecodedString value;
    Form form = Form::Literal;
    if (init != nullptr && decode(init, value, form))
      c.value = std::move(value);
    foreign_ -= c.local ? 0 : 1;
    tokenSink_ = tokens;
    exprSink_ = exprs;
    c.state = 2;
  }
  return c.state == 2 && c.value && !c.assigned ? &*c.value : nullptr;
}

bool FileAnalysis::appendConstant(const clang::DeclRefExpr* ref, DecodedString& out) {
  const auto* var = llvm::dyn_cast<clang::VarDecl>(ref->getDecl());
  Constant* c = var != nullptr ? constantFor(var) : nullptr;
  const DecodedString* value = c != nullptr ? resolve(*c) : nullptr;
  if (value == nullptr)
    return false;
  if (c->local && foreign_ == 0) {
    out.append(*value, c->label, c->uses);
    return true;
  }
  if (foreign_ > 0) {
    out.append(*value);
    return true;
  }
  const clang::VarDecl* definition = nullptr;
  c->decl->getAnyInitializer(definition);
  appendForeign(out, value->value, mainRange(ref->getSourceRange()).value_or(Range{0, 0}), c->label,
                definition != nullptr &&
                    inCheckout(sm_->getFileID(sm_->getExpansionLoc(definition->getLocation()))));
  return true;
}

void FileAnalysis::analyzeExpression(const clang::Expr* e) {
  if (consumedExprs_.count(e) > 0)
    return;
  const clang::Expr* s = strip(e);
  if (s == nullptr || consumedExprs_.count(s) > 0 || !isStringExpression(s))
    return;
  const std::optional<Range> range = mainRange(e->getSourceRange());
  if (!range)
    return;
  std::vector<uint32_t> tokens;
  std::vector<const clang::Expr*> exprs;
  tokenSink_ = &tokens;
  exprSink_ = &exprs;
  DecodedString value;
  Form form = Form::Literal;
  const bool decoded = decode(e, value, form);
  tokenSink_ = nullptr;
  exprSink_ = nullptr;
  consumedExprs_.insert(e);
  if (!decoded)
    return;
  // A macro argument expanded twice is one literal in the source: analyze it once.
  if (std::any_of(tokens.begin(), tokens.end(),
                  [&](uint32_t t) { return consumedTokens_.count(t) > 0; }))
    return;
  consumedTokens_.insert(tokens.begin(), tokens.end());
  consumedExprs_.insert(exprs.begin(), exprs.end());
  addFindings(value, *range, form);
}

void FileAnalysis::markTopicSink(Finding& f, uint32_t at) const {
  // No rule packs reach C++: the variable, macro or function a topic is given to says it
  // (`kTopic = "…"`, `#define PLAYBACK_TOPIC "…"`, `consumer->subscribe({"…"})`).
  const std::string_view name = nameBefore(file_.text, at);
  if (f.kind == DatasetKind::KafkaTopic && (nameSaysTopic(name) || name == "produce")) {
    f.sink = Sink::Takes;
    f.context = "cpp.topic-name";
  }
}

void FileAnalysis::addFindings(const DecodedString& value, Range range, Form form) {
  const std::string context(contextName(form));
  const size_t before = collector_.findings().size();
  addValueFindings(
      collector_, value, range.first, range.second, matchers_,
      [&](uint32_t b, uint32_t, Finding& f) {
        f.context = context;
        markTopicSink(f, b);
      },
      [&](uint32_t lo, uint32_t hi) {
        // Made only of one constant's or macro's bytes: reported where it is defined.
        return std::any_of(definitions_.begin(), definitions_.end(),
                           [&](const Range& d) { return d.first <= lo && hi <= d.second; });
      });
  // A reference made only of one header's constant or macro has exactly that use's range (all
  // its bytes map there); the header is analyzed on its own.
  std::vector<Finding>& found = collector_.findings();
  found.erase(std::remove_if(found.begin() + static_cast<std::ptrdiff_t>(before), found.end(),
                             [&](const Finding& f) {
                               return foreignUses_.count(
                                          Range{static_cast<uint32_t>(f.offset),
                                                static_cast<uint32_t>(f.offset + f.length)}) > 0;
                             }),
              found.end());
}

bool isStringToken(const clang::Token& token) {
  return token.isOneOf(clang::tok::string_literal, clang::tok::wide_string_literal,
                       clang::tok::utf8_string_literal, clang::tok::utf16_string_literal,
                       clang::tok::utf32_string_literal);
}

void FileAnalysis::analyzeTokens() {
  // The file's tokens outside directives (#define bodies included), with a boundary where a
  // directive starts or ends.
  enum class Kind { Literal, Identifier, Joiner, Closer, Other, Boundary };
  struct Tok {
    Kind kind;
    Range range;
    bool inDefine;
  };
  std::vector<Tok> toks;
  {
    const llvm::StringRef buffer = sm_->getBufferData(mainFile_);
    clang::Lexer lexer(sm_->getLocForStartOfFile(mainFile_), *lo_, buffer.begin(), buffer.begin(),
                       buffer.end());
    clang::IdentifierTable keywords(*lo_);
    enum class Mode {
      Code,
      DefineName,
      DefineParams,
      DefineBody,
      OtherDirective
    } mode = Mode::Code;
    clang::Token token;
    bool pending = false; // `token` was lexed ahead and not handled yet
    for (;;) {
      if (!pending)
        lexer.LexFromRawLexer(token);
      pending = false;
      if (token.is(clang::tok::eof))
        break;
      if (token.isAtStartOfLine() && mode != Mode::Code) {
        toks.push_back(Tok{Kind::Boundary, {}, false});
        mode = Mode::Code;
      }
      if (mode == Mode::Code && token.is(clang::tok::hash) && token.isAtStartOfLine()) {
        toks.push_back(Tok{Kind::Boundary, {}, false});
        lexer.LexFromRawLexer(token);
        pending = token.isAtStartOfLine() || token.is(clang::tok::eof);
        // Include names, #line file names, #error texts and #pragma arguments are no values.
        if (!pending)
          mode = token.is(clang::tok::raw_identifier) && token.getRawIdentifier() == "define"
                     ? Mode::DefineName
                     : Mode::OtherDirective;
        continue;
      }
      if (mode == Mode::OtherDirective)
        continue;
      if (mode == Mode::DefineName) {
        // The macro's name; a function-like macro's `(` follows it directly.
        mode = Mode::DefineBody;
        lexer.LexFromRawLexer(token);
        if (token.is(clang::tok::l_paren) && !token.hasLeadingSpace() && !token.isAtStartOfLine())
          mode = Mode::DefineParams;
        else
          pending = true;
        continue;
      }
      if (mode == Mode::DefineParams) {
        if (token.is(clang::tok::r_paren))
          mode = Mode::DefineBody;
        continue;
      }
      Kind kind = Kind::Other;
      if (isStringToken(token))
        kind = Kind::Literal;
      else if (token.is(clang::tok::raw_identifier))
        kind = keywords.get(token.getRawIdentifier()).getTokenID() == clang::tok::identifier
                   ? Kind::Identifier
                   : Kind::Other;
      else if (token.isOneOf(clang::tok::plus, clang::tok::comma))
        kind = Kind::Joiner;
      else if (token.isOneOf(clang::tok::r_paren, clang::tok::r_square))
        kind = Kind::Closer;
      const uint32_t begin = sm_->getFileOffset(token.getLocation());
      toks.push_back(Tok{kind, Range{begin, begin + token.getLength()}, mode == Mode::DefineBody});
    }
  }

  // Runs of adjacent literals and the identifiers glued to them (macros the AST did not show, e.g.
  // `PROJECT ".core_users.t"` where PROJECT is unknown) are one value, identifiers holes. So is
  // an operand joined by `+` or `,` to an identifier or a call: Clang drops a whole expression
  // that names something undeclared (`absl::StrCat(kDataset, ".t")` without kDataset's header),
  // so its text is unknown but there.
  const auto isA = [&](size_t i, Kind kind) { return i < toks.size() && toks[i].kind == kind; };
  for (size_t i = 0; i < toks.size();) {
    if (!isA(i, Kind::Literal) && !isA(i, Kind::Identifier)) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < toks.size() && (isA(end, Kind::Literal) || isA(end, Kind::Identifier)) &&
           toks[end].inDefine == toks[i].inDefine)
      ++end;
    const auto nextToLiteral = [&](size_t k) {
      return isA(k, Kind::Literal) || (k > i && isA(k - 1, Kind::Literal)) ||
             (k + 1 < end && isA(k + 1, Kind::Literal));
    };
    size_t first = i, last = end;
    i = end;
    while (first < last && !nextToLiteral(first))
      ++first;
    while (last > first && !nextToLiteral(last - 1))
      --last;
    if (first == last)
      continue;
    bool decoded = true;
    for (size_t k = first; decoded && k < last; ++k)
      decoded = !(isA(k, Kind::Literal) && consumedTokens_.count(toks[k].range.first) > 0);
    if (!decoded)
      continue;
    const auto joined = [&](size_t joiner, size_t operand) {
      return isA(joiner, Kind::Joiner) &&
             (isA(operand, Kind::Identifier) || isA(operand, Kind::Closer));
    };
    DecodedString value;
    if (first >= 2 && isA(first, Kind::Literal) && joined(first - 1, first - 2))
      value.pushHole(toks[first - 2].range.first, toks[first - 2].range.second);
    for (size_t k = first; decoded && k < last; ++k) {
      if (isA(k, Kind::Literal))
        decoded = appendLiteral(value, file_.text, toks[k].range.first, toks[k].range.second);
      else
        value.pushHole(toks[k].range.first, toks[k].range.second);
    }
    if (isA(last - 1, Kind::Literal) && isA(last, Kind::Joiner) && isA(last + 1, Kind::Identifier))
      value.pushHole(toks[last + 1].range.first, toks[last + 1].range.second);
    if (!decoded)
      continue;
    const std::string context = toks[first].inDefine ? "cpp.macro" : "cpp.string";
    addValueFindings(collector_, value, toks[first].range.first, toks[last - 1].range.second,
                     matchers_, [&](uint32_t b, uint32_t, Finding& f) {
                       f.context = context;
                       markTopicSink(f, b);
                     });
  }
}

/// The content ranges of the string literals in `text`, and the kinds of all its tokens.
struct Lexed {
  std::vector<std::pair<uint32_t, uint32_t>> contents;
  std::vector<clang::tok::TokenKind> kinds;
};

Lexed lexText(const std::string& name, const std::string& text) {
  Lexed out;
  clang::SourceManagerForFile smf(name, text);
  clang::SourceManager& sm = smf.get();
  const clang::LangOptions lo = rawLangOptions();
  const llvm::StringRef buffer = sm.getBufferData(sm.getMainFileID());
  clang::Lexer lexer(sm.getLocForStartOfFile(sm.getMainFileID()), lo, buffer.begin(),
                     buffer.begin(), buffer.end());
  clang::Token token;
  for (;;) {
    lexer.LexFromRawLexer(token);
    if (token.is(clang::tok::eof))
      break;
    out.kinds.push_back(token.getKind());
    if (!isStringToken(token))
      continue;
    const uint32_t begin = sm.getFileOffset(token.getLocation());
    if (auto literal = parseLiteralToken(text, begin, begin + token.getLength()))
      out.contents.emplace_back(literal->contentBegin, literal->contentEnd);
  }
  return out;
}

class CppAnalyzer final : public Analyzer {
public:
  CppAnalyzer(std::unique_ptr<CompileCommands> commands, fs::path root)
      : commands_(std::move(commands)), root_(std::move(root)) {}

  Expected<std::vector<Finding>> analyze(const SourceFile& file,
                                         std::span<const DatasetMatcher> matchers) const override {
    AnalysisNotes notes;
    return analyzeFile(file, matchers, notes);
  }

  Expected<std::vector<Finding>> analyzeFile(const SourceFile& file,
                                             std::span<const DatasetMatcher> matchers,
                                             AnalysisNotes& notes) const override;

  int syntaxErrors(std::string_view text) const override {
    const ParseResult r = parse(commands_->fallbackFor("godwit-syntax-check.cc"), text, nullptr);
    return r.parsed ? r.errors : INT_MAX;
  }

  Expected<void> verifyEdits(const SourceFile& file, std::span<const SourceEdit> edits,
                             std::string_view after) const override;

private:
  /// The command a file was analyzed with (the database's, or the fallback when that failed).
  struct Analyzed {
    bool fallback = false;
    int errors = 0;
  };
  static std::string key(const SourceFile& file) {
    return file.path + '\n' + std::to_string(std::hash<std::string_view>()(file.text)) + ':' +
           std::to_string(file.text.size());
  }

  std::unique_ptr<CompileCommands> commands_;
  fs::path root_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, Analyzed> analyzed_;
};

Expected<std::vector<Finding>> CppAnalyzer::analyzeFile(const SourceFile& file,
                                                        std::span<const DatasetMatcher> matchers,
                                                        AnalysisNotes& notes) const {
  CompileCommand command = commands_->commandFor(file.path);
  if (!command.skipped.empty()) {
    notes.skipped = true;
    notes.notes.push_back(Error{"not analyzed: " + command.skipped, file.path, 0, 0,
                                "see docs/cpp.md (files no Clang mode fits)"});
    return std::vector<Finding>{};
  }
  if (const std::string problem = commands_->databaseProblem(); !problem.empty())
    notes.notes.push_back(
        Error{"compile_commands.json not used (" + problem + "); analyzed with the fallback flags",
              file.path, 0, 0, "fix or regenerate the database, or pass --compile-commands"});

  auto analysis = std::make_unique<FileAnalysis>(file, matchers, root_);
  ParseResult result = parse(command, file.text, analysis.get());
  bool fallback = !command.fromDatabase;
  if (!result.parsed && command.fromDatabase) {
    notes.notes.push_back(
        Error{"Clang could not use the compile command from " + commands_->databasePath().string() +
                  " (" + result.firstError + "); analyzed with the fallback flags",
              file.path, 0, 0, "check the database's entry for this file; see docs/cpp.md"});
    command = commands_->fallbackFor(file.path);
    fallback = true;
    analysis = std::make_unique<FileAnalysis>(file, matchers, root_);
    result = parse(command, file.text, analysis.get());
  }
  if (!result.parsed)
    return Error{"Clang could not parse the file: " + result.firstError, file.path, 0, 0,
                 "see docs/cpp.md; exclude the file with --exclude if it is not C++"};
  {
    std::lock_guard lock(mutex_);
    if (analyzed_.size() > 4096)
      analyzed_.clear();
    analyzed_[key(file)] = Analyzed{fallback, result.errors};
  }
  notes.parseErrors = result.errors;
  if (result.errors > 0) {
    const std::string count =
        std::to_string(result.errors) + (result.errors == 1 ? " compile error" : " compile errors");
    notes.notes.push_back(Error{
        "analyzed with " + count +
            "; the findings come from what Clang could still parse (first: " + result.firstError +
            ")",
        file.path, result.firstLine, result.firstColumn,
        fallback ? "give godwit the repository's compile_commands.json (in the root, in build/, "
                   "or with --compile-commands); see docs/cpp.md"
                 : "check that compile_commands.json matches this checkout (paths, generated "
                   "headers); see docs/cpp.md"});
  }
  return analysis->takeFindings();
}

Expected<void> CppAnalyzer::verifyEdits(const SourceFile& file, std::span<const SourceEdit> edits,
                                        std::string_view after) const {
  const std::string before(file.text);
  // The edits as clang::tooling::Replacements: Clang checks that they do not conflict and
  // applies them; the result must be the engine's.
  clang::tooling::Replacements replacements;
  {
    clang::SourceManagerForFile smf(file.path, before);
    clang::SourceManager& sm = smf.get();
    const clang::SourceLocation start = sm.getLocForStartOfFile(sm.getMainFileID());
    for (const SourceEdit& e : edits) {
      const clang::tooling::Replacement replacement(
          sm,
          clang::CharSourceRange::getCharRange(
              start.getLocWithOffset(static_cast<int>(e.offset)),
              start.getLocWithOffset(static_cast<int>(e.offset + e.length))),
          llvm::StringRef(e.text.data(), e.text.size()));
      if (llvm::Error error = replacements.add(replacement))
        return makeError("the edits conflict: " + llvm::toString(std::move(error)),
                         "this is a bug in godwit; please report it");
    }
  }
  llvm::Expected<std::string> applied = clang::tooling::applyAllReplacements(before, replacements);
  if (!applied)
    return makeError("Clang cannot apply the edits: " + llvm::toString(applied.takeError()),
                     "this is a bug in godwit; please report it");
  if (*applied != after)
    return makeError("the edits applied through clang::tooling::Replacements differ from the "
                     "engine's result",
                     "this is a bug in godwit; please report it");

  // Every edit stays inside one string literal's content, and the file keeps its tokens.
  const Lexed old = lexText(file.path, before);
  for (const clang::tooling::Replacement& r : replacements) {
    const uint32_t b = r.getOffset(), e = r.getOffset() + r.getLength();
    if (!std::any_of(old.contents.begin(), old.contents.end(),
                     [&](const auto& c) { return c.first <= b && e <= c.second; }))
      return makeError("an edit would change C++ code outside a string literal",
                       "this is a bug in godwit; please report it");
  }
  if (lexText(file.path, *applied).kinds != old.kinds)
    return makeError("the edited file would have different C++ tokens", "change it by hand");

  // No new compile errors, with the command the file was analyzed with.
  std::optional<Analyzed> known;
  {
    std::lock_guard lock(mutex_);
    if (auto it = analyzed_.find(key(file)); it != analyzed_.end())
      known = it->second;
  }
  const CompileCommand command = known && known->fallback ? commands_->fallbackFor(file.path)
                                                          : commands_->commandFor(file.path);
  const int was = known ? known->errors : parse(command, file.text, nullptr).errors;
  const ParseResult now = parse(command, after, nullptr);
  if (!now.parsed || now.errors > was)
    return makeError("the edited file would have " +
                         (now.parsed ? std::to_string(now.errors) : std::string("unparsable")) +
                         " compile errors instead of " + std::to_string(was),
                     "change it by hand");
  return {};
}

} // namespace
} // namespace cpp

} // namespace godwit

/// The module's entry point (see analyzers/cpp/CppModule.cpp): the analyzer, or nullptr and
/// `error` filled in.
extern "C" __attribute__((visibility("default"))) godwit::Analyzer*
godwit_make_cpp_analyzer(const std::vector<const godwit::Rule*>& rules,
                         const godwit::AnalyzerContext& context, godwit::Error& error) {
  using namespace godwit;
  if (!rules.empty()) {
    error = Error{rules.front()->file + ":" + std::to_string(rules.front()->line) + ": rule " +
                      rules.front()->id + ": the C++ analyzer takes no rule-pack queries",
                  "", 0, 0, "C++ contexts come from Clang's AST (see docs/cpp.md); remove the rule"};
    return nullptr;
  }
  auto commands = cpp::CompileCommands::open(context);
  if (!commands) {
    error = commands.error();
    return nullptr;
  }
  return new cpp::CppAnalyzer(std::move(*commands),
                              std::filesystem::absolute(context.root).lexically_normal());
}
