// HttpTransport over libcurl: the only file that includes curl.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "tracking/http_transport.h"

namespace leadscore {
namespace {

// curl_global_init is not thread-safe and must run before the first handle; once per process.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Collects "Name: value" header lines into lower-case names; a new status line (after a
// redirect or "100 Continue") starts over, so only the final response's headers remain.
size_t AppendHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ' ||
                              value.back() == '\t')) {
      value.remove_suffix(1);
    }
    (*headers)[name] = std::string(value);
  }
  return size * count;
}

// Feeds the request body for uploads (PUT), where curl reads instead of taking a buffer.
struct UploadCursor {
  std::string_view rest;
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* cursor = static_cast<UploadCursor*>(user);
  size_t n = std::min(size * count, cursor->rest.size());
  std::copy_n(cursor->rest.data(), n, buffer);
  cursor->rest.remove_prefix(n);
  return n;
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(long timeout_ms)  // NOLINT(google-runtime-int)
      : timeout_ms_(timeout_ms) {
    InitCurlOnce();
    handle_ = curl_easy_init();
  }
  ~CurlTransport() override {
    if (handle_ != nullptr) curl_easy_cleanup(handle_);
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override {
    if (handle_ == nullptr) return Status::Error("libcurl could not create a handle");
    CURL* h = handle_;
    curl_easy_reset(h);  // keeps the connection cache, forgets the previous request's options

    HttpResponse response;
    UploadCursor upload{request.body};
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for timeouts: safe in threads
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms_);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms_, 5000L));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, AppendHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);

    curl_slist* headers = nullptr;
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
      headers = curl_slist_append(headers, ("Content-Type: " + request.content_type).c_str());
    }
    for (const auto& [name, value] : request.headers) {
      std::string line = name;
      line.append(": ").append(value);
      headers = curl_slist_append(headers, line.c_str());
    }
    // Without this, curl waits a second for "100 Continue" before larger uploads.
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

    if (request.method == "PUT") {
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadBody);
      curl_easy_setopt(h, CURLOPT_READDATA, &upload);
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    } else if (request.method == "POST" || request.method == "PATCH" ||
               request.method == "DELETE") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    } else if (request.method != "GET") {
      curl_slist_free_all(headers);
      return Status::Error("unsupported HTTP method " + request.method);
    }

    CURLcode code = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (code != CURLE_OK) {
      std::string cause = error[0] != '\0' ? error : curl_easy_strerror(code);
      return Status::Error(request.method + " " + request.url + ": " + cause);
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }

 private:
  long timeout_ms_;  // NOLINT(google-runtime-int)
  CURL* handle_ = nullptr;
};

}  // namespace

std::unique_ptr<HttpTransport> MakeCurlTransport(long timeout_ms) {  // NOLINT
  return std::make_unique<CurlTransport>(timeout_ms);
}

}  // namespace leadscore
