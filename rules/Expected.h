#pragma once
// Errors are values: every fallible call across a module boundary returns Expected<T>.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace godwit {

/// A user-facing error: what went wrong, where (file, 1-based line and column), and how to fix it.
struct Error {
  std::string message;
  std::string file;
  int line = 0;
  int column = 0;
  std::string hint;

  /// Renders `file:line:col: error: message`, omitting unknown parts, then the hint on its own line.
  std::string str() const {
    std::string out;
    if (!file.empty()) {
      out += file;
      if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0)
          out += ':' + std::to_string(column);
      }
      out += ": ";
    }
    out += "error: " + message;
    if (!hint.empty())
      out += "\n  hint: " + hint;
    return out;
  }
};

/// Builds an error that has no source position.
inline Error makeError(std::string message, std::string hint = {}) {
  return Error{std::move(message), {}, 0, 0, std::move(hint)};
}

/// Either a value of type T or an Error.
template <class T> class [[nodiscard]] Expected {
public:
  Expected(T value) : state_(std::move(value)) {}
  Expected(Error error) : state_(std::move(error)) {}

  bool hasValue() const { return state_.index() == 0; }
  explicit operator bool() const { return hasValue(); }

  T& value() & {
    assert(hasValue());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(hasValue());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(hasValue());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!hasValue());
    return std::get<1>(state_);
  }

private:
  std::variant<T, Error> state_;
};

/// Success without a value, or an Error.
template <> class [[nodiscard]] Expected<void> {
public:
  Expected() = default;
  Expected(Error error) : error_(std::move(error)), failed_(true) {}

  bool hasValue() const { return !failed_; }
  explicit operator bool() const { return hasValue(); }
  const Error& error() const {
    assert(failed_);
    return error_;
  }

private:
  Error error_;
  bool failed_ = false;
};

} // namespace godwit
