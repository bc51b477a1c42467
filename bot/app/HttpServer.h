#pragma once
// A small HTTP/1.1 server on Boost.Beast: handlers by method and path, run on a fixed number of
// handler threads beside a fixed number of I/O threads, with the limits a server facing the
// internet needs (body and header sizes, a timeout for slow clients, an optional cap on requests in
// flight). Knows nothing of GitHub.

#include "rules/Expected.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace godwit {

/// One request, read whole.
struct ServerRequest {
  std::string method;                                       ///< As sent: `GET`, `POST`, ….
  std::string target;                                       ///< The path and query, as sent.
  std::vector<std::pair<std::string, std::string>> headers; ///< In order, names as sent.
  std::string body;

  /// The value of the first header named `name` (ASCII case-insensitive); empty when absent.
  std::string header(std::string_view name) const;
  /// The target without its query (`?…`).
  std::string_view path() const;
};

/// What a handler answers. The server adds Content-Length and Connection.
struct ServerResponse {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers; ///< Extra headers.
  std::string body;
};

/// Answers one request, on one of the handler threads; an exception is a 500.
using HttpHandler = std::function<ServerResponse(const ServerRequest&)>;

/// Where the server listens and its limits.
struct HttpServerOptions {
  std::string address = "127.0.0.1";   ///< An IPv4 or IPv6 address.
  uint16_t port = 0;                   ///< 0: a free port, which port() reports.
  int threads = 2;                     ///< I/O threads: accept, read, write.
  int handlerThreads = 4;              ///< Threads that run the handlers.
  size_t bodyLimit = 25 * 1024 * 1024; ///< Larger bodies get 413 without being read.
  size_t headerLimit = 64 * 1024;      ///< Request line and headers (at most 64 KiB); larger: 431.
  /// How long a client has for its request line and headers, then again for its body, and the
  /// server for writing the response; a connection that takes longer is closed. Also how long
  /// an idle keep-alive connection stays open.
  std::chrono::milliseconds timeout{10'000};
  /// Requests whose headers were read and whose response is not yet being written; beyond it
  /// requests get 503 with Retry-After. 0: no cap.
  size_t maxInFlight = 0;
  std::chrono::seconds retryAfter{1}; ///< The Retry-After of those 503s.
  /// Told of every response just before it is sent (also the 400, 413, 431 and 503 that no
  /// handler saw; `request` then has what was read of it). Called on I/O threads, concurrently.
  std::function<void(const ServerRequest& request, int status)> onResponse;
};

/// The server. Add routes, then start(); stop() or the destructor ends it.
class HttpServer {
public:
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Answers `method` requests for `path` (exact, without the query) with `handler`. Before
  /// start() only. HEAD requests get a GET route's headers without its body; other methods on
  /// a known path get 405, unknown paths 404.
  void route(std::string method, std::string path, HttpHandler handler);
  /// Answers `method` requests for every path under `prefix` (which ends in `/`) that no exact
  /// route takes; the longest prefix wins. Before start() only.
  void routePrefix(std::string method, std::string prefix, HttpHandler handler);

  /// Binds, listens and starts the I/O threads; an Error when the address cannot be bound.
  Expected<void> start();

  /// The port listened on (the one picked when options.port was 0); 0 before start().
  uint16_t port() const;

  /// Stops accepting and closes every connection; requests in progress get no answer. Idempotent.
  void stop();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace godwit
