#pragma once
// The app tests' HTTP client: a plain TCP connection to 127.0.0.1 that sends bytes exactly as
// given (half requests, oversized headers, garbage) and reads responses. Every read waits at
// most a guard time (5 s) so that a server that never answers fails the test instead of hanging
// it; nothing asserts on how long anything took.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace godwit::apptest {

/// A response as read off the wire; header names lowercased.
struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
};

class Connection {
public:
  explicit Connection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval guard{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return connected_; }

  /// Sends all of `bytes`; false when the connection refused them.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0)
        return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  /// Reads one response (its body by Content-Length, unless `withBody` is false, as for HEAD);
  /// nullopt when the connection closed or the guard ran out before a whole response arrived.
  std::optional<RawResponse> read(bool withBody = true) {
    size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos)
      if (!fill())
        return std::nullopt;
    RawResponse response;
    const std::string head = pending_.substr(0, end);
    pending_.erase(0, end + 4);
    if (head.rfind("HTTP/1.1 ", 0) != 0)
      return std::nullopt;
    response.status = std::atoi(head.c_str() + 9);
    size_t line = head.find("\r\n");
    while (line != std::string::npos) {
      const size_t next = head.find("\r\n", line + 2);
      const std::string field = head.substr(line + 2, next - line - 2);
      const size_t colon = field.find(':');
      std::string name = field.substr(0, colon);
      for (char& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const size_t value = field.find_first_not_of(' ', colon + 1);
      response.headers[name] = value == std::string::npos ? "" : field.substr(value);
      line = next;
    }
    if (!withBody)
      return response;
    const size_t length = std::strtoul(response.headers["content-length"].c_str(), nullptr, 10);
    while (pending_.size() < length)
      if (!fill())
        return std::nullopt;
    response.body = pending_.substr(0, length);
    pending_.erase(0, length);
    return response;
  }

  /// True when the server closes the connection (after whatever it still sends) within the
  /// guard; false when the guard ran out first.
  bool closedByServer() {
    char buffer[4096];
    for (;;) {
      const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
      if (got == 0)
        return true;
      if (got < 0)
        return errno == ECONNRESET;
    }
  }

private:
  bool fill() {
    char buffer[65536];
    const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
    if (got <= 0)
      return false;
    pending_.append(buffer, static_cast<size_t>(got));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
};

/// Sends `raw` on a new connection and reads one response.
inline std::optional<RawResponse> roundTrip(uint16_t port, std::string_view raw) {
  Connection connection(port);
  if (!connection.connected() || !connection.send(raw))
    return std::nullopt;
  return connection.read();
}

/// A request with `body` and a Content-Length, plus `extra` header lines (each ending in CRLF).
inline std::string request(std::string_view method, std::string_view target,
                           std::string_view body = {}, std::string_view extra = {}) {
  std::string out = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n";
  out += extra;
  if (!body.empty() || method == "POST")
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

} // namespace godwit::apptest
