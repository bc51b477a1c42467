#pragma once
// A webhook receiver for tests on 127.0.0.1 (random free port): records every POST, answers 200
// unless told to answer other statuses first, or to hold requests unanswered (a receiver that
// never answers) until it is destroyed.

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
} // namespace httplib

namespace godwit::test {

/// A POST as the receiver got it.
struct WebhookPost {
  std::string target;      ///< Path and query, as sent.
  std::string contentType; ///< The Content-Type header.
  std::string body;
  nlohmann::json json; ///< The body parsed; `discarded` when it is not JSON.
};

/// The receiver. Listens from the constructor on.
class WebhookReceiver {
public:
  WebhookReceiver();
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  /// `http://127.0.0.1:PORT`.
  std::string url() const;

  /// The next POSTs get these statuses, one each, in order; later ones get 200.
  void answer(std::deque<int> statuses);

  /// From now on, POSTs are recorded and never answered while the receiver lives.
  void hang();

  std::vector<WebhookPost> posts();

  /// The `event` of every POST, in order.
  std::vector<std::string> events();

private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable released_;
  bool hanging_ = false;
  bool stopping_ = false;
  std::deque<int> statuses_;
  std::vector<WebhookPost> posts_;
};

} // namespace godwit::test
