#pragma once
// Test helpers for the per-language tests (JavaTest, ScalaTest, PythonTest): parse a snippet with
// the real grammar, collect its constants with the language's own query, decode string
// expressions, and describe a DecodedString's offset map for assertions.

#include "analyzers/DecodedString.h"
#include "analyzers/Query.h"
#include "analyzers/TreeSitterLanguage.h"
#include "rules/DatasetMatcher.h"

#include <gtest/gtest.h>
#include <tree_sitter/api.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace godwit::test {

/// One parsed snippet; node offsets refer to `src`.
class Snippet {
public:
  Snippet(const TreeSitterLanguage& language, std::string src)
      : language_(language), src_(std::move(src)), parser_(ts_parser_new()) {
    ts_parser_set_language(parser_, language.grammar());
    tree_ =
        ts_parser_parse_string(parser_, nullptr, src_.data(), static_cast<uint32_t>(src_.size()));
    resolver_ = [this](std::string_view name, uint32_t at) -> std::optional<DecodedString> {
      const auto it = constants_.find(name);
      if (it == constants_.end())
        return std::nullopt;
      DecodedString used = it->second;
      used.markUse(name, at);
      return used;
    };
  }
  ~Snippet() {
    ts_tree_delete(tree_);
    ts_parser_delete(parser_);
  }
  Snippet(const Snippet&) = delete;
  Snippet& operator=(const Snippet&) = delete;

  std::string_view src() const { return src_; }
  TSNode root() const { return ts_tree_root_node(tree_); }
  bool hasErrors() const { return ts_node_has_error(root()); }
  std::string_view text(TSNode node) const {
    return std::string_view(src_).substr(ts_node_start_byte(node),
                                         ts_node_end_byte(node) - ts_node_start_byte(node));
  }
  const Resolver& resolver() const { return resolver_; }
  const std::map<std::string, DecodedString, std::less<>>& constants() const { return constants_; }

  /// The first string expression in pre-order that starts at or after `marker`'s first
  /// occurrence (so the outermost one there); a null node if none.
  TSNode stringAt(std::string_view marker) const {
    const size_t at = src_.find(marker);
    EXPECT_NE(at, std::string::npos) << "marker `" << marker << "` not in snippet";
    TSNode found{};
    find(root(), static_cast<uint32_t>(at), found);
    return found;
  }

  /// Decodes the string expression at `marker` with the constants collected so far.
  std::optional<DecodedString> decodeAt(std::string_view marker) const {
    const TSNode node = stringAt(marker);
    EXPECT_FALSE(ts_node_is_null(node)) << "no string expression at `" << marker << "`";
    if (ts_node_is_null(node))
      return std::nullopt;
    return language_.decode(node, src_, resolver_);
  }

  /// Every (@name, @value) the language's constants query captures, predicates applied (by the
  /// analyzer's own Query).
  std::vector<std::pair<std::string, TSNode>> queryConstants() const {
    std::vector<std::pair<std::string, TSNode>> found;
    auto query = Query::compile(language_.grammar(), language_.constantsQuery, "constants");
    EXPECT_TRUE(query) << (query ? "" : query.error().str());
    if (!query)
      return found;
    for (const Query::Match& match : query->matches(root(), src_)) {
      std::string name;
      TSNode value{};
      for (const Query::Capture& c : match.captures) {
        if (c.name == "name")
          name = text(c.node);
        else if (c.name == "value")
          value = c.node;
      }
      EXPECT_FALSE(name.empty() || ts_node_is_null(value)) << "a match without @name or @value";
      found.emplace_back(name, value);
    }
    return found;
  }

  /// Decodes every constant in source order (later ones may refer to earlier ones); the pieces
  /// of each are marked as reached through that constant, as the analyzer's resolver does.
  void collectConstants() {
    for (const auto& [name, value] : queryConstants()) {
      if (std::optional<DecodedString> decoded = language_.decode(value, src_, resolver_)) {
        DecodedString marked;
        const std::string key = std::string(language_.constantPrefix) + name;
        marked.append(*decoded, key, 1);
        constants_[key] = std::move(marked);
      }
    }
  }

