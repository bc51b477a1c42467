#include "analyzers/hocon/Hocon.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace godwit {
namespace {

/// Bytes that cannot appear in an unquoted string (besides whitespace).
bool isReserved(char c) {
  return std::string_view("$\"{}[]:=,+#`^?!@*&\\").find(c) != std::string_view::npos;
}

bool isBlank(char c) {
  return c == ' ' || c == '\t';
}

bool isBreak(char c) {
  return c == '\n' || c == '\r';
}

class Scanner {
public:
  explicit Scanner(std::string_view text) : t_(text), n_(static_cast<uint32_t>(text.size())) {}

  ConfigScan run() {
    i_ = t_.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    skipSpace();
    if (i_ < n_ && (t_[i_] == '{' || t_[i_] == '[')) {
      if (t_[i_] == '{')
        object();
      else
        array();
      skipSpace();
      if (ok() && i_ < n_)
        fail(i_, "unexpected text after the root value");
    } else {
      fields('\0');
    }
    if (ok())
      resolveSubstitutions();
    return std::move(scan_);
  }

private:
  bool ok() const { return scan_.problems.empty(); }

  void fail(uint32_t at, std::string message) {
    if (ok())
      scan_.problems.push_back({at, std::move(message)});
  }

  bool atComment() const { return i_ < n_ && (t_[i_] == '#' || t_.compare(i_, 2, "//") == 0); }

  void skipBlanks() {
    while (i_ < n_ && isBlank(t_[i_]))
      ++i_;
  }

  void skipComment() {
    if (atComment())
      while (i_ < n_ && !isBreak(t_[i_]))
        ++i_;
  }

  /// Blanks, comments and line breaks.
  void skipSpace() {
    for (;;) {
      skipBlanks();
      skipComment();
      if (i_ >= n_ || !isBreak(t_[i_]))
        return;
      ++i_;
    }
  }

  /// Fields until `closer` (`}`, or 0 for the root without braces); separated by line breaks or
  /// commas.
  void fields(char closer) {
    while (ok()) {
      skipSpace();
      while (i_ < n_ && t_[i_] == ',') {
        ++i_;
        skipSpace();
      }
      if (i_ >= n_ || (closer != '\0' && t_[i_] == closer))
        return;
      if (t_[i_] == '}' || t_[i_] == ']')
        return fail(i_, "unexpected `" + std::string(1, t_[i_]) + "`");
      field();
      if (!ok())
        return;
      skipBlanks();
      skipComment();
      if (i_ < n_ && !isBreak(t_[i_]) && t_[i_] != ',' && t_[i_] != closer)
        return fail(i_, "expected a new line or `,` after the field");
    }
  }

  void field() {
    if (atInclude())
      return include();
    const uint32_t keyStart = i_;
    key();
    if (!ok())
      return;
    const size_t depth = path_.size();
    path_ += (path_.empty() ? "" : ".") + std::string(t_.substr(keyStart, i_ - keyStart));
    struct Restore {
      std::string& path;
      size_t size;
      ~Restore() { path.resize(size); }
    } restore{path_, depth};
    // The field's whole path, for substitutions; empty when the key is not plain.
    std::string path = keyPath(t_.substr(keyStart, i_ - keyStart));
    if (!path.empty() && !prefix_.empty())
      path = prefix_ + "." + path;
    skipBlanks();
    if (i_ < n_ && t_[i_] == '{') {
      const std::string outer = prefix_;
      prefix_ = path;
      object();
      prefix_ = outer;
      definitions_[path].push_back(kNotAString); // an object: never a string's definition
      return;
    }
    bool appends = false;
    if (i_ < n_ && (t_[i_] == '=' || t_[i_] == ':'))
      ++i_;
    else if (t_.compare(i_, 2, "+=") == 0) {
      i_ += 2;
      appends = true;
    } else
      return fail(i_, "expected `=`, `:` or `{` after the key");
    skipSpace();
    if (i_ >= n_ || t_[i_] == '}' || t_[i_] == ',')
      return fail(i_, "expected a value");
    const size_t before = scan_.values.size();
    value();
    if (path.empty())
      return;
    const bool one = whole_ && !appends && scan_.values.size() == before + 1;
    definitions_[path].push_back(one ? before : kNotAString);
  }

