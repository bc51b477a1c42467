#include "bot/app/HttpServer.h"

#include "tests/bot/app/RawHttp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>

namespace godwit {
namespace {

using apptest::Connection;
using apptest::request;
using apptest::roundTrip;

ServerResponse echo(const ServerRequest& request) {
  ServerResponse response;
  response.body = request.method + " " + request.target + " " + request.body;
  response.headers.emplace_back("X-Seen-Header", request.header("x-test"));
  return response;
}

/// A started server with an echo route at /echo (GET and POST) and a handler count.
struct Served {
  explicit Served(HttpServerOptions options = {}) : server(withStatuses(std::move(options))) {
    server.route("GET", "/echo", [this](const ServerRequest& r) { return count(echo(r)); });
    server.route("POST", "/echo", [this](const ServerRequest& r) { return count(echo(r)); });
  }
  void start() { ASSERT_TRUE(server.start()); }
  ServerResponse count(ServerResponse response) {
    ++handled;
    return response;
  }
  HttpServerOptions withStatuses(HttpServerOptions options) {
    options.onResponse = [this](const ServerRequest&, int status) {
      std::lock_guard lock(mutex);
      statuses.push_back(status);
    };
    return options;
  }
  std::vector<int> seen() {
    std::lock_guard lock(mutex);
    return statuses;
  }

  std::atomic<int> handled{0};
  std::mutex mutex;
  std::vector<int> statuses;
  HttpServer server; // last: stopped before the members its handlers use
};

TEST(HttpServerTest, RoutesByMethodAndPathAndKeepsTheQuery) {
  Served s;
  s.start();
  ASSERT_NE(s.server.port(), 0);
  auto get = roundTrip(s.server.port(), request("GET", "/echo?a=1", "", "X-Test: yes\r\n"));
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "GET /echo?a=1 ");
  EXPECT_EQ(get->headers["x-seen-header"], "yes");
  EXPECT_EQ(get->headers["content-type"], "text/plain; charset=utf-8");

  auto post = roundTrip(s.server.port(), request("POST", "/echo", "payload"));
  ASSERT_TRUE(post);
  EXPECT_EQ(post->body, "POST /echo payload");

  auto missing = roundTrip(s.server.port(), request("GET", "/nothing"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  auto wrong = roundTrip(s.server.port(), request("DELETE", "/echo"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->headers["allow"], "GET, HEAD, POST");
}

TEST(HttpServerTest, PrefixRoutesTakeWhatNoExactRouteDoesTheLongestFirst) {
  Served s;
  const auto named = [](std::string name) {
    return [name](const ServerRequest& r) {
      ServerResponse response;
      response.body = name + " " + std::string(r.path());
      return response;
    };
  };
  s.server.routePrefix("GET", "/docs/", named("docs"));
  s.server.routePrefix("GET", "/docs/api/", named("api"));
  s.server.route("GET", "/docs/index", named("index"));
  s.start();
  const auto body = [&](const std::string& target) {
    auto response = roundTrip(s.server.port(), request("GET", target));
    return response ? std::to_string(response->status) + " " + response->body : "none";
  };
  EXPECT_EQ(body("/docs/a?q=1"), "200 docs /docs/a");
  EXPECT_EQ(body("/docs/api/x"), "200 api /docs/api/x");
  EXPECT_EQ(body("/docs/index"), "200 index /docs/index");
  EXPECT_EQ(body("/docs"), "404 not found\n") << "the prefix is not a path of its own";
  EXPECT_EQ(body("/docsx/a"), "404 not found\n");
  auto wrong = roundTrip(s.server.port(), request("PUT", "/docs/a", "x"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->headers["allow"], "GET, HEAD");
}

TEST(HttpServerTest, HeadGetsTheHeadersOfGetAndNoBody) {
  Served s;
  s.start();
  Connection connection(s.server.port());
  ASSERT_TRUE(connection.send(request("HEAD", "/echo?a=1", "", "X-Test: yes\r\n")));
  auto head = connection.read(false);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers["x-seen-header"], "yes");
  // The length of what GET would send ("HEAD /echo?a=1 " is what the echo makes of it).
  EXPECT_EQ(head->headers["content-length"], "15");
  ASSERT_TRUE(connection.send(request("GET", "/echo")));
  auto next = connection.read();
  ASSERT_TRUE(next) << "the HEAD response had no body, so this one follows it";
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "GET /echo ");
}

TEST(HttpServerTest, AnAddressThatCannotBeBoundIsAnError) {
  Served first;
  first.start();
  HttpServerOptions taken;
  taken.port = first.server.port();
  HttpServer second(taken);
  auto bound = second.start();
  ASSERT_FALSE(bound);
  EXPECT_NE(bound.error().message.find("cannot listen on 127.0.0.1 port"), std::string::npos);

  HttpServerOptions invalid;
  invalid.address = "localhost:80";
  HttpServer third(invalid);
  auto parsed = third.start();
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("not an IP address"), std::string::npos);
}

TEST(HttpServerTest, ABodyOverTheLimitGets413WithoutBeingRead) {
  // The default limit and timeout: had the server waited for the 25 MB body, no response would
  // arrive before the client's guard.
  Served s;
  s.start();
  Connection c(s.server.port());
  ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 26214401\r\n\r\n"
                     "the first bytes of a body that never ends"));
  auto response = c.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->headers["connection"], "close");
  EXPECT_EQ(s.handled, 0);
}