  /// Adds a constant by hand.
  void define(std::string name, DecodedString value) {
    constants_[std::move(name)] = std::move(value);
  }

private:
  void find(TSNode node, uint32_t at, TSNode& found) const {
    if (!ts_node_is_null(found) || ts_node_end_byte(node) <= at)
      return;
    if (ts_node_start_byte(node) >= at && language_.isStringExpression(node, src_)) {
      found = node;
      return;
    }
    const uint32_t count = ts_node_child_count(node);
    for (uint32_t i = 0; i < count && ts_node_is_null(found); ++i)
      find(ts_node_child(node, i), at, found);
  }

  const TreeSitterLanguage& language_;
  std::string src_;
  TSParser* parser_;
  TSTree* tree_ = nullptr;
  std::map<std::string, DecodedString, std::less<>> constants_;
  Resolver resolver_;
};

/// The source text that produced each value byte; `<hole:TEXT>` for a hole.
inline std::vector<std::string> sources(const DecodedString& d, std::string_view src) {
  std::vector<std::string> out;
  for (size_t i = 0; i < d.value.size(); ++i) {
    const std::string text(src.substr(d.srcBegin[i], d.srcEnd[i] - d.srcBegin[i]));
    out.push_back(d.value[i] == kHole ? "<hole:" + text + ">" : text);
  }
  return out;
}

/// The content of every piece, as the source spells it.
inline std::vector<std::string> pieceTexts(const DecodedString& d, std::string_view src) {
  std::vector<std::string> out;
  for (const LiteralPiece& p : d.pieces)
    out.emplace_back(src.substr(p.begin, p.end - p.begin));
  return out;
}

/// Checks what holds for every decoded value: parallel arrays of one length, holes outside any
/// piece, and every other byte produced by source bytes inside its own piece.
inline void expectWellFormed(const DecodedString& d) {
  ASSERT_EQ(d.srcBegin.size(), d.value.size());
  ASSERT_EQ(d.srcEnd.size(), d.value.size());
  ASSERT_EQ(d.piece.size(), d.value.size());
  for (size_t i = 0; i < d.value.size(); ++i) {
    EXPECT_LT(d.srcBegin[i], d.srcEnd[i]) << "byte " << i;
    if (d.value[i] == kHole) {
      EXPECT_EQ(d.piece[i], DecodedString::kNoPiece) << "byte " << i;
      continue;
    }
    ASSERT_LT(d.piece[i], d.pieces.size()) << "byte " << i;
    const LiteralPiece& p = d.pieces[d.piece[i]];
    EXPECT_GE(d.srcBegin[i], p.begin) << "byte " << i;
    EXPECT_LE(d.srcEnd[i], p.end) << "byte " << i;
  }
}

/// A LiteralStyle as text, e.g. `" triple raw $`, for comparisons that read well.
inline std::string style(const LiteralStyle& s) {
  std::string out(1, s.quote);
  if (s.triple)
    out += " triple";
  if (s.raw)
    out += " raw";
  if (s.holeIntro != 0)
    out += std::string(" ") + s.holeIntro;
  return out;
}

/// `text` with kHole bytes spelled `<?>`, so failures read well.
inline std::string readable(std::string_view value) {
  std::string out;
  for (char c : value)
    out += c == kHole ? std::string("<?>") : std::string(1, c);
  return out;
}

/// The matcher of the fixtures' table migration, `…user_profile_v1` → `…user_profile_v2`.
inline std::vector<DatasetMatcher> profileMatchers() {
  DatasetSpec spec;
  spec.kind = DatasetKind::BigQueryTable;
  spec.from = "acme-prod.core_users.user_profile_v1";
  spec.to = "acme-prod.core_users.user_profile_v2";
  std::vector<DatasetMatcher> out;
  out.emplace_back(spec);
  return out;
}

} // namespace godwit::test
