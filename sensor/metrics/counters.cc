#include "metrics/counters.h"

#include <algorithm>
#include <sstream>

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

namespace vigie::metrics {

Cell& CounterSet::Counter(const std::string& name, const std::string& help, Labels labels) {
  return Add(name, help, std::move(labels), Kind::kCounter);
}

Cell& CounterSet::Gauge(const std::string& name, const std::string& help, Labels labels) {
  return Add(name, help, std::move(labels), Kind::kGauge);
}

Cell& CounterSet::ScaledCounter(const std::string& name, const std::string& help, Labels labels, double scale) {
  return Add(name, help, std::move(labels), Kind::kCounter, scale);
}

Cell& CounterSet::Add(const std::string& name, const std::string& help, Labels labels, Kind kind, double scale) {
  std::lock_guard lock(mu_);
  for (auto& e : entries_)
    if (e.name == name && e.labels == labels) return e.cell;
  auto& e = entries_.emplace_back();
  e.name = name;
  e.labels = std::move(labels);
  e.kind = kind;
  e.help = help;
  e.scale = scale;
  return e.cell;
}

std::vector<Sample> CounterSet::Read() const {
  std::lock_guard lock(mu_);
  std::vector<Sample> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back({e.name, e.labels, e.kind, e.help, e.cell.Get(), e.scale});
  return out;
}

std::shared_ptr<CounterSet> Registry::NewSet() {
  auto set = std::make_shared<CounterSet>();
  std::lock_guard lock(mu_);
  sets_.push_back(set);
  return set;
}

std::vector<Sample> Registry::Snapshot() const {
  std::map<std::pair<std::string, Labels>, Sample> merged;
  {
    std::lock_guard lock(mu_);
    for (const auto& set : sets_) {
      for (auto& s : set->Read()) {
        auto key = std::make_pair(s.name, s.labels);
        auto it = merged.find(key);
        if (it == merged.end()) {
          merged.emplace(std::move(key), std::move(s));
        } else {
          it->second.value += s.value;
        }
      }
    }
  }
  std::vector<Sample> out;
  out.reserve(merged.size());
  for (auto& [k, v] : merged) out.push_back(std::move(v));
  return out;
}

std::vector<prometheus::MetricFamily> Registry::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  for (const auto& s : Snapshot()) {
    if (families.empty() || families.back().name != s.name) {
      prometheus::MetricFamily f;
      f.name = s.name;
      f.help = s.help;
      f.type = s.kind == Kind::kCounter ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge;
      families.push_back(std::move(f));
    }
    prometheus::ClientMetric m;
    for (const auto& [k, v] : s.labels) m.label.push_back({k, v});
    const double v = static_cast<double>(s.value) * s.scale;
    if (s.kind == Kind::kCounter) {
      m.counter.value = v;
    } else {
      m.gauge.value = v;
    }
    families.back().metric.push_back(std::move(m));
  }
  return families;
}

std::string Registry::PrometheusText() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, Collect());
  return out.str();
}

std::int64_t Registry::Total(const std::string& name) const {
  std::int64_t sum = 0;
  for (const auto& s : Snapshot())
    if (s.name == name) sum += s.value;
  return sum;
}

std::int64_t Registry::Value(const std::string& name, const Labels& labels) const {
  for (const auto& s : Snapshot())
    if (s.name == name && s.labels == labels) return s.value;
  return 0;
}

}  // namespace vigie::metrics
