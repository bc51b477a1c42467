// Fuzz target: the webhook signature check on any bytes: the input's first line is the secret,
// the second the X-Hub-Signature-256 header, the rest the body. Never a crash; a header the
// check accepts is the body's signature; the signature computed from (secret, body) always
// verifies; a one-byte change to it never does, unless it only changes a hex digit's case.
#include "bot/app/WebhookSignature.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void broken(const char* what) {
  std::fprintf(stderr, "fuzz: invariant broken: %s\n", what);
  std::abort();
}

// The value of a hex digit, -1 for any other byte: the harness decodes hex itself, so that the
// check under test is not its own oracle.
int hexValue(unsigned char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// The next line of `input` from `at` (without its '\n'); `at` moves past it.
std::string_view line(std::string_view input, size_t& at) {
  const size_t end = std::min(input.find('\n', at), input.size());
  const std::string_view out = input.substr(at, end - at);
  at = end == input.size() ? end : end + 1;
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace godwit;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t at = 0;
  const std::string secret(line(input, at));
  const std::string_view header = line(input, at);
  const std::string_view body = input.substr(at);
  const std::string expected = signWebhookBody(secret, body);
  if (expected.size() != 71 || expected.compare(0, 7, "sha256=") != 0)
    broken("a signature that is not sha256= and 64 hex digits");

  // The header as given: accepted only when it is the body's signature (hex in any case).
  auto given = verifyWebhookSignature(header, body, {secret});
  if (given) {
    if (secret.empty())
      broken("an empty secret matched");
    if (*given != 0)
      broken("one secret, another index");
    bool same = header.size() == expected.size() && header.substr(0, 7) == "sha256=";
    for (size_t i = 7; same && i < header.size(); ++i)
      same = hexValue(static_cast<unsigned char>(header[i])) ==
             hexValue(static_cast<unsigned char>(expected[i]));
    if (!same)
      broken("a header that is not the body's signature was accepted");
  } else {
    if (given.error().message.empty())
      broken("an error without a message");
    // The reason for a rejection does not depend on the secret (when there is one), so it
    // cannot show it.
    auto other = verifyWebhookSignature(header, body, {secret + "x"});
    if (!secret.empty() && !other && other.error().message != given.error().message)
      broken("the error depends on the secret");
  }

  // The computed signature: accepted with the secret, also when it is the second one tried.
  auto computed = verifyWebhookSignature(expected, body, {secret});
  if (secret.empty()) {
    if (computed)
      broken("an empty secret matched");
    return 0;
  }
  if (!computed || *computed != 0)
    broken("the body's own signature was rejected");
  auto rotated = verifyWebhookSignature(expected, body, {secret + "-new", secret});
  if (!rotated || *rotated != 1)
    broken("the body's own signature was rejected as the previous secret");

  // One byte changed, where and to what the input says (its length and its last byte).
  std::string changed = expected;
  const size_t pos = size % changed.size();
  const unsigned char delta = size == 0 ? 1 : static_cast<unsigned char>(data[size - 1] | 1);
  const auto before = static_cast<unsigned char>(changed[pos]);
  const auto after = static_cast<unsigned char>(before ^ delta);
  changed[pos] = static_cast<char>(after);
  const bool caseOnly = pos >= 7 && hexValue(after) == hexValue(before);
  auto tampered = verifyWebhookSignature(changed, body, {secret});
  if (caseOnly && !tampered)
    broken("a hex digit in capitals was rejected");
  if (!caseOnly && tampered)
    broken("a signature with one byte changed was accepted");
  return 0;
}
