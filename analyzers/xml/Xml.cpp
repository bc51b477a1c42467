#include "analyzers/xml/Xml.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace godwit {
namespace {

bool isNameStart(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalpha(u) || c == '_' || c == ':' || u >= 0x80;
}

bool isNameByte(char c) {
  return isNameStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}

bool isName(std::string_view s) {
  return !s.empty() && isNameStart(s.front()) &&
         std::all_of(s.begin(), s.end(), [](char c) { return isNameByte(c); });
}

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

class Scanner {
public:
  explicit Scanner(std::string_view text) : t_(text), n_(static_cast<uint32_t>(text.size())) {}

  ConfigScan run() {
    i_ = t_.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    while (ok() && i_ < n_) {
      if (t_[i_] != '<')
        text();
      else if (t_.compare(i_, 4, "<!--") == 0)
        skipPast("-->", i_ + 4, "unterminated comment");
      else if (t_.compare(i_, 9, "<![CDATA[") == 0)
        cdata();
      else if (t_.compare(i_, 2, "<?") == 0)
        skipPast("?>", i_ + 2, "unterminated processing instruction");
      else if (t_.compare(i_, 2, "<!") == 0)
        declaration();
      else if (t_.compare(i_, 2, "</") == 0)
        endTag();
      else
        startTag();
    }
    if (ok() && !open_.empty())
      fail(open_.back().second, "element <" + std::string(open_.back().first) + "> is not closed");
    else if (ok() && !rootSeen_)
      fail(i_, "no root element");
    return std::move(scan_);
  }

private:
  bool ok() const { return scan_.problems.empty(); }

  void fail(uint32_t at, std::string message) {
    if (ok())
      scan_.problems.push_back({at, std::move(message)});
  }

  bool skipSpaces() {
    const uint32_t start = i_;
    while (i_ < n_ && isSpace(t_[i_]))
      ++i_;
    return i_ > start;
  }

  std::string_view name() {
    const uint32_t start = i_;
    if (i_ < n_ && isNameStart(t_[i_]))
      while (i_ < n_ && isNameByte(t_[i_]))
        ++i_;
    return t_.substr(start, i_ - start);
  }

  void skipPast(std::string_view end, uint32_t from, const char* message) {
    const size_t at = t_.find(end, from);
    if (at == std::string_view::npos)
      return fail(i_, message);
    i_ = static_cast<uint32_t>(at + end.size());
  }

  /// `<!DOCTYPE …>` with its internal subset; nothing in it is a value.
  void declaration() {
    const uint32_t start = i_;
    if (rootSeen_)
      return fail(start, "a declaration inside the document");
    int depth = 0;
    for (i_ += 2; i_ < n_; ++i_) {
      const char c = t_[i_];
      if (c == '"' || c == '\'') {
        const size_t close = t_.find(c, i_ + 1);
        if (close == std::string_view::npos)
          break;
        i_ = static_cast<uint32_t>(close);
      } else if (c == '[') {
        ++depth;
      } else if (c == ']') {
        --depth;
      } else if (c == '>' && depth <= 0) {
        ++i_;
        return;
      }
    }
    fail(start, "unterminated declaration");
  }

