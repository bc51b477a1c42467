#include "bot/app/HttpServer.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <thread>

namespace godwit {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

ServerResponse plain(int status, std::string body) {
  ServerResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

} // namespace

std::string ServerRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (equalsIgnoringCase(key, name))
      return value;
  return {};
}

std::string_view ServerRequest::path() const {
  const std::string_view all = target;
  return all.substr(0, all.find('?'));
}

namespace {

/// What connections share: the options, the routes and the count of requests in flight.
struct Core {
  ServerResponse dispatch(const ServerRequest& request) const;

  HttpServerOptions options;
  using Methods = std::map<std::string, HttpHandler>;
  std::map<std::string, Methods, std::less<>> routes;   // path, method
  std::map<std::string, Methods, std::less<>> prefixes; // path prefix, method
  std::atomic<size_t> inFlight{0};
  net::thread_pool* handlers = nullptr;
};

/// One connection: requests read one after the other (keep-alive), each under the timeout.
class Session : public std::enable_shared_from_this<Session> {
public:
  Session(Core& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {}
  ~Session() { releaseSlot(); }

  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->readHeader(); });
  }

private:
  void readHeader() {
    request_ = {};
    parser_.emplace();
    // Beast throws on a single field over 64 KiB; a header block that large is refused first.
    parser_->header_limit(
        static_cast<std::uint32_t>(std::min<size_t>(server_.options.headerLimit, 64 * 1024)));
    // The parser fails a Content-Length over the limit as soon as the header is read, and a
    // chunked body as soon as its chunks pass it: the body is never read whole.
    parser_->body_limit(server_.options.bodyLimit);
    stream_.expires_after(server_.options.timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::onHeader, shared_from_this()));
  }

  void onHeader(beast::error_code ec, size_t) {
    if (ec)
      return fail(ec);
    const auto& message = parser_->get();
    request_.method = std::string(message.method_string());
    request_.target = std::string(message.target());
    for (const auto& field : message)
      request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));

    holdsSlot_ = true;
    const size_t now = server_.inFlight.fetch_add(1) + 1;
    if (server_.options.maxInFlight > 0 && now > server_.options.maxInFlight) {
      ServerResponse busy = plain(503, "too many requests in flight; retry later\n");
      busy.headers.emplace_back("Retry-After", std::to_string(server_.options.retryAfter.count()));
      return reply(std::move(busy), false);
    }
    if (beast::iequals(message[http::field::expect], "100-continue") && !parser_->is_done()) {
      // curl, among others, waits for this before it sends a body.
      auto proceed = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                        message.version());
      http::async_write(stream_, *proceed,
                        [self = shared_from_this(), proceed](beast::error_code ec, size_t) {
                          if (ec)
                            return self->fail(ec);
                          self->readBody();
                        });
      return;
    }
    readBody();
  }

  void readBody() {
    stream_.expires_after(server_.options.timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::onBody, shared_from_this()));
  }

  void onBody(beast::error_code ec, size_t) {
    if (ec)
      return fail(ec);
    auto message = parser_->release();
    request_.body = std::move(message.body());
    // On a handler thread, so that a handler waiting for its store holds no I/O thread: other
    // connections go on being read, and beyond the in-flight cap they get 503 meanwhile.
    net::post(*server_.handlers, [self = shared_from_this(), keepAlive = message.keep_alive()] {
      ServerResponse response;
      try {
        response = self->server_.dispatch(self->request_);
      } catch (...) {
        response = plain(500, "internal error\n");
      }
      net::post(self->stream_.get_executor(),
                [self, keepAlive, response = std::move(response)]() mutable {
                  self->reply(std::move(response), keepAlive);
                });
    });
  }

  // Client errors get an answer and the connection closed; a client gone or too slow gets none.
  void fail(beast::error_code ec) {
    if (ec == http::error::body_limit)
      return reply(plain(413, "request body too large\n"), false);
    if (ec == http::error::header_limit)
      return reply(plain(431, "request headers too large\n"), false);
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message)
      return reply(plain(400, "malformed request\n"), false);
    close();
  }

  void reply(ServerResponse response, bool keepAlive) {
    response_.emplace();
    response_->version(11);
    response_->result(static_cast<unsigned>(response.status));
    response_->set(http::field::content_type, response.contentType);
    for (const auto& [name, value] : response.headers)
      response_->set(name, value);
    response_->keep_alive(keepAlive);
    if (request_.method == "HEAD") {
      // The length the GET would have, and no body.
      response_->content_length(response.body.size());
    } else {
      response_->body() = std::move(response.body);
      response_->prepare_payload();
    }
    if (server_.options.onResponse)
      server_.options.onResponse(request_, response.status);
    // Released before the write, so that a client that has its answer finds the slot free.
    releaseSlot();
    stream_.expires_after(server_.options.timeout);
    http::async_write(stream_, *response_,
                      [self = shared_from_this(), keepAlive](beast::error_code ec, size_t) {
                        self->onWrite(ec, keepAlive);
                      });
  }

  void onWrite(beast::error_code ec, bool keepAlive) {
    if (ec)
      return close();
    if (keepAlive)
      return readHeader();
    linger();
  }

  // Closing with unread request bytes would reset the connection, and the client might lose the
  // response: stop sending, then discard what it still sends until it closes or time runs out.
  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::min(server_.options.timeout, std::chrono::milliseconds(2000)));
    drain();
  }

  void drain() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec)
                                return self->close();
                              self->drain();
                            });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  void releaseSlot() {
    if (holdsSlot_)
      server_.inFlight.fetch_sub(1);
    holdsSlot_ = false;
  }

  Core& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  ServerRequest request_;
  bool holdsSlot_ = false;
  std::array<char, 4096> scratch_{};
};

} // namespace

