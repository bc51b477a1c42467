#pragma once
// GitHub credentials: App JSON Web Tokens (RS256, OpenSSL), installation tokens, and redaction
// of secrets from any text that may reach a log or an error.

#include "rules/Expected.h"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// Base64url without padding (RFC 7515, section 2).
std::string base64UrlEncode(std::string_view data);

/// Decodes base64url with or without padding; an Error on a character outside the alphabet.
Expected<std::string> base64UrlDecode(std::string_view text);

/// A GitHub App JWT: header `{"alg":"RS256","typ":"JWT"}`, claims `iat` = now - 60 s,
/// `exp` = now + 9 min (GitHub refuses more than 10 min), `iss` = the App id (a number when it
/// is all digits, else a client id string), signed with the PEM RSA private key.
Expected<std::string> makeAppJwt(std::string_view appId, std::string_view privateKeyPem,
                                 std::chrono::system_clock::time_point now);

/// An installation access token and the moment GitHub stops accepting it.
struct InstallationToken {
  std::string token;
  std::chrono::system_clock::time_point expiresAt;
};

/// Parses the body of `POST /app/installations/{id}/access_tokens` (`token`, `expires_at`).
Expected<InstallationToken> parseInstallationToken(std::string_view json);

/// Whether a cached installation token must be renewed: from 5 minutes before it expires on.
bool needsRenewal(const InstallationToken& token, std::chrono::system_clock::time_point now);

/// Parses an ISO 8601 UTC time as GitHub writes it (`2016-07-11T22:14:10Z`).
Expected<std::chrono::system_clock::time_point> parseIsoUtc(std::string_view text);

/// Replaces every occurrence of each non-empty secret in `text` with `***`.
std::string redact(std::string text, const std::vector<std::string>& secrets);

} // namespace godwit