  void startTag() {
    const uint32_t start = i_;
    ++i_;
    const std::string_view element = name();
    if (element.empty())
      return fail(i_, "`<` that starts no tag (write `&lt;`)");
    if (open_.empty() && rootSeen_)
      return fail(start, "a second root element");
    rootSeen_ = true;
    namedAs_.clear();
    for (;;) {
      const bool spaced = skipSpaces();
      if (t_.compare(i_, 2, "/>") == 0) {
        i_ += 2;
        return;
      }
      if (i_ < n_ && t_[i_] == '>') {
        ++i_;
        open_.emplace_back(element, start);
        return;
      }
      if (i_ >= n_)
        return fail(start, "unterminated tag <" + std::string(element) + ">");
      if (!spaced)
        return fail(i_, "expected whitespace, `>` or `/>` in the tag");
      const std::string_view attributeName = name();
      if (attributeName.empty())
        return fail(i_, "expected an attribute name, `>` or `/>`");
      // Spring's `<property name="topic" value="…"/>`: the value's key is the name it is given.
      attributeKey_ = std::string(element) + "/" +
                      (attributeName == "value" && !namedAs_.empty() ? namedAs_
                                                                     : std::string(attributeName));
      const bool naming = attributeName == "name" || attributeName == "key";
      skipSpaces();
      if (i_ >= n_ || t_[i_] != '=')
        return fail(i_, "expected `=` after the attribute name");
      ++i_;
      skipSpaces();
      if (i_ >= n_ || (t_[i_] != '"' && t_[i_] != '\''))
        return fail(i_, "an attribute value needs quotes");
      const uint32_t valueAt = i_ + 1;
      attribute();
      if (!ok())
        return;
      if (naming)
        namedAs_ = std::string(t_.substr(valueAt, i_ - 1 - valueAt));
    }
  }

  void endTag() {
    const uint32_t start = i_;
    i_ += 2;
    const std::string_view element = name();
    skipSpaces();
    if (element.empty() || i_ >= n_ || t_[i_] != '>')
      return fail(start, "malformed closing tag");
    ++i_;
    if (open_.empty())
      return fail(start, "closing tag </" + std::string(element) + "> without an opening tag");
    if (open_.back().first != element)
      return fail(start, "closing tag </" + std::string(element) + "> does not match <" +
                             std::string(open_.back().first) + ">");
    open_.pop_back();
  }

  static LiteralPiece piece(uint32_t begin, uint32_t end, char quote, LiteralSyntax syntax) {
    LiteralPiece p;
    p.begin = begin;
    p.end = end;
    p.style.quote = quote;
    p.style.syntax = syntax;
    return p;
  }

  void emit(DecodedString value, uint32_t begin, uint32_t end) {
    if (value.value.find_first_not_of(" \t\n\r") == std::string::npos)
      return;
    markPlaceholders(value);
    std::string key = !attributeKey_.empty()   ? attributeKey_
                      : !open_.empty()         ? std::string(open_.back().first)
                                               : std::string();
    scan_.values.push_back(ConfigValue{std::move(value), begin, end, std::move(key)});
  }

  /// Decodes the reference at `k` (`&amp;`, `&#x2d;`, …) into `out`; returns the byte after it.
  /// Entities a DTD defines are unknown text (a hole).
  uint32_t reference(DecodedString& out, uint32_t k, uint32_t end) {
    const size_t semi = t_.find(';', k);
    if (semi == std::string_view::npos || semi >= end || semi - k > 40) {
      fail(k, "`&` that starts no entity (write `&amp;`)");
      return end;
    }
    const std::string_view ref = t_.substr(k + 1, semi - k - 1);
    const auto after = static_cast<uint32_t>(semi + 1);
    if (ref.starts_with('#')) {
      const bool hex = ref.size() > 1 && ref[1] == 'x';
      const std::string_view digits = ref.substr(hex ? 2 : 1);
      long cp = digits.empty() || digits.size() > 8 ? -1 : 0;
      for (char c : digits) {
        const int d =
            hex ? hexDigit(c) : (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : -1);
        if (d < 0 || cp < 0) {
          cp = -1;
          break;
        }
        cp = cp * (hex ? 16 : 10) + d;
      }
      if (cp <= 0) {
        fail(k, "malformed character reference");
        return end;
      }
      pushCodePoint(out, cp, k, after);
      return after;
    }
    static constexpr std::string_view kNames[] = {"amp", "lt", "gt", "quot", "apos"};
    static constexpr char kChars[] = {'&', '<', '>', '"', '\''};
    for (size_t e = 0; e < 5; ++e) {
      if (ref == kNames[e]) {
        out.push(kChars[e], k, after);
        return after;
      }
    }
    if (!isName(ref)) {
      fail(k, "`&` that starts no entity (write `&amp;`)");
      return end;
    }
    out.pushHole(k, after);
    return after;
  }

