// The reference the floor is compared with in the same session: cpp-httplib (the stack the
// scoring API used before src/http/) answering the same constant score, tuned: TCP_NODELAY,
// unlimited keep-alive, one pool thread per benchmark connection (it holds a thread per
// keep-alive connection). Built by bench/http_floor/run; not part of the product.
#include <httplib.h>

#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: httplib_reference PORT POOL_THREADS\n";
    return 1;
  }
  const int port = std::atoi(argv[1]);
  const int pool = std::atoi(argv[2]);
  httplib::Server server;
  server.new_task_queue = [pool] { return new httplib::ThreadPool(static_cast<size_t>(pool)); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000000000);
  server.Post("/score", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"score":0.5,"label":"low","model_version":"floor"})",
                         "application/json");
  });
  if (!server.bind_to_port("127.0.0.1", port)) {
    std::cerr << "error: cannot listen on 127.0.0.1:" << port << "; choose another port\n";
    return 1;
  }
  std::cout << "http://127.0.0.1:" << port << std::endl;
  return server.listen_after_bind() ? 0 : 1;
}
