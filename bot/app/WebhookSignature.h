#pragma once
// GitHub's webhook signature: `X-Hub-Signature-256: sha256=<hex>`, an HMAC-SHA256 of the raw
// request body keyed with the webhook secret. Knows nothing of HTTP.

#include "rules/Expected.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// The `X-Hub-Signature-256` value GitHub sends for `body` signed with `secret`:
/// `sha256=` and 64 lowercase hex digits.
std::string signWebhookBody(std::string_view secret, std::string_view body);

/// Checks `header` (the `X-Hub-Signature-256` value; empty when the header is missing) against
/// `body` with each of `secrets` in turn, comparing digests in constant time. Returns the index
/// of the secret that signed it (1 and up: an older secret still accepted during a rotation), or
/// an Error that says what was wrong with the header and never contains a secret. Empty secrets
/// never match.
Expected<size_t> verifyWebhookSignature(std::string_view header, std::string_view body,
                                        const std::vector<std::string>& secrets);

} // namespace godwit
