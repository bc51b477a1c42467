#pragma once
// A small HTTP client over libcurl: a request in, status + headers + body out; errors as values.

#include "rules/Expected.h"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace godwit {

/// Response headers by lower-cased name; a repeated header's values are joined with ", ".
using HttpHeaders = std::map<std::string, std::string>;

/// One HTTP request.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers; ///< Sent as given, in order.
  std::optional<std::string> body;                          ///< Sent when set (even if empty).
};

/// One HTTP response (the final one when redirects were followed).
struct HttpResponse {
  long status = 0;
  HttpHeaders headers;
  std::string body;

  /// The header's value, or "" when absent; `name` must be lower-case.
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

/// Timeouts and redirect behaviour.
struct HttpOptions {
  std::chrono::milliseconds connectTimeout{15000};
  std::chrono::milliseconds totalTimeout{120000};
  int maxRedirects = 3; ///< Followed for GET and HEAD only.
};

/// Sends requests with libcurl, reusing connections. Thread-safe.
class HttpClient {
public:
  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Sends `request`. An Error means no HTTP response arrived (DNS, connect, TLS, timeout); its
  /// message names the method and URL but never a header value.
  Expected<HttpResponse> send(const HttpRequest& request);

private:
  struct Pool;
  HttpOptions options_;
  std::unique_ptr<Pool> pool_;
};

/// The target of the `rel="next"` link in an RFC 8288 `Link` header, if there is one.
std::optional<std::string> linkNext(const std::string& linkHeader);

/// Percent-encodes `text` for a URL path segment; with `keepSlash`, `/` stays as is.
std::string urlEncode(const std::string& text, bool keepSlash = false);

} // namespace godwit
