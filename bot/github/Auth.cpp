#include "bot/github/Auth.h"

#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <memory>

namespace godwit {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// PEM_read_bio_PrivateKey would prompt on the terminal for an encrypted key; refuse instead.
int noPassphrase(char*, int, int, void*) {
  return -1;
}

const Error& badKey() {
  static const Error error = makeError(
      "the GitHub App private key could not be read as an RSA private key in PEM format",
      "pass the .pem file GitHub generated for the App with --private-key (not encrypted)");
  return error;
}

} // namespace

std::string base64UrlEncode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<unsigned char>(data[k]); };
  for (; i + 2 < data.size(); i += 3) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == data.size()) {
    unsigned v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == data.size()) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

Expected<std::string> base64UrlDecode(std::string_view text) {
  while (!text.empty() && text.back() == '=')
    text.remove_suffix(1);
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos)
      return makeError(std::string("invalid base64url character '") + c + "'");
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

Expected<std::string> makeAppJwt(std::string_view appId, std::string_view privateKeyPem,
                                 std::chrono::system_clock::time_point now) {
  if (appId.empty())
    return makeError("the GitHub App id is empty", "pass --app-id with the App's id");
  std::unique_ptr<BIO, BioDeleter> bio(
      BIO_new_mem_buf(privateKeyPem.data(), static_cast<int>(privateKeyPem.size())));
  if (!bio)
    return badKey();
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr));
  if (!key || !EVP_PKEY_is_a(key.get(), "RSA"))
    return badKey();

  long long issuedAt =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  nlohmann::json claims;
  claims["iat"] = issuedAt - 60;
  claims["exp"] = issuedAt + 9 * 60;
  // Ids beyond 18 digits would overflow a JSON integer here; they go out as strings.
  bool numeric = appId.size() < 19 && std::all_of(appId.begin(), appId.end(), [](unsigned char c) {
                   return std::isdigit(c) != 0;
                 });
  if (numeric)
    claims["iss"] = std::stoll(std::string(appId));
  else
    claims["iss"] = std::string(appId);
  std::string signingInput =
      base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})") + "." + base64UrlEncode(claims.dump());

  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(signingInput.data()),
                     signingInput.size()) != 1)
    return makeError("signing the GitHub App JWT failed (OpenSSL)");
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(signingInput.data()),
                     signingInput.size()) != 1)
    return makeError("signing the GitHub App JWT failed (OpenSSL)");
  signature.resize(length);
  return signingInput + "." + base64UrlEncode(signature);
}

Expected<std::chrono::system_clock::time_point> parseIsoUtc(std::string_view text) {
  std::tm tm{};
  std::string copy(text);
  const char* end = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end)
    return makeError("invalid time '" + copy + "' (expected YYYY-MM-DDTHH:MM:SSZ)");
  // Fractional seconds are possible; the token lifetime is minutes, so they are dropped.
  if (*end == '.')
    while (std::isdigit(static_cast<unsigned char>(*++end))) {
    }
  if (std::string_view(end) != "Z" && std::string_view(end) != "+00:00")
    return makeError("invalid time '" + copy + "' (expected UTC, ending in Z)");
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

Expected<InstallationToken> parseInstallationToken(std::string_view json) {
  auto body = nlohmann::json::parse(json, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("token") ||
      !body["token"].is_string() || !body.contains("expires_at") || !body["expires_at"].is_string())
    return makeError("GitHub's installation token response has no token or expires_at",
                     "check --installation-id and that the API URL points at the GitHub API");
  auto expires = parseIsoUtc(body["expires_at"].get<std::string>());
  if (!expires)
    return expires.error();
  return InstallationToken{body["token"].get<std::string>(), *expires};
}

bool needsRenewal(const InstallationToken& token, std::chrono::system_clock::time_point now) {
  return token.token.empty() || now >= token.expiresAt - std::chrono::minutes(5);
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty())
      continue;
    size_t at = 0;
    while ((at = text.find(secret, at)) != std::string::npos) {
      text.replace(at, secret.size(), "***");
      at += 3;
    }
  }
  return text;
}

} // namespace godwit
