#include "rules/Glob.h"

namespace godwit {
namespace {

Error globError(std::string_view text, size_t at, std::string message, std::string hint) {
  return Error{"invalid glob `" + std::string(text) + "`: " + std::move(message),
               {},
               1,
               static_cast<int>(at + 1),
               std::move(hint)};
}

} // namespace

Expected<Glob> Glob::compile(std::string_view text) {
  Glob g;
  g.text_ = std::string(text);
  if (text.empty())
    return globError(text, 0, "it is empty", "give a pattern such as `**/generated/**`");
  if (text.front() == '/')
    return globError(text, 0, "it starts with `/`",
                     "globs match paths relative to the scanned root; drop the leading `/`");
  g.wholePath_ = text.find('/') != std::string_view::npos;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    Token t;
    if (c == '\\') {
      if (i + 1 == text.size())
        return globError(text, i, "it ends with `\\`",
                         "write `\\\\` for a backslash, or quote the character after it");
      t.byte = static_cast<unsigned char>(text[i + 1]);
      i += 2;
    } else if (c == '*') {
      size_t run = 0;
      while (i + run < text.size() && text[i + run] == '*')
        ++run;
      if (run > 2) {
        std::string stars(1, '`');
        stars.append(run, '*').append("` is not a pattern");
        return globError(text, i, std::move(stars),
                         "use `**` to span folders, `*` to stay within one");
      }
      t.op = run == 2 ? Op::DeepStar : Op::Star;
      i += run;
      t.skipsSlash = t.op == Op::DeepStar && i < text.size() && text[i] == '/';
    } else if (c == '?') {
      t.op = Op::AnyByte;
      ++i;
    } else if (c == '[') {
      const size_t open = i++;
      const bool negated = i < text.size() && (text[i] == '!' || text[i] == '^');
      if (negated)
        ++i;
      std::vector<bool> set(256, false);
      bool closed = false;
      for (bool first = true; i < text.size(); first = false) {
        unsigned char lo = static_cast<unsigned char>(text[i]);
        if (lo == ']' && !first) {
          closed = true;
          ++i;
          break;
        }
        if (lo == '\\' && i + 1 < text.size())
          lo = static_cast<unsigned char>(text[++i]);
        if (lo == '/')
          return globError(text, i, "a `[...]` class cannot match `/`",
                           "classes match one character of a name; spell folders out");
        ++i;
        unsigned char hi = lo;
        if (i + 1 < text.size() && text[i] == '-' && text[i + 1] != ']') {
          hi = static_cast<unsigned char>(text[i + 1]);
          if (hi == '\\' && i + 2 < text.size())
            hi = static_cast<unsigned char>(text[++i + 1]);
          if (hi < lo)
            return globError(text, i,
                             "the range `" + std::string(1, static_cast<char>(lo)) + "-" +
                                 std::string(1, static_cast<char>(hi)) + "` is reversed",
                             "write the lower character first, e.g. `[a-z]`");
          i += 2;
        }
        for (unsigned v = lo; v <= hi; ++v)
          set[v] = true;
      }
      if (!closed)
        return globError(text, open, "`[` is never closed",
                         "close the class with `]`, or write `\\[` for a literal `[`");
      if (negated)
        set.flip();
      set['/'] = false;
      t.op = Op::Class;
      t.set = static_cast<uint32_t>(g.sets_.size());
      g.sets_.push_back(std::move(set));
    } else {
      t.byte = static_cast<unsigned char>(c);
      ++i;
    }
    g.tokens_.push_back(t);
  }
  g.buildMasks();
  return g;
}

void Glob::buildMasks() {
  short_ = tokens_.size() + 2 <= 64;
  if (!short_)
    return;
  advance_.assign(256, 0);
  stay_.assign(256, 0);
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const Token& t = tokens_[i];
    const uint64_t bit = uint64_t{1} << i;
    if (t.op == Op::Star || t.op == Op::DeepStar)
      stars_ |= bit;
    if (t.skipsSlash)
      deepDirs_ |= bit;
    for (unsigned c = 0; c < 256; ++c) {
      switch (t.op) {
      case Op::Byte:
        advance_[c] |= c == t.byte ? bit : 0;
        break;
      case Op::AnyByte:
        advance_[c] |= c != '/' ? bit : 0;
        break;
      case Op::Class:
        advance_[c] |= sets_[t.set][c] ? bit : 0;
        break;
      case Op::Star:
        stay_[c] |= c != '/' ? bit : 0;
        break;
      case Op::DeepStar:
        stay_[c] |= bit;
        break;
      }
    }
  }
}

bool Glob::matches(std::string_view path) const {
  if (!wholePath_) {
    const size_t slash = path.rfind('/');
    if (slash != std::string_view::npos)
      path.remove_prefix(slash + 1);
  }
  if (!short_)
    return matchesLong(path);
  // The same automaton as matchesLong, one bit per state.
  const auto close = [&](uint64_t live, bool folderStart) {
    for (;;) {
      uint64_t more = live | ((live & stars_) << 1);
      if (folderStart)
        more |= (live & deepDirs_) << 2;
      if (more == live)
        return live;
      live = more;
    }
  };
  uint64_t live = close(1, true);
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    live = ((live & advance_[c]) << 1) | (live & stay_[c]);
    if (live == 0)
      return false;
    live = close(live, c == '/');
  }
  return (live >> tokens_.size()) & 1;
}

bool Glob::matchesLong(std::string_view path) const {
  // The automaton's states are the token positions; a state is live when the path read so far
  // can end there. Stars loop on themselves and may also be skipped, which only moves forward,
  // so one ascending pass closes a state set over its skips.
  const size_t n = tokens_.size();
  // Reused from call to call: the walk matches every path against every glob.
  thread_local std::vector<char> live, next;
  live.assign(n + 2, 0);
  next.assign(n + 2, 0);
  // `**/` matches no folder only where a folder could start: at the start or after a `/`.
  auto close = [&](std::vector<char>& s, bool folderStart) {
    for (size_t i = 0; i < n; ++i) {
      if (!s[i] || (tokens_[i].op != Op::Star && tokens_[i].op != Op::DeepStar))
        continue;
      s[i + 1] = 1;
      if (tokens_[i].skipsSlash && folderStart)
        s[i + 2] = 1;
    }
  };
  live[0] = 1;
  close(live, true);
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    std::fill(next.begin(), next.end(), 0);
    bool any = false;
    for (size_t i = 0; i < n; ++i) {
      if (!live[i])
        continue;
      const Token& t = tokens_[i];
      size_t to = n + 1; // no move
      switch (t.op) {
      case Op::Byte:
        to = c == t.byte ? i + 1 : to;
        break;
      case Op::AnyByte:
        to = c != '/' ? i + 1 : to;
        break;
      case Op::Class:
        to = sets_[t.set][c] ? i + 1 : to;
        break;
      case Op::Star:
        to = c != '/' ? i : to;
        break;
      case Op::DeepStar:
        to = i;
        break;
      }
      if (to <= n) {
        next[to] = 1;
        any = true;
      }
    }
    if (!any)
      return false;
    close(next, c == '/');
    live.swap(next);
  }
  return live[n] != 0;
}

} // namespace godwit
