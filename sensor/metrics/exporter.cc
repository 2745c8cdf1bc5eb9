#include "metrics/exporter.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include <prometheus/exposer.h>
#include <prometheus/text_serializer.h>

#include "core/error.h"

namespace vigie::metrics {

namespace {

prometheus::MetricFamily Gauge(const std::string& name, const std::string& help, double value,
                               prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(m);
  return f;
}

double ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

}  // namespace

ProcessCollector::ProcessCollector(std::string version) : version_(std::move(version)) {
  start_time_ = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  auto info = Gauge("vigie_build_info", "Vigie build information (value is always 1)", 1);
  info.metric[0].label.push_back({"version", version_});
  out.push_back(info);
  out.push_back(Gauge("vigie_process_start_time_seconds", "Start time of the process since the Unix epoch", start_time_));
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  out.push_back(Gauge("vigie_process_cpu_seconds_total", "User and system CPU time spent", cpu,
                      prometheus::MetricType::Counter));
  out.push_back(Gauge("vigie_process_resident_memory_bytes", "Resident set size", ResidentBytes()));
  out.push_back(Gauge("vigie_process_peak_resident_memory_bytes", "Peak resident set size",
                      static_cast<double>(ru.ru_maxrss) * 1024.0));
  return out;
}

Exporter::Exporter(const std::string& listen, std::shared_ptr<Registry> registry,
                   std::shared_ptr<ProcessCollector> process) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(listen, 2);
  } catch (const std::exception& e) {
    throw StartupError("cannot listen for metrics on " + listen + ": " + e.what());
  }
  exposer_->RegisterCollectable(registry);
  exposer_->RegisterCollectable(process);
}

Exporter::~Exporter() = default;

std::string ExpositionText(const Registry& registry, const ProcessCollector& process) {
  auto families = registry.Collect();
  for (auto& f : process.Collect()) families.push_back(std::move(f));
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace vigie::metrics
