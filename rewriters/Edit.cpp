#include "rewriters/Edit.h"

#include <algorithm>
#include <cassert>

namespace godwit {
namespace {

size_t endOf(const Edit& e) {
  return e.offset + e.length;
}

// Insertions (length 0) touch a single point: two insertions there collide, and an insertion
// collides with a replacement only strictly inside it (its edges are shared by neither).
bool overlaps(const Edit& a, const Edit& b) {
  if (a.length == 0 && b.length == 0)
    return a.offset == b.offset;
  if (a.length == 0)
    return b.offset < a.offset && a.offset < endOf(b);
  if (b.length == 0)
    return a.offset < b.offset && b.offset < endOf(a);
  return a.offset < endOf(b) && b.offset < endOf(a);
}

bool sameEdit(const Edit& a, const Edit& b) {
  return a.offset == b.offset && a.length == b.length && a.replacement == b.replacement;
}

// Sort key: at one offset an insertion goes before the replacement that starts there.
bool before(const Edit& a, const Edit& b) {
  return a.offset != b.offset ? a.offset < b.offset : a.length < b.length;
}

} // namespace

const Edit* EditSet::conflict(const Edit& edit) const {
  auto first = std::partition_point(edits_.begin(), edits_.end(),
                                    [&](const Edit& e) { return endOf(e) < edit.offset; });
  for (auto it = first; it != edits_.end() && it->offset <= endOf(edit); ++it)
    if (!sameEdit(*it, edit) && overlaps(*it, edit))
      return &*it;
  return nullptr;
}

Expected<void> EditSet::add(Edit edit) {
  if (!edits_.empty() && edits_.front().file != edit.file)
    return makeError("edit for " + edit.file + " (" + edit.origin + ") added to the edits of " +
                         edits_.front().file,
                     "this is a bug in godwit; please report it");

  // Held edits never overlap, so both their offsets and their ends ascend: only the edits from
  // the first one ending at or after the new edit's start can touch it.
  auto first = std::partition_point(edits_.begin(), edits_.end(),
                                    [&](const Edit& e) { return endOf(e) < edit.offset; });
  for (auto it = first; it != edits_.end() && it->offset <= endOf(edit); ++it) {
    if (sameEdit(*it, edit))
      return {};
    if (overlaps(*it, edit)) {
      const bool heldFirst = !before(edit, *it);
      const std::string& a = heldFirst ? it->origin : edit.origin;
      const std::string& b = heldFirst ? edit.origin : it->origin;
      return makeError("overlapping edits in " + edit.file + ": " + a + " and " + b +
                           " change the same bytes",
                       "the two references share source text, so godwit cannot rewrite both; "
                       "change this spot by hand, or mark one of them with a `godwit:ignore` "
                       "comment");
    }
  }
  auto pos = std::upper_bound(edits_.begin(), edits_.end(), edit, before);
  edits_.insert(pos, std::move(edit));
  return {};
}

std::string EditSet::apply(std::string_view original) const {
  std::string out;
  size_t grow = 0;
  for (const Edit& e : edits_)
    grow += e.replacement.size();
  out.reserve(original.size() + grow);
  size_t at = 0;
  for (const Edit& e : edits_) {
    assert(e.offset >= at && endOf(e) <= original.size());
    // substr throws rather than reading out of bounds if an edit does not fit the content.
    out += original.substr(at, e.offset - at);
    out += e.replacement;
    at = endOf(e);
  }
  out += original.substr(at);
  return out;
}

} // namespace godwit
