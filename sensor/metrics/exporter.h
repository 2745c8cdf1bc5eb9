#pragma once
// Prometheus endpoint and process-level metrics (build info, start time, CPU, RSS).
// The HTTP server runs on prometheus-cpp's own (civetweb) threads; a scrape sums the
// per-thread counter sets at that moment, so packet threads never take a lock.
#include <memory>
#include <string>

#include "metrics/counters.h"

namespace prometheus {
class Exposer;
}

namespace vigie::metrics {

// Adds vigie_build_info, vigie_process_start_time_seconds, vigie_process_cpu_seconds_total and
// vigie_process_resident_memory_bytes, read from the OS at collection time.
class ProcessCollector : public prometheus::Collectable {
 public:
  explicit ProcessCollector(std::string version);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string version_;
  double start_time_;
};

class Exporter {
 public:
  // Binds ADDR:PORT (throws StartupError on a bad address or a port in use).
  Exporter(const std::string& listen, std::shared_ptr<Registry> registry, std::shared_ptr<ProcessCollector> process);
  ~Exporter();

 private:
  std::unique_ptr<prometheus::Exposer> exposer_;
};

// Registry + process metrics as Prometheus text (for --metrics-file).
std::string ExpositionText(const Registry& registry, const ProcessCollector& process);

}  // namespace vigie::metrics
