// For tests: an HttpTransport that answers from a script instead of a network, and records
// every request. Routes are "METHOD /path" (query string ignored); each route answers its
// queued responses in order and then repeats the last one. Unrouted requests get a 404 in
// MLflow's error shape, so a test that forgot a route fails with a readable message.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tracking/http_transport.h"

namespace leadscore {

class FakeHttpTransport final : public HttpTransport {
 public:
  // A response for `route`, e.g. On("GET /api/2.0/mlflow/runs/get", 200, R"({"run":...})").
  void On(const std::string& route, long status, std::string body,  // NOLINT(google-runtime-int)
          std::map<std::string, std::string> headers = {}) {
    routes_[route].push_back(
        Result<HttpResponse>(HttpResponse{status, std::move(body), std::move(headers)}));
  }
  // No response at all for `route` (connection refused), with `cause` as the error.
  void FailOn(const std::string& route, const std::string& cause) {
    routes_[route].push_back(Result<HttpResponse>(Status::Error(cause)));
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    requests.push_back(request);
    auto found = routes_.find(Route(request));
    if (found == routes_.end()) {
      return HttpResponse{404, R"({"error_code":"ENDPOINT_NOT_FOUND","message":"no route for )" +
                                   Route(request) + "\"}"};
    }
    std::deque<Result<HttpResponse>>& queue = found->second;
    Result<HttpResponse> next = queue.front();
    if (queue.size() > 1) queue.pop_front();
    return next;
  }

  // "METHOD /path" of a request, without scheme, host and query.
  static std::string Route(const HttpRequest& request) {
    std::string path = request.url;
    size_t scheme = path.find("://");
    if (scheme != std::string::npos) path = path.substr(path.find('/', scheme + 3));
    path = path.substr(0, path.find('?'));
    return request.method + " " + path;
  }

  // Requests sent to `route`, in order.
  std::vector<HttpRequest> RequestsTo(const std::string& route) const {
    std::vector<HttpRequest> out;
    for (const HttpRequest& request : requests) {
      if (Route(request) == route) out.push_back(request);
    }
    return out;
  }

  std::vector<HttpRequest> requests;

 private:
  std::map<std::string, std::deque<Result<HttpResponse>>> routes_;
};

}  // namespace leadscore
