#pragma once
// The value of a source string expression plus, for every value byte, the source bytes it came
// from. Matching happens on values; edits are mapped back through this offset map.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// The escaping rules of a literal whose rules are not the C-like backslash escapes of `Code`.
enum class LiteralSyntax : uint8_t {
  Code,          ///< Backslash escapes (Java, Scala, Python, JSON, TOML, HOCON and YAML quoted).
  YamlPlain,     ///< YAML plain scalar: no escapes; spaces and indicators would change it.
  YamlSingle,    ///< YAML single-quoted scalar: a quote is written `''`.
  YamlBlock,     ///< YAML block scalar (`|`, `>`): no escapes, no line breaks.
  HoconUnquoted, ///< HOCON unquoted string: no escapes; HOCON's special characters end it.
  Properties,    ///< Java .properties value: backslash escapes, no quotes.
  Xml,           ///< XML text or attribute value (`quote`: the attribute's, or 0): entities.
  XmlCData,      ///< XML CDATA section: no escapes; `]]>` would end it.
  MarkdownCode,  ///< Markdown inline code span: no escapes; a backtick or line break would end it.
  /// Shell: `quote` 0 is an unquoted word (`triple`: an unquoted heredoc), `"` a double-quoted
  /// string, `'` a single-quoted string or quoted heredoc (`raw`) or an ANSI-C `$'…'` (not raw).
  Shell,
  /// Kotlin: `Code`'s backslash escapes, and `$` starts a template: written `\$`, and refused in
  /// a raw (triple-quoted) string, where only `${'$'}` could write it.
  Kotlin,
};

/// How a literal is written, so a new value can be re-encoded into it.
struct LiteralStyle {
  char quote = '"';    ///< The quote character.
  bool triple = false; ///< Triple-quoted string or text block.
  bool raw = false;    ///< Backslash escapes are not processed in this literal.
  char holeIntro = 0;  ///< `$` (Scala interpolators) or `{` (Python f-strings); 0 if none.
  LiteralSyntax syntax = LiteralSyntax::Code; ///< Escaping rules other than `Code`'s.
  /// The literal is itself written inside a JSON string (a notebook cell's source): its encoded
  /// content is escaped once more as JSON string content, on one line.
  bool inJsonString = false;
  /// The literal is itself the content of another literal (a shell word in a Python string): its
  /// encoded content is encoded once more in that literal's style, before `inJsonString`.
  std::shared_ptr<const LiteralStyle> outer = nullptr;
};

/// The value of hex digit `c`, or -1 when it is none.
int hexDigit(char c);

/// The value of `count` hex digits at `src[at]`, or -1 when they are not all hex digits or run
/// past `end`.
long hexDigits(std::string_view src, size_t at, size_t end, size_t count);

/// Appends code point `cp` to `out` as UTF-8.
void appendUtf8(std::string& out, uint32_t cp);

/// Encodes `value` as literal content of `style`; nullopt when the literal cannot hold it.
std::optional<std::string> encodeLiteral(const LiteralStyle& style, std::string_view value);

/// One source literal (or literal part) that contributed bytes to a value.
struct LiteralPiece {
  uint32_t begin = 0; ///< First source byte of the literal's content.
  uint32_t end = 0;   ///< One past its last content byte.
  LiteralStyle style;
  std::string constant; ///< Set when the piece was reached through this named constant.
  int constantUses = 0; ///< How often the file refers to that constant; negative when the piece
                        ///< is written in another file (`constant` then says what and where).
  /// The reference to `constant` that reached the piece: its first byte in `useFile` ("": the
  /// analyzed file), so that two findings through one reference count as one use.
  uint32_t useAt = kNoUse;
  std::string useFile;
  /// The repository file the literal is written in, when it is not the analyzed file (a
  /// constant of another file, resolved through `RepoConstants`).
  std::string file;
  bool shared = false; ///< The constant is visible to other files (not private).

  static constexpr uint32_t kNoUse = UINT32_MAX;
};

/// A decoded value with its offset map; unresolved interpolation holes are kHole bytes.
struct DecodedString {
  static constexpr uint16_t kNoPiece = 0xffff;

  std::string value;
  std::vector<uint32_t> srcBegin; ///< Per value byte: first source byte that produced it.
  std::vector<uint32_t> srcEnd;   ///< Per value byte: one past the last source byte.
  std::vector<uint16_t> piece;    ///< Per value byte: index into `pieces`, kNoPiece for holes.
  std::vector<LiteralPiece> pieces;

  /// Starts a new piece; following push() calls belong to it. Returns its index.
  uint16_t beginPiece(const LiteralPiece& piece);
  /// Starts a new piece for literal content [begin, end) written in `style`.
  uint16_t beginPiece(uint32_t begin, uint32_t end, const LiteralStyle& style);
  /// Appends one value byte produced by source bytes [begin, end) of the current piece.
  void push(char c, uint32_t begin, uint32_t end);
  /// Appends every byte of `text`, all produced by source bytes [begin, end) (e.g. one escape).
  void pushAll(std::string_view text, uint32_t begin, uint32_t end);
  /// Appends an unresolved hole spanning source bytes [begin, end).
  void pushHole(uint32_t begin, uint32_t end);
  /// Appends another decoded value; when `constant` is set its pieces are marked as reached
  /// through that constant, referred to `uses` times in the file.
  void append(const DecodedString& other, std::string_view constant = {}, int uses = 0);
  /// Records the reference at byte `at` as the use of `constant` that reached its pieces (those
  /// not reached through an inner reference already).
  void markUse(std::string_view constant, uint32_t at);
  /// True when any byte is a hole.
  bool hasHoles() const;
};

/// Which template blocks markPlaceholders() turns into holes.
enum class TemplateBlocks : uint8_t {
  Jinja, ///< `{{ … }}`, `{% … %}`, `{# … #}` (Jinja: dbt, Airflow, Kestra).
  All,   ///< Jinja and `${…}` (Spring, Maven, HOCON substitutions, Hive and Spark variables).
};

/// The last byte of the template block that opens at `value[i]`, or npos when none opens there
/// or it does not close (`${…}` only with TemplateBlocks::All).
size_t templateBlockEnd(std::string_view value, size_t i, TemplateBlocks blocks);

/// Turns every template block of `value` into one hole: its text is known only when the
/// template renders, so a name built around one is attention, never a rewrite. A block that does
/// not close stays text. The one place templates in values are decoded (config formats, SQL,
/// strings in code).
void markPlaceholders(DecodedString& value, TemplateBlocks blocks = TemplateBlocks::All);

} // namespace godwit
