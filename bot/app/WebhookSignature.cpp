#include "bot/app/WebhookSignature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace godwit {
namespace {

constexpr std::string_view kPrefix = "sha256=";
constexpr size_t kDigestSize = 32;
using Digest = std::array<unsigned char, kDigestSize>;

Digest hmacSha256(std::string_view secret, std::string_view body) {
  Digest digest{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data(), &size);
  return digest;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace

std::string signWebhookBody(std::string_view secret, std::string_view body) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(kPrefix);
  for (unsigned char byte : hmacSha256(secret, body)) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0xf];
  }
  return out;
}

Expected<size_t> verifyWebhookSignature(std::string_view header, std::string_view body,
                                        const std::vector<std::string>& secrets) {
  if (header.empty())
    return makeError("the delivery has no X-Hub-Signature-256 header");
  if (header.substr(0, kPrefix.size()) != kPrefix)
    return makeError("X-Hub-Signature-256 does not start with sha256=");
  const std::string_view hex = header.substr(kPrefix.size());
  if (hex.size() != 2 * kDigestSize)
    return makeError("X-Hub-Signature-256 has " + std::to_string(hex.size()) +
                     " hex digits, not 64");
  Digest given{};
  for (size_t i = 0; i < kDigestSize; ++i) {
    const int high = hexValue(hex[2 * i]);
    const int low = hexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0)
      return makeError("X-Hub-Signature-256 is not hexadecimal after sha256=");
    given[i] = static_cast<unsigned char>(high << 4 | low);
  }
  // An empty secret would let anyone sign: it never matches.
  size_t matched = secrets.size();
  bool anySecret = false;
  // Every secret is tried, so the time taken does not say which one matched.
  for (size_t i = 0; i < secrets.size(); ++i) {
    if (secrets[i].empty())
      continue;
    anySecret = true;
    const Digest expected = hmacSha256(secrets[i], body);
    if (CRYPTO_memcmp(expected.data(), given.data(), kDigestSize) == 0 && matched == secrets.size())
      matched = i;
  }
  if (!anySecret)
    return makeError("no webhook secret is configured");
  if (matched == secrets.size())
    return makeError("the X-Hub-Signature-256 signature does not match the body");
  return matched;
}

} // namespace godwit
