#pragma once
// Per-thread counters. Each worker owns a CounterSet; its stages register cells once at
// construction and bump them on the hot path with a plain load+store (single writer, no lock,
// no atomic RMW). The Registry sums every set by (name, labels) when Prometheus scrapes or
// when --metrics-file is written, so packet threads never touch prometheus-cpp's mutexes.
//
// Naming: vigie_<stage>_<thing>_<unit>, `_total` for counters. Never an IP, account or flow
// as a label value.
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/collectable.h>

namespace vigie::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

// kHist* are the parts of one Prometheus histogram named `name` (bucket cells carry an "le"
// label with the upper bound and hold cumulative counts).
enum class Kind { kCounter, kGauge, kHistBucket, kHistSum, kHistCount };

class Cell {
 public:
  // Only the owning thread writes; readers may run concurrently.
  void Inc(std::uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void Dec(std::uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed); }
  void Set(std::int64_t n) { v_.store(static_cast<std::uint64_t>(n), std::memory_order_relaxed); }
  std::int64_t Get() const { return static_cast<std::int64_t>(v_.load(std::memory_order_relaxed)); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

struct Sample {
  std::string name;
  Labels labels;
  Kind kind = Kind::kCounter;
  std::string help;
  std::int64_t value = 0;
  double scale = 1.0;  // exported value = value * scale (e.g. nanoseconds counted, seconds exported)
};

class CounterSet {
 public:
  // Registration is not on the hot path; references stay valid for the set's lifetime.
  // Registering the same (name, labels) twice returns the same cell.
  Cell& Counter(const std::string& name, const std::string& help, Labels labels = {});
  // A counter kept in integer units and exported multiplied by `scale` (1e-9: ns → seconds).
  Cell& ScaledCounter(const std::string& name, const std::string& help, Labels labels, double scale);
  // One histogram series: cumulative bucket cells for `bounds` (+Inf added), a sum (exported
  // times `sum_scale`) and a count. The owner increments every bucket whose bound >= value.
  struct HistogramCells {
    std::vector<Cell*> buckets;  // bounds.size() + 1 (last is +Inf)
    Cell* sum = nullptr;
    Cell* count = nullptr;
  };
  HistogramCells Histogram(const std::string& name, const std::string& help, const Labels& labels,
                           const std::vector<double>& bounds, double sum_scale);
  Cell& Gauge(const std::string& name, const std::string& help, Labels labels = {});
  std::vector<Sample> Read() const;

 private:
  Cell& Add(const std::string& name, const std::string& help, Labels labels, Kind kind, double scale = 1.0);
  struct Entry {
    std::string name;
    Labels labels;
    Kind kind;
    std::string help;
    double scale;
    Cell cell;
  };
  mutable std::mutex mu_;  // guards registration vs Read(), never taken by Inc()
  std::deque<Entry> entries_;
};

class Registry : public prometheus::Collectable {
 public:
  std::shared_ptr<CounterSet> NewSet();
  // Summed view of every set, sorted by name then labels.
  std::vector<Sample> Snapshot() const;
  std::vector<prometheus::MetricFamily> Collect() const override;
  std::string PrometheusText() const;
  // Convenience for tests and the summary line: sum over all label values.
  std::int64_t Total(const std::string& name) const;
  std::int64_t Value(const std::string& name, const Labels& labels) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<CounterSet>> sets_;
};

}  // namespace vigie::metrics
