#include "rewriters/Patch.h"

#include <algorithm>
#include <cassert>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace godwit {
namespace {

// Lines keep their terminator (`\n`, and a `\r` before it), so comparing lines compares line
// endings too, and a last line without `\n` differs from the same text with one.
std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(at, next - at));
    at = next;
  }
  return lines;
}

// A run of changed lines: old lines [oldBegin, oldEnd) become new lines [newBegin, newEnd).
struct Block {
  size_t oldBegin, oldEnd, newBegin, newEnd;
};

// Myers' O(ND) difference algorithm in its linear-space form: find the middle snake of an
// optimal edit path, then solve both halves the same way.
class LineDiff {
public:
  LineDiff(const std::vector<int>& a, const std::vector<int>& b) : a_(a), b_(b) {
    const size_t size = 2 * (a.size() + b.size()) + 3;
    forward_.resize(size);
    backward_.resize(size);
  }

  // Marks each line that is not part of the common subsequence.
  void run(std::vector<bool>& deleted, std::vector<bool>& inserted) {
    deleted_ = &deleted;
    inserted_ = &inserted;
    solve(0, a_.size(), 0, b_.size());
  }

private:
  // Beyond this many edits in one middle-snake search the optimal path is given up for a good
  // one, bounding the time on inputs that share almost nothing.
  static constexpr long kMaxCost = 4096;

  struct Split {
    long x, y; // The snake [x, u) x [y, v) lies on an optimal path; x < u only on a snake.
    long u, v;
  };

  void solve(size_t a0, size_t a1, size_t b0, size_t b1) {
    while (a0 < a1 && b0 < b1 && a_[a0] == b_[b0])
      ++a0, ++b0;
    while (a0 < a1 && b0 < b1 && a_[a1 - 1] == b_[b1 - 1])
      --a1, --b1;
    if (a0 == a1) {
      for (size_t j = b0; j < b1; ++j)
        (*inserted_)[j] = true;
      return;
    }
    if (b0 == b1) {
      for (size_t i = a0; i < a1; ++i)
        (*deleted_)[i] = true;
      return;
    }
    const Split s = middleSnake(a0, a1, b0, b1);
    solve(a0, a0 + s.x, b0, b0 + s.y);
    solve(a0 + s.u, a1, b0 + s.v, b1);
  }

  // How far along diagonal k (x - y == k) a path with one more edit gets from the furthest
  // points of the previous step, staying inside the n x m grid; -1 when no path does.
  static long extend(const long* v, long d, long k, long n, long m) {
    if (d == 0)
      return 0;
    const long down = k + 1 <= d - 1 && v[k + 1] >= 0 && v[k + 1] - k <= m ? v[k + 1] : -1;
    const long right = k - 1 >= -(d - 1) && v[k - 1] >= 0 && v[k - 1] + 1 <= n ? v[k - 1] + 1 : -1;
    return std::max(down, right);
  }

  // Both sequences are non-empty and differ in their first and last lines.
  Split middleSnake(size_t a0, size_t a1, size_t b0, size_t b1) {
    const long n = static_cast<long>(a1 - a0);
    const long m = static_cast<long>(b1 - b0);
    const long delta = n - m;
    const bool odd = (delta & 1) != 0;
    const long offset = n + m + 1; // Diagonal k is stored at index k + offset.
    long* vf = forward_.data() + offset;
    long* vb = backward_.data() + offset; // x distance from the end along reversed diagonals.
    auto same = [&](long x, long y) { return a_[a0 + x] == b_[b0 + y]; };
    const long maxD = (n + m + 1) / 2;
    for (long d = 0; d <= maxD; ++d) {
      for (long k = -d; k <= d; k += 2) {
        long x = extend(vf, d, k, n, m);
        vf[k] = x;
        if (x < 0)
          continue;
        long y = x - k;
        const long x0 = x, y0 = y;
        while (x < n && y < m && same(x, y))
          ++x, ++y;
        vf[k] = x;
        const long r = delta - k;
        if (odd && r >= -(d - 1) && r <= d - 1 && vb[r] >= 0 && x + vb[r] >= n)
          return {x0, y0, x, y};
      }
      for (long k = -d; k <= d; k += 2) {
        long x = extend(vb, d, k, n, m);
        vb[k] = x;
        if (x < 0)
          continue;
        long y = x - k;
        const long x0 = x, y0 = y;
        while (x < n && y < m && same(n - 1 - x, m - 1 - y))
          ++x, ++y;
        vb[k] = x;
        const long f = delta - k;
        if (!odd && f >= -d && f <= d && vf[f] >= 0 && x + vf[f] >= n)
          return {n - x, m - y, n - x0, m - y0};
      }
      if (d >= kMaxCost)
        return furthestForward(d, n, m);
    }
    assert(false && "the middle snake always exists");
    return {0, 0, n, m};
  }

  // The forward point that got furthest after `d` steps; it lies strictly between the corners
  // because the search would have met the backward one had it reached the end.
  Split furthestForward(long d, long n, long m) const {
    const long* vf = forward_.data() + n + m + 1;
    long bestX = 0, bestY = 0;
    for (long k = -d; k <= d; k += 2) {
      if (vf[k] >= 0 && 2 * vf[k] - k > bestX + bestY)
        bestX = vf[k], bestY = vf[k] - k;
    }
    return {bestX, bestY, bestX, bestY};
  }

