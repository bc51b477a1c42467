#pragma once
// String constants across the files of a repository (docs/architecture.md, Safety): a constant
// one file defines and another refers to (`Tables.DATASET`, `import static …Tables.DATASET`,
// Scala `Tables.Users` or `import …Tables._`, Python `from acme.config import PROJECT` or
// `config.PROJECT`). Built once per run, after the walk, and only for the files whose analysis
// met a name it could not resolve: their imports are read, the defining files are found by the
// language's naming rules and parsed once for their constants.

#include "analyzers/DecodedString.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// A file-level string constant, as its defining file's analysis reads it.
struct FileConstant {
  std::string name;
  DecodedString value; ///< Offsets in the defining file.
  int uses = 0;        ///< References to it in its own file.
  bool shared = true;  ///< Visible to other files (not private).
};

/// A constant another file may refer to.
struct RepoConstant {
  std::string file; ///< The defining file, relative to the root.
  FileConstant constant;
};

/// The constants of a repository that its analyzed files refer to.
class RepoConstants {
public:
  /// Reads a file's constants (relative path; nullopt when it cannot be read or parsed).
  using Loader = std::function<std::optional<std::vector<FileConstant>>(const std::string& path)>;

  /// A file whose analysis met names it could not resolve.
  struct User {
    std::string path; ///< Relative to the root.
    std::string text;
    std::vector<std::string> names; ///< `NAME` or `Owner.NAME`, as written.
  };

  /// The index for `users` over the walked `files` (relative paths): each name is resolved
  /// through the user's imports and the language's naming rules (Java and Scala: `Owner.java`,
  /// `Owner.scala`; Python: the module's `.py` file) to a defining file, which `load` reads.
  static std::shared_ptr<const RepoConstants> build(const std::vector<std::string>& files,
                                                    const std::vector<User>& users,
                                                    const Loader& load);

  /// The constant `name` (`NAME` or `Owner.NAME`) as the file `path` refers to it; nullptr when
  /// it is not a constant of another file that the index knows.
  const RepoConstant* find(std::string_view path, std::string_view name) const;

  /// How often `text` may refer to a constant called `name` (its last segment): every token
  /// `name` outside import lines, qualified or not. Comments and namesakes count too: more uses
  /// only make an edit less likely, never wrong.
  static int usesIn(std::string_view text, std::string_view name);

  /// The defining files the index read.
  std::vector<std::string> definingFiles() const;

  /// True when `text` holds `word` as a whole token (not inside a longer name).
  static bool mentions(std::string_view text, std::string_view word);

private:
  /// Per user file: how each name it may use resolves (`NAME` or `Owner.NAME` → constant).
  std::map<std::string, std::map<std::string, RepoConstant, std::less<>>, std::less<>> byUser_;
  std::vector<std::string> defining_;
};

} // namespace godwit
