// A small HTTP endpoint for live runs (cpp-httplib): GET /metrics serves
// Prometheus text, GET /healthz answers 200 while frames flow and 503 when
// the pipeline is stalled. The content comes from callbacks, so this file
// knows nothing of the pipeline.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/status.hpp"

namespace ballcam::metrics {

struct HttpExporterCallbacks {
  std::function<std::string()> metrics_text;
  std::function<bool()> healthy;
};

class HttpExporter {
 public:
  // Binds to 127.0.0.1:port unless `bind_address` says otherwise; port 0 picks a free one.
  static Result<std::unique_ptr<HttpExporter>> start(int port, HttpExporterCallbacks callbacks,
                                                     const std::string& bind_address = "127.0.0.1");
  ~HttpExporter();
  int port() const { return port_; }

 private:
  struct Impl;
  explicit HttpExporter(std::unique_ptr<Impl> impl, int port);
  std::unique_ptr<Impl> impl_;
  int port_;
};

}  // namespace ballcam::metrics