  /// `a.b."c"` as `a.b.c`; empty when a part is quoted with escapes or dots, or spaced.
  static std::string keyPath(std::string_view key) {
    while (!key.empty() && isBlank(key.back()))
      key.remove_suffix(1);
    std::string out;
    for (size_t k = 0; k < key.size();) {
      if (key[k] == '"') {
        const size_t close = key.find('"', k + 1);
        const std::string_view part = key.substr(k + 1, close - k - 1);
        if (close == std::string_view::npos ||
            part.find_first_of("\\.") != std::string_view::npos)
          return {};
        out += part;
        k = close + 1;
      } else if (isBlank(key[k])) {
        return {};
      } else {
        out += key[k++];
      }
    }
    return out;
  }

  bool atInclude() const {
    if (t_.compare(i_, 8, "include ") != 0 && t_.compare(i_, 8, "include\t") != 0)
      return false;
    uint32_t j = i_ + 8;
    while (j < n_ && isBlank(t_[j]))
      ++j;
    const std::string_view rest = t_.substr(j);
    return rest.starts_with('"') || rest.starts_with("required(") || rest.starts_with("file(") ||
           rest.starts_with("url(") || rest.starts_with("classpath(");
  }

  /// `include "a.conf"`, `include required(file("a.conf"))`: the target is a file, not a value.
  void include() {
    i_ += 8;
    skipBlanks();
    int depth = 0;
    const uint32_t start = i_;
    while (ok() && i_ < n_ && !isBreak(t_[i_])) {
      if (t_[i_] == '"') {
        quoted(nullptr);
        if (depth == 0)
          return;
        continue;
      }
      if (t_[i_] == '(')
        ++depth;
      else if (t_[i_] == ')' && --depth == 0) {
        ++i_;
        return;
      }
      ++i_;
    }
    fail(start, "unterminated include");
  }

  /// A path key (`a.b."c d"`); never a value.
  void key() {
    const uint32_t start = i_;
    bool any = false;
    while (ok() && i_ < n_) {
      const char c = t_[i_];
      if (c == '"' && t_.compare(i_, 3, "\"\"\"") != 0) {
        quoted(nullptr);
        any = true;
      } else if (c == '.') {
        ++i_;
      } else if (isBlank(c)) {
        uint32_t j = i_;
        while (j < n_ && isBlank(t_[j]))
          ++j;
        if (j >= n_ || t_[j] == '=' || t_[j] == ':' || t_[j] == '{' || t_.compare(j, 2, "+=") == 0)
          return;
        i_ = j;
      } else if (!isBreak(c) && !isReserved(c) && !atComment()) {
        while (i_ < n_ && !isBlank(t_[i_]) && !isBreak(t_[i_]) && !isReserved(t_[i_]) &&
               t_[i_] != '.' && !atComment())
          ++i_;
        any = true;
      } else {
        break;
      }
    }
    if (!any)
      fail(start, "expected a key");
  }

  void object() {
    const uint32_t open = i_;
    ++i_;
    fields('}');
    if (!ok())
      return;
    if (i_ < n_ && t_[i_] == '}')
      ++i_;
    else
      fail(open, "`{` is not closed");
  }

  void array() {
    const uint32_t open = i_;
    ++i_;
    while (ok()) {
      skipSpace();
      if (i_ >= n_)
        return fail(open, "`[` is not closed");
      if (t_[i_] == ']') {
        ++i_;
        return;
      }
      value();
      if (!ok())
        return;
      skipBlanks();
      skipComment();
      if (i_ < n_ && t_[i_] == ',')
        ++i_;
      else if (i_ < n_ && !isBreak(t_[i_]) && t_[i_] != ']')
        return fail(i_, "expected `,` or `]` in the array");
    }
  }

