#include "bot/github/RepositoryName.h"

#include <algorithm>

namespace godwit {
namespace {

// ASCII only: std::tolower would follow the locale.
char asciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

bool sameRepositoryName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return asciiLower(x) == asciiLower(y);
         });
}

} // namespace godwit