struct HttpServer::Impl : Core {
  explicit Impl(HttpServerOptions o) { options = std::move(o); }

  void accept();

  // Sessions use the Core until the io_context destroys them, so it is a base, built before.
  net::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> acceptRetry;
  std::vector<std::thread> threads;
  // Destroyed before the io_context: the handlers it still holds close their sockets.
  std::optional<net::thread_pool> handlerPool;
  uint16_t port = 0;
};

ServerResponse Core::dispatch(const ServerRequest& request) const {
  const std::string_view wanted = request.path();
  const Methods* methods = nullptr;
  if (const auto exact = routes.find(wanted); exact != routes.end())
    methods = &exact->second;
  else
    for (const auto& [prefix, under] : prefixes) // in order: a longer prefix comes later
      if (wanted.starts_with(prefix))
        methods = &under;
  if (!methods)
    return plain(404, "not found\n");
  auto handler = methods->find(request.method);
  if (handler == methods->end() && request.method == "HEAD")
    handler = methods->find("GET");
  if (handler != methods->end())
    return handler->second(request);
  ServerResponse wrong = plain(405, "method not allowed\n");
  std::string allow;
  for (const auto& [method, unused] : *methods)
    allow += (allow.empty() ? "" : ", ") + method + (method == "GET" ? ", HEAD" : "");
  wrong.headers.emplace_back("Allow", allow);
  return wrong;
}

void HttpServer::Impl::accept() {
  acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted)
      return;
    if (ec) {
      // Out of descriptors, say: accepting again at once would spin.
      acceptRetry->expires_after(std::chrono::milliseconds(50));
      acceptRetry->async_wait([this](beast::error_code waited) {
        if (!waited)
          accept();
      });
      return;
    }
    std::make_shared<Session>(*this, std::move(socket))->run();
    accept();
  });
}

HttpServer::HttpServer(HttpServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::route(std::string method, std::string path, HttpHandler handler) {
  impl_->routes[std::move(path)][std::move(method)] = std::move(handler);
}

void HttpServer::routePrefix(std::string method, std::string prefix, HttpHandler handler) {
  impl_->prefixes[std::move(prefix)][std::move(method)] = std::move(handler);
}

Expected<void> HttpServer::start() {
  Impl& impl = *impl_;
  const std::string where = impl.options.address + " port " + std::to_string(impl.options.port);
  beast::error_code ec;
  const auto address = net::ip::make_address(impl.options.address, ec);
  if (ec)
    return makeError("cannot listen on " + where + ": not an IP address",
                     "give an address such as 127.0.0.1 or ::1");
  const tcp::endpoint endpoint(address, impl.options.port);
  impl.acceptor.emplace(net::make_strand(impl.ioc));
  impl.acceptRetry.emplace(impl.acceptor->get_executor());
  impl.acceptor->open(endpoint.protocol(), ec);
  if (!ec)
    impl.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    impl.acceptor->bind(endpoint, ec);
  if (!ec)
    impl.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    impl.acceptor.reset();
    return makeError("cannot listen on " + where + ": " + ec.message());
  }
  impl.port = impl.acceptor->local_endpoint().port();
  impl.accept();
  impl.handlerPool.emplace(static_cast<size_t>(std::max(1, impl.options.handlerThreads)));
  impl.handlers = &*impl.handlerPool;
  for (int i = 0; i < std::max(1, impl.options.threads); ++i)
    impl.threads.emplace_back([&impl] { impl.ioc.run(); });
  return {};
}

uint16_t HttpServer::port() const {
  return impl_->port;
}

void HttpServer::stop() {
  impl_->ioc.stop();
  for (auto& thread : impl_->threads)
    thread.join();
  impl_->threads.clear();
  if (impl_->handlerPool) {
    impl_->handlerPool->stop();
    impl_->handlerPool->join();
  }
}

} // namespace godwit
