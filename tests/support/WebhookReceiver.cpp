#include "tests/support/WebhookReceiver.h"

#include <httplib.h>

#include <chrono>

namespace godwit::test {

WebhookReceiver::WebhookReceiver() : server_(std::make_unique<httplib::Server>()) {
  server_->Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lock(mutex_);
    posts_.push_back({req.target, req.get_header_value("Content-Type"), req.body,
                      nlohmann::json::parse(req.body, nullptr, false)});
    if (hanging_) {
      released_.wait(lock, [this] { return stopping_; });
      return;
    }
    int status = 200;
    if (!statuses_.empty()) {
      status = statuses_.front();
      statuses_.pop_front();
    }
    res.status = status;
    res.set_content(status < 300 ? "ok" : "no", "text/plain");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

WebhookReceiver::~WebhookReceiver() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  released_.notify_all();
  server_->stop();
  if (thread_.joinable())
    thread_.join();
}

std::string WebhookReceiver::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void WebhookReceiver::answer(std::deque<int> statuses) {
  std::lock_guard lock(mutex_);
  statuses_ = std::move(statuses);
}

void WebhookReceiver::hang() {
  std::lock_guard lock(mutex_);
  hanging_ = true;
}

std::vector<WebhookPost> WebhookReceiver::posts() {
  std::lock_guard lock(mutex_);
  return posts_;
}

std::vector<std::string> WebhookReceiver::events() {
  std::vector<std::string> out;
  for (const WebhookPost& p : posts())
    out.push_back(p.json.is_object() ? p.json.value("event", "") : "");
  return out;
}

} // namespace godwit::test