  /// Character data up to the next `<`.
  void text() {
    const uint32_t start = i_;
    const size_t lt = t_.find('<', start);
    const uint32_t end = lt == std::string_view::npos ? n_ : static_cast<uint32_t>(lt);
    if (open_.empty()) {
      for (uint32_t k = start; k < end; ++k)
        if (!isSpace(t_[k]))
          return fail(k,
                      rootSeen_ ? "text after the root element" : "text before the root element");
      i_ = end;
      return;
    }
    DecodedString out;
    out.beginPiece(piece(start, end, 0, LiteralSyntax::Xml));
    for (uint32_t k = start; k < end && ok();) {
      if (t_[k] == '&') {
        k = reference(out, k, end);
      } else if (t_[k] == '\r') {
        const uint32_t br = k + 1 < end && t_[k + 1] == '\n' ? 2 : 1;
        out.push('\n', k, k + br);
        k += br;
      } else {
        out.push(t_[k], k, k + 1);
        ++k;
      }
    }
    i_ = end;
    if (ok())
      emit(std::move(out), start, end);
  }

  void attribute() {
    const uint32_t open = i_;
    const char quote = t_[open];
    const size_t close = t_.find(quote, open + 1);
    if (close == std::string_view::npos)
      return fail(open, "unterminated attribute value");
    const auto end = static_cast<uint32_t>(close);
    DecodedString out;
    out.beginPiece(piece(open + 1, end, quote, LiteralSyntax::Xml));
    for (uint32_t k = open + 1; k < end && ok();) {
      const char c = t_[k];
      if (c == '<')
        return fail(k, "`<` in an attribute value (write `&lt;`)");
      if (c == '&') {
        k = reference(out, k, end);
      } else if (c == '\r' || c == '\n' || c == '\t') {
        // Attribute-value normalization: every line break or tab is one space.
        const uint32_t br = c == '\r' && k + 1 < end && t_[k + 1] == '\n' ? 2 : 1;
        out.push(' ', k, k + br);
        k += br;
      } else {
        out.push(c, k, k + 1);
        ++k;
      }
    }
    i_ = end + 1;
    if (ok())
      emit(std::move(out), open, i_);
    attributeKey_.clear();
  }

  void cdata() {
    const uint32_t start = i_;
    if (open_.empty())
      return fail(start, "CDATA outside the root element");
    const size_t close = t_.find("]]>", start + 9);
    if (close == std::string_view::npos)
      return fail(start, "unterminated CDATA section");
    const auto end = static_cast<uint32_t>(close);
    DecodedString out;
    out.beginPiece(piece(start + 9, end, 0, LiteralSyntax::XmlCData));
    for (uint32_t k = start + 9; k < end;) {
      const uint32_t br = t_[k] == '\r' && k + 1 < end && t_[k + 1] == '\n' ? 2 : 1;
      out.push(br == 2 || t_[k] == '\r' ? '\n' : t_[k], k, k + br);
      k += br;
    }
    i_ = end + 3;
    emit(std::move(out), start, i_);
  }

  std::string attributeKey_; ///< `element/attribute` while an attribute value is read.
  std::string namedAs_;      ///< The current tag's `name` or `key` attribute, as written.
  std::string_view t_;
  uint32_t n_;
  uint32_t i_ = 0;
  bool rootSeen_ = false;
  std::vector<std::pair<std::string_view, uint32_t>> open_; ///< Open elements and their `<`.
  ConfigScan scan_;
};

} // namespace

ConfigScan scanXml(std::string_view text) {
  return Scanner(text).run();
}

Expected<std::unique_ptr<Analyzer>> makeXmlAnalyzer(const std::vector<const Rule*>& rules) {
  static const ConfigFormat format{"xml", "XML", scanXml};
  return makeConfigAnalyzer(format, rules);
}

} // namespace godwit