  static LiteralPiece piece(uint32_t begin, uint32_t end, LiteralSyntax syntax, bool triple) {
    LiteralPiece p;
    p.begin = begin;
    p.end = end;
    p.style.quote = '"';
    p.style.triple = triple;
    p.style.raw = triple;
    p.style.syntax = syntax;
    return p;
  }

  /// A value: quoted, triple-quoted and unquoted strings and substitutions, concatenated with the
  /// whitespace between them, up to a line break, `,`, `}`, `]` or a comment. Objects and arrays
  /// in it are read on their own.
  void value() {
    ConfigValue current;
    current.key = path_;
    bool hasText = false;
    uint32_t blanks = i_;
    whole_ = true;
    auto flush = [&] {
      if (hasText) {
        markPlaceholders(current.value);
        scan_.values.push_back(std::move(current));
      }
      current = ConfigValue();
      current.key = path_;
      hasText = false;
    };
    while (ok() && i_ < n_) {
      const char c = t_[i_];
      if (isBlank(c)) {
        blanks = i_;
        skipBlanks();
        continue;
      }
      if (isBreak(c) || c == ',' || c == '}' || c == ']' || atComment())
        break;
      if (c == '{' || c == '[') {
        whole_ = false;
        flush();
        if (c == '{')
          object();
        else
          array();
        blanks = i_;
        continue;
      }
      if (hasText && blanks < i_) {
        current.value.beginPiece(piece(blanks, i_, LiteralSyntax::HoconUnquoted, false));
        for (uint32_t k = blanks; k < i_; ++k)
          current.value.push(t_[k], k, k + 1);
      }
      const uint32_t start = i_;
      if (t_.compare(i_, 3, "\"\"\"") == 0) {
        tripleQuoted(current.value);
      } else if (c == '"') {
        quoted(&current.value);
      } else if (t_.compare(i_, 2, "${") == 0) {
        uint32_t close = i_ + 2;
        while (close < n_ && t_[close] != '}' && !isBreak(t_[close]))
          ++close;
        if (close >= n_ || t_[close] != '}')
          return fail(i_, "unterminated substitution `${`");
        i_ = close + 1;
        current.value.pushHole(start, i_);
        // `${a.b}` (not `${?a.b}`): resolved once the whole file is read.
        const std::string_view inner = t_.substr(start + 2, close - start - 2);
        if (!inner.empty() && inner.find_first_of("?\" \t") == std::string_view::npos)
          substitutions_.push_back({scan_.values.size(), start, std::string(inner)});
      } else if (isReserved(c)) {
        return fail(i_, "reserved character `" + std::string(1, c) +
                            "` outside quotes (quote the value)");
      } else {
        while (i_ < n_ && !isBlank(t_[i_]) && !isBreak(t_[i_]) && !isReserved(t_[i_]) &&
               !atComment())
          ++i_;
        current.value.beginPiece(piece(start, i_, LiteralSyntax::HoconUnquoted, false));
        for (uint32_t k = start; k < i_; ++k)
          current.value.push(t_[k], k, k + 1);
      }
      if (!hasText)
        current.begin = start;
      current.end = i_;
      hasText = true;
      blanks = i_;
    }
    if (ok())
      flush();
  }