  const std::vector<int>& a_;
  const std::vector<int>& b_;
  std::vector<long> forward_;
  std::vector<long> backward_;
  std::vector<bool>* deleted_ = nullptr;
  std::vector<bool>* inserted_ = nullptr;
};

// The changed blocks of `before` → `after`, in order.
std::vector<Block> diffLines(const std::vector<std::string_view>& a,
                             const std::vector<std::string_view>& b) {
  size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head])
    ++head;
  size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail])
    ++tail;

  // Only the middle goes through Myers, as small integers.
  std::unordered_map<std::string_view, int> ids;
  auto idsOf = [&](const std::vector<std::string_view>& lines) {
    std::vector<int> out;
    out.reserve(lines.size() - head - tail);
    for (size_t i = head; i < lines.size() - tail; ++i)
      out.push_back(ids.emplace(lines[i], static_cast<int>(ids.size())).first->second);
    return out;
  };
  const std::vector<int> ia = idsOf(a);
  const std::vector<int> ib = idsOf(b);
  std::vector<bool> deleted(ia.size()), inserted(ib.size());
  LineDiff(ia, ib).run(deleted, inserted);

  std::vector<Block> blocks;
  size_t i = 0, j = 0;
  while (i < ia.size() || j < ib.size()) {
    if (i < ia.size() && j < ib.size() && !deleted[i] && !inserted[j]) {
      ++i, ++j;
      continue;
    }
    Block blk{head + i, 0, head + j, 0};
    while (i < ia.size() && deleted[i])
      ++i;
    while (j < ib.size() && inserted[j])
      ++j;
    blk.oldEnd = head + i;
    blk.newEnd = head + j;
    blocks.push_back(blk);
  }
  return blocks;
}

// Git's C-style quoting of a path that holds `"`, `\`, control or non-ASCII bytes.
std::string quotePath(std::string_view prefix, std::string_view path) {
  const bool plain = std::none_of(path.begin(), path.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
  });
  if (plain)
    return std::string(prefix) + std::string(path);
  std::string out(1, '"');
  out += prefix;
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\a':
      out += "\\a";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\v':
      out += "\\v";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      if (c < 0x20 || c >= 0x7f) {
        out += '\\';
        out += static_cast<char>('0' + (c >> 6));
        out += static_cast<char>('0' + ((c >> 3) & 7));
        out += static_cast<char>('0' + (c & 7));
      } else {
        out += ch;
      }
    }
  }
  return out + "\"";
}

// `start,count` with git's conventions: `,1` is left out, and an empty range names the line
// before it.
std::string range(size_t begin, size_t count) {
  std::string out = std::to_string(count == 0 ? begin : begin + 1);
  if (count != 1)
    out += ',' + std::to_string(count);
  return out;
}

void emitLine(std::string& out, char mark, std::string_view line) {
  out += mark;
  out += line;
  if (line.empty() || line.back() != '\n')
    out += "\n\\ No newline at end of file\n";
}

} // namespace

std::string renderFileDiff(const FileChange& change, int context) {
  if (change.before == change.after)
    return {};
  const size_t ctx = static_cast<size_t>(std::max(context, 0));
  const std::vector<std::string_view> a = splitLines(change.before);
  const std::vector<std::string_view> b = splitLines(change.after);
  const std::vector<Block> blocks = diffLines(a, b);

  std::string out;
  const std::string from = quotePath("a/", change.path);
  const std::string to = quotePath("b/", change.path);
  // Like git, a tab ends names with spaces in the ---/+++ lines so that patch(1) reads them whole.
  const char* tab = change.path.find(' ') != std::string::npos ? "\t" : "";
  out += "diff --git " + from + ' ' + to + '\n';
  out += "--- " + from + tab + '\n';
  out += "+++ " + to + tab + '\n';

  for (size_t first = 0; first < blocks.size();) {
    // A hunk takes every following block whose gap of unchanged lines its context would cover.
    size_t last = first;
    while (last + 1 < blocks.size() && blocks[last + 1].oldBegin - blocks[last].oldEnd <= 2 * ctx)
      ++last;
    const Block& f = blocks[first];
    const Block& l = blocks[last];
    const size_t lead = std::min(ctx, f.oldBegin);
    const size_t trail = std::min(ctx, a.size() - l.oldEnd);
    const size_t oldBegin = f.oldBegin - lead;
    const size_t newBegin = f.newBegin - lead;
    const size_t oldEnd = l.oldEnd + trail;
    const size_t newEnd = l.newEnd + trail;
    out += "@@ -" + range(oldBegin, oldEnd - oldBegin) + " +" + range(newBegin, newEnd - newBegin) +
           " @@\n";
    size_t at = oldBegin;
    for (size_t i = first; i <= last; ++i) {
      const Block& blk = blocks[i];
      for (; at < blk.oldBegin; ++at)
        emitLine(out, ' ', a[at]);
      for (size_t k = blk.oldBegin; k < blk.oldEnd; ++k)
        emitLine(out, '-', a[k]);
      for (size_t k = blk.newBegin; k < blk.newEnd; ++k)
        emitLine(out, '+', b[k]);
      at = blk.oldEnd;
    }
    for (; at < oldEnd; ++at)
      emitLine(out, ' ', a[at]);
    first = last + 1;
  }
  return out;
}

std::string renderPatch(const std::vector<FileChange>& changes, int context) {
  std::string out;
  for (const FileChange& change : changes)
    out += renderFileDiff(change, context);
  return out;
}

} // namespace godwit