TEST(HttpServerTest, AChunkedBodyOverTheLimitGets413) {
  HttpServerOptions options;
  options.bodyLimit = 1000;
  Served s(options);
  s.start();
  Connection c(s.server.port());
  ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "200\r\n" +
                     std::string(0x200, 'a') +
                     "\r\n"
                     "200\r\n" +
                     std::string(0x100, 'b')));
  auto response = c.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(s.handled, 0);
}

TEST(HttpServerTest, ABodyAtTheLimitIsRead) {
  HttpServerOptions options;
  options.bodyLimit = 1000;
  Served s(options);
  s.start();
  const std::string body(1000, 'x');
  auto response = roundTrip(s.server.port(), request("POST", "/echo", body));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /echo " + body);

  Connection chunked(s.server.port());
  ASSERT_TRUE(chunked.send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5\r\nhello\r\n0\r\n\r\n"));
  auto read = chunked.read();
  ASSERT_TRUE(read);
  EXPECT_EQ(read->body, "POST /echo hello");
}

TEST(HttpServerTest, HeadersOverTheCapGet431) {
  Served s;
  s.start();
  auto response =
      roundTrip(s.server.port(),
                request("GET", "/echo", "", "X-Big: " + std::string(70 * 1024, 'h') + "\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(s.handled, 0);

  auto fits = roundTrip(s.server.port(), request("GET", "/echo", "",
                                                 "X-Big: " + std::string(60 * 1024, 'h') + "\r\n"));
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->status, 200);
}

TEST(HttpServerTest, AHeaderCapOver64KiBIsHeldAt64KiB) {
  // Beast throws (and would end the process) on one field over 64 KiB.
  HttpServerOptions options;
  options.headerLimit = 1024 * 1024;
  Served s(options);
  s.start();
  auto response =
      roundTrip(s.server.port(),
                request("GET", "/echo", "", "X-Big: " + std::string(70 * 1024, 'h') + "\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  auto after = roundTrip(s.server.port(), request("GET", "/echo"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST(HttpServerTest, ASlowClientIsTimedOutAndHoldsNoThread) {
  HttpServerOptions options;
  options.threads = 1;
  options.timeout = std::chrono::milliseconds(300);
  Served s(options);
  s.start();
  Connection slow(s.server.port());
  ASSERT_TRUE(slow.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Le"));
  Connection slowBody(s.server.port());
  const std::string whole = request("POST", "/echo", "0123456789");
  ASSERT_TRUE(slowBody.send(whole.substr(0, whole.size() - 5)));

  // The one I/O thread answers others while both slow clients are connected.
  auto other = roundTrip(s.server.port(), request("GET", "/echo"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);

  EXPECT_TRUE(slow.closedByServer());
  EXPECT_TRUE(slowBody.closedByServer());
  EXPECT_EQ(s.handled, 1);
}

TEST(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Served s;
  s.start();
  Connection c(s.server.port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send(request("POST", "/echo", "n" + std::to_string(i))));
    auto response = c.read();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->body, "POST /echo n" + std::to_string(i));
    EXPECT_NE(response->headers["connection"], "close");
  }
  // Pipelined: both requests sent before either answer is read.
  ASSERT_TRUE(c.send(request("GET", "/echo?1") + request("GET", "/echo?2")));
  auto first = c.read();
  auto second = c.read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "GET /echo?1 ");
  EXPECT_EQ(second->body, "GET /echo?2 ");

  ASSERT_TRUE(c.send(request("GET", "/echo", "", "Connection: close\r\n")));
  auto last = c.read();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->headers["connection"], "close");
  EXPECT_TRUE(c.closedByServer());
}

TEST(HttpServerTest, AMalformedRequestGets400) {
  Served s;
  s.start();
  for (const std::string& garbage :
       {std::string("GARBAGE\r\n\r\n"),
        std::string("GET /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
        std::string("POST /echo HTTP/1.1\r\nContent-Length: ten\r\n\r\n"),
        std::string("GET /echo HTTP/1.1\r\nBad Header\r\n\r\n")}) {
    auto response = roundTrip(s.server.port(), garbage);
    ASSERT_TRUE(response) << garbage;
    EXPECT_EQ(response->status, 400) << garbage;
  }
  EXPECT_EQ(s.handled, 0);
}

TEST(HttpServerTest, RequestsBeyondTheInFlightCapGet503WithRetryAfter) {
  HttpServerOptions options;
  options.maxInFlight = 1;
  options.retryAfter = std::chrono::seconds(7);
  // One I/O thread: the handler that waits holds a handler thread, never it.
  options.threads = 1;
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  Served s(options);
  s.server.route("GET", "/block", [&](const ServerRequest&) {
    entered.set_value();
    released.wait();
    return ServerResponse{};
  });
  s.start();

  Connection blocked(s.server.port());
  ASSERT_TRUE(blocked.send(request("GET", "/block")));
  entered.get_future().wait();
  auto shed = roundTrip(s.server.port(), request("GET", "/echo"));
  ASSERT_TRUE(shed);
  EXPECT_EQ(shed->status, 503);
  EXPECT_EQ(shed->headers["retry-after"], "7");
  EXPECT_EQ(s.handled, 0);

  release.set_value();
  auto answered = blocked.read();
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->status, 200);
  auto after = roundTrip(s.server.port(), request("GET", "/echo"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST(HttpServerTest, AHandlerThatThrowsGets500) {
  Served s;
  s.server.route("GET", "/throw",
                 [](const ServerRequest&) -> ServerResponse { throw std::runtime_error("boom"); });
  s.start();
  auto response = roundTrip(s.server.port(), request("GET", "/throw"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->body.find("boom"), std::string::npos);
}

TEST(HttpServerTest, ExpectContinueGets100BeforeTheBodyIsSent) {
  Served s;
  s.start();
  Connection c(s.server.port());
  ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\n"
                     "Expect: 100-continue\r\n\r\n"));
  auto proceed = c.read();
  ASSERT_TRUE(proceed);
  EXPECT_EQ(proceed->status, 100);
  ASSERT_TRUE(c.send("body"));
  auto response = c.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /echo body");
}

TEST(HttpServerTest, EveryResponseIsReported) {
  HttpServerOptions options;
  options.bodyLimit = 10;
  Served s(options);
  s.start();
  ASSERT_TRUE(roundTrip(s.server.port(), request("GET", "/echo")));
  ASSERT_TRUE(roundTrip(s.server.port(), request("POST", "/echo", std::string(11, 'x'))));
  ASSERT_TRUE(roundTrip(s.server.port(), "GARBAGE\r\n\r\n"));
  ASSERT_TRUE(roundTrip(s.server.port(), request("GET", "/none")));
  std::vector<int> seen = s.seen();
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<int>{200, 400, 404, 413}));
}

} // namespace
} // namespace godwit
