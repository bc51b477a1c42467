#pragma once
// What an analyzer reports: one reference to a dataset, to rewrite or to show a human.

#include "analyzers/DecodedString.h"
#include "rules/Migration.h"
#include "rules/RulePack.h"

#include <memory>
#include <string>
#include <vector>

namespace godwit {

/// `rewrite`: godwit edits it; `attention`: a human must decide (see `reason`).
enum class Action { Rewrite, Attention };

/// `rewrite` or `attention`.
std::string_view actionName(Action action);

/// A change to part of a decoded value; rewriters map it to source bytes and re-encode it.
struct ValueEdit {
  std::shared_ptr<const DecodedString> value;
  size_t begin = 0; ///< Value bytes [begin, end) are replaced by `text`.
  size_t end = 0;
  std::string text;
};

/// One reference to a dataset in one file.
struct Finding {
  std::string file; ///< Relative to the scanned root, `/`-separated.
  size_t offset = 0; ///< Source bytes of the reference (the whole expression holding it).
  size_t length = 0;
  int line = 0; ///< 1-based; columns count bytes.
  int column = 0;
  int endLine = 0;
  int endColumn = 0;
  DatasetKind kind = DatasetKind::Literal;
  std::string dataset;  ///< The dataset's `from`.
  std::string context;  ///< e.g. `scala.string`, `scio.table-spec`.
  std::string ruleId;   ///< The rule that gave the context, if any.
  Access access = Access::Unknown;
  Action action = Action::Rewrite;
  std::string found;       ///< The reference as its value reads (decoded).
  std::string replacement; ///< Rewrite: what the reference becomes.
  std::string reason;      ///< Attention: why a human must decide.
  /// For kinds whose names are words (topics): whether the place takes such a name. An
  /// attention finding with Sink::Unknown and `changes` is a rewrite that awaits a sink (see
  /// awaitsSink), which a constant's use in a topic sink can still prove.
  Sink sink = Sink::Unknown;
  bool suppressed = false; ///< A `godwit:ignore` comment suppresses it.
  std::vector<ValueEdit> changes; ///< Rewrite: the value changes that make the edit.
};

/// True for an attention finding that would be a rewrite had its value reached a sink of its
/// kind (a topic literal no Kafka API or topic setting was seen to take).
bool awaitsSink(const Finding& f);

/// Makes a finding that awaits a sink the rewrite it would be, in `rule`'s context: the value
/// reaches that rule's sink (e.g. through a constant). A rule with `attention:` makes it that
/// attention instead.
void reachSink(Finding& f, const Rule& rule);

} // namespace godwit
