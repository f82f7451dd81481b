#include "metrics/http_exporter.hpp"

#include <httplib.h>

#include <chrono>
#include <thread>

namespace ballcam::metrics {

struct HttpExporter::Impl {
  httplib::Server server;
  std::thread thread;
  HttpExporterCallbacks callbacks;
};

HttpExporter::HttpExporter(std::unique_ptr<Impl> impl, int port) : impl_(std::move(impl)), port_(port) {}

HttpExporter::~HttpExporter() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

Result<std::unique_ptr<HttpExporter>> HttpExporter::start(int port, HttpExporterCallbacks callbacks,
                                                          const std::string& bind_address) {
  auto impl = std::make_unique<Impl>();
  impl->callbacks = std::move(callbacks);
  Impl* raw = impl.get();
  raw->server.Get("/metrics", [raw](const httplib::Request&, httplib::Response& res) {
    res.set_content(raw->callbacks.metrics_text ? raw->callbacks.metrics_text() : std::string(),
                    "text/plain; version=0.0.4");
  });
  raw->server.Get("/healthz", [raw](const httplib::Request&, httplib::Response& res) {
    const bool ok = raw->callbacks.healthy && raw->callbacks.healthy();
    res.status = ok ? 200 : 503;
    res.set_content(ok ? "ok\n" : "stalled\n", "text/plain");
  });
  // Only SO_REUSEADDR: the library's default SO_REUSEPORT would let a second
  // run silently share the port with the first.
  raw->server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
  });
  int bound = port;
  if (port == 0) {
    bound = raw->server.bind_to_any_port(bind_address.c_str());
  } else if (!raw->server.bind_to_port(bind_address.c_str(), port)) {
    bound = -1;
  }
  if (bound <= 0) {
    return error(ErrorCode::kInvalidArgument,
                 "cannot listen on " + bind_address + ":" + std::to_string(port) + " (port in use?)");
  }
  raw->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  // stop() is a no-op until the server runs: wait for it, so that an early
  // destruction cannot leave the listener thread behind.
  for (int i = 0; i < 2000 && !raw->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<HttpExporter>(new HttpExporter(std::move(impl), bound));
}

}  // namespace ballcam::metrics
