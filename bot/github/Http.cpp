#include "bot/github/Http.h"
#include "rules/Text.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace godwit {

namespace {

void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t appendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::string trim(std::string s) {
  auto notSpace = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
  s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
  return s;
}

size_t collectHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<HttpHeaders*>(user);
  std::string line(data, size * count);
  // Each response of a redirect chain (and a 100 Continue) starts with a status line: keep only
  // the headers of the last one.
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * count;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos)
    return size * count;
  std::string name = lower(line.substr(0, colon));
  std::string value = trim(line.substr(colon + 1));
  auto [it, inserted] = headers->emplace(name, value);
  if (!inserted)
    it->second += ", " + value;
  return size * count;
}

} // namespace

struct HttpClient::Pool {
  std::mutex mutex;
  std::vector<CURL*> idle;

  CURL* take() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        CURL* handle = idle.back();
        idle.pop_back();
        curl_easy_reset(handle);
        return handle;
      }
    }
    return curl_easy_init();
  }
  void give(CURL* handle) {
    std::lock_guard lock(mutex);
    idle.push_back(handle);
  }
  ~Pool() {
    for (CURL* handle : idle)
      curl_easy_cleanup(handle);
  }
};

HttpClient::HttpClient(HttpOptions options) : options_(options), pool_(std::make_unique<Pool>()) {
  initCurlOnce();
}

HttpClient::~HttpClient() = default;

Expected<HttpResponse> HttpClient::send(const HttpRequest& request) {
  CURL* curl = pool_->take();
  if (!curl)
    return makeError("could not start an HTTP request (libcurl failed to initialise)");

  HttpResponse response;
  curl_slist* headerList = nullptr;
  for (const auto& [name, value] : request.headers)
    headerList = curl_slist_append(headerList, (name + ": " + value).c_str());
  // libcurl would otherwise add `Expect: 100-continue` to large bodies and wait for it.
  headerList = curl_slist_append(headerList, "Expect:");

  char errorBuffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headerList);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connectTimeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.totalTimeout.count()));
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collectHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);

  const std::string& method = request.method;
  if (method == "GET" || method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, options_.maxRedirects > 0 ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, static_cast<long>(options_.maxRedirects));
    // Never follow an https URL to plain http, where the credentials would travel in clear.
    bool secure = request.url.rfind("https://", 0) == 0;
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, secure ? "https" : "http,https");
    if (method == "HEAD")
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  // POST, PUT and PATCH always carry a Content-Length (0 without a body): servers, GitHub among
  // them, refuse or wait on a body-less POST that announces no length.
  bool bodyMethod = method == "POST" || method == "PUT" || method == "PATCH";
  if (request.body || bodyMethod) {
    static const char kEmpty[] = "";
    size_t size = request.body ? request.body->size() : 0;
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(size));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body ? request.body->data() : kEmpty);
  }

  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headerList);
  pool_->give(curl);

  if (code != CURLE_OK) {
    // The error buffer describes the transport failure (host, port, TLS); it never contains
    // request headers, so no credential can leak through it.
    std::string detail = errorBuffer[0] ? errorBuffer : curl_easy_strerror(code);
    return makeError(method + " " + request.url + ": no response: " + detail,
                     "check the network and the API URL (--api-url / GODWIT_API_URL)");
  }
  response.status = status;
  return response;
}

std::optional<std::string> linkNext(const std::string& header) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t open = header.find('<', pos);
    if (open == std::string::npos)
      return std::nullopt;
    size_t close = header.find('>', open);
    if (close == std::string::npos)
      return std::nullopt;
    std::string target = header.substr(open + 1, close - open - 1);
    // The parameters run until the next link, which starts with a comma then '<'.
    size_t end = close + 1;
    bool quoted = false;
    for (; end < header.size(); ++end) {
      char c = header[end];
      if (c == '"')
        quoted = !quoted;
      else if (c == ',' && !quoted)
        break;
    }
    std::string params = header.substr(close + 1, end - close - 1);
    size_t relAt = 0;
    while ((relAt = params.find("rel", relAt)) != std::string::npos) {
      size_t i = relAt + 3;
      while (i < params.size() && params[i] == ' ')
        ++i;
      if (i < params.size() && params[i] == '=') {
        ++i;
        while (i < params.size() && params[i] == ' ')
          ++i;
        std::string value;
        if (i < params.size() && params[i] == '"') {
          size_t q = params.find('"', i + 1);
          value = params.substr(i + 1, q == std::string::npos ? std::string::npos : q - i - 1);
        } else {
          size_t stop = params.find_first_of("; ", i);
          value = params.substr(i, stop == std::string::npos ? std::string::npos : stop - i);
        }
        // rel may hold several space-separated relation types.
        size_t start = 0;
        while (start <= value.size()) {
          size_t space = value.find(' ', start);
          const std::string type = lower(
              value.substr(start, space == std::string::npos ? std::string::npos : space - start));
          if (type == "next")
            return target;
          if (space == std::string::npos)
            break;
          start = space + 1;
        }
      }
      relAt += 3;
    }
    pos = end + 1;
  }
  return std::nullopt;
}

std::string urlEncode(const std::string& text, bool keepSlash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keepSlash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

} // namespace godwit