  /// A quoted string with JSON escapes; decoded into `into` when it is set.
  void quoted(DecodedString* into) {
    const uint32_t open = i_;
    uint32_t j = open + 1;
    for (;;) {
      if (j >= n_ || isBreak(t_[j]))
        return fail(open, "unterminated string");
      if (t_[j] == '"')
        break;
      if (t_[j] != '\\') {
        ++j;
        continue;
      }
      const char next = j + 1 < n_ ? t_[j + 1] : '\0';
      if (next == 'u') {
        if (hexDigits(t_, j + 2, n_, 4) < 0)
          return fail(j, "malformed \\u escape");
        j += 6;
      } else if (next != '\0' &&
                 std::string_view("\"\\/bfnrt").find(next) != std::string_view::npos) {
        j += 2;
      } else {
        return fail(j, "invalid escape");
      }
    }
    i_ = j + 1;
    if (!into)
      return;
    into->beginPiece(piece(open + 1, j, LiteralSyntax::Code, false));
    for (uint32_t k = open + 1; k < j;) {
      if (t_[k] != '\\') {
        into->push(t_[k], k, k + 1);
        ++k;
        continue;
      }
      const char next = t_[k + 1];
      if (next == 'u') {
        pushCodePoint(*into, hexDigits(t_, k + 2, j, 4), k, k + 6);
        k += 6;
        continue;
      }
      static constexpr std::string_view kLetters = "\"\\/bfnrt";
      static constexpr std::string_view kValues = "\"\\/\b\f\n\r\t";
      into->push(kValues[kLetters.find(next)], k, k + 2);
      k += 2;
    }
  }

  /// `"""…"""`: no escapes, line breaks kept.
  void tripleQuoted(DecodedString& into) {
    const uint32_t open = i_;
    const size_t found = t_.find("\"\"\"", open + 3);
    if (found == std::string_view::npos)
      return fail(open, "unterminated \"\"\" string");
    auto close = static_cast<uint32_t>(found);
    while (close + 3 < n_ && t_[close + 3] == '"') // extra quotes before the last three: content
      ++close;
    into.beginPiece(piece(open + 3, close, LiteralSyntax::Code, true));
    for (uint32_t k = open + 3; k < close; ++k)
      into.push(t_[k], k, k + 1);
    i_ = close + 3;
  }

  /// Replaces each `${path}` hole whose path the file defines once, as a string, by that value:
  /// a name built around a substitution is then matched whole. The value's bytes stay where
  /// they are written: a change there is attention (code may read the key too).
  void resolveSubstitutions() {
    for (const Substitution& sub : substitutions_) {
      auto def = definitions_.find(sub.path);
      if (sub.value >= scan_.values.size() || def == definitions_.end() ||
          def->second.size() != 1 || def->second.front() == kNotAString ||
          def->second.front() == sub.value)
        continue;
      const DecodedString& with = scan_.values[def->second.front()].value;
      DecodedString& in = scan_.values[sub.value].value;
      DecodedString out;
      uint16_t lastPiece = DecodedString::kNoPiece;
      for (size_t k = 0; k < in.value.size(); ++k) {
        if (in.piece[k] == DecodedString::kNoPiece) {
          if (in.srcBegin[k] == sub.at) {
            out.append(with, "the value of `" + sub.path + "`", -1);
            lastPiece = DecodedString::kNoPiece;
          } else {
            out.pushHole(in.srcBegin[k], in.srcEnd[k]);
          }
          continue;
        }
        if (in.piece[k] != lastPiece) {
          out.beginPiece(in.pieces[in.piece[k]]);
          lastPiece = in.piece[k];
        }
        out.push(in.value[k], in.srcBegin[k], in.srcEnd[k]);
      }
      in = std::move(out);
    }
  }

  struct Substitution {
    size_t value; ///< Index of the value it is in.
    uint32_t at;  ///< Source byte of its `${`.
    std::string path;
  };
  static constexpr size_t kNotAString = SIZE_MAX;

  std::string_view t_;
  uint32_t n_;
  uint32_t i_ = 0;
  std::string path_; ///< The keys of the field being read, `.`-joined.
  ConfigScan scan_;
  std::string prefix_;  ///< The path of the object being read.
  bool whole_ = true;   ///< The last value() held no object or array.
  std::map<std::string, std::vector<size_t>> definitions_; ///< path → value index per definition
  std::vector<Substitution> substitutions_;
};

} // namespace

ConfigScan scanHocon(std::string_view text) {
  return Scanner(text).run();
}

Expected<std::unique_ptr<Analyzer>> makeHoconAnalyzer(const std::vector<const Rule*>& rules) {
  static const ConfigFormat format{"hocon", "HOCON", scanHocon};
  return makeConfigAnalyzer(format, rules);
}

} // namespace godwit
