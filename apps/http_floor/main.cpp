// http_floor: the benchmark floor of the scoring API. The same HTTP stack (src/http/) answers
// every request with a constant score, so a load test against it measures the server and the
// load generator alone; the real API can only be slower. Prints the listening URL once ready;
// SIGINT or SIGTERM stops it gracefully.
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>

#include "http/server.h"

namespace {

constexpr std::string_view kScore = R"({"score":0.5,"label":"low","model_version":"floor"})";

int Run(int argc, char** argv) {
  CLI::App app{"http_floor: the scoring API's HTTP stack answering a constant score."};
  leadscore::http::ServerOptions options;
  options.port = 8000;
  std::string listener = "exclusive";
  app.add_option("--host", options.host, "Address to listen on")
      ->envname("LEADSCORE_HOST")
      ->capture_default_str();
  app.add_option("--port", options.port, "Port to listen on (0: any free port)")
      ->envname("LEADSCORE_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--threads", options.threads, "Worker threads (one event loop each)")
      ->envname("LEADSCORE_HTTP_THREADS")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--listener", listener,
                 "How the threads share the port: exclusive (one socket, EPOLLEXCLUSIVE) or "
                 "reuseport (one SO_REUSEPORT socket per thread)")
      ->check(CLI::IsMember({"exclusive", "reuseport"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  options.listener_mode = listener == "reuseport" ? leadscore::http::ListenerMode::kReusePort
                                                  : leadscore::http::ListenerMode::kEpollExclusive;

  // Block SIGINT and SIGTERM before any thread starts (threads inherit the mask); one thread
  // waits for them with sigwait and calls Stop(), so the server's threads are never
  // interrupted and the shutdown runs as ordinary code. SIGUSR1 only releases that thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto listened = leadscore::http::Server::Listen(options, [](leadscore::http::Exchange& exchange) {
    exchange.Respond(leadscore::http::ResponseView(200, "application/json", kScore));
  });
  if (!listened.ok()) {
    std::cerr << "error: " << listened.status().message() << "\n";
    return 1;
  }
  leadscore::http::Server& server = *listened.value();
  std::cout << server.url() << std::endl;  // flushed: scripts wait for this line

  std::thread signal_waiter([&server, &stop_signals] {
    int received = 0;
    sigwait(&stop_signals, &received);
    if (received != SIGUSR1) server.Stop();
  });
  const leadscore::Status status = server.Run();
  // If Run() ended by itself (an error), release the waiter.
  pthread_kill(signal_waiter.native_handle(), SIGUSR1);
  signal_waiter.join();
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {  // the library returns Status; this is a last resort
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
