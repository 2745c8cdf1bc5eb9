#include "metrics/counters.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <tuple>

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

CounterSet::HistogramCells CounterSet::Histogram(const std::string& name, const std::string& help,
                                                 const Labels& labels, const std::vector<double>& bounds,
                                                 double sum_scale) {
  HistogramCells h;
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    Labels l = labels;
    char le[32] = "+Inf";
    if (i < bounds.size()) std::snprintf(le, sizeof le, "%g", bounds[i]);
    l.emplace_back("le", le);
    h.buckets.push_back(&Add(name, help, std::move(l), Kind::kHistBucket));
  }
  h.sum = &Add(name, help, labels, Kind::kHistSum, sum_scale);
  h.count = &Add(name, help, labels, Kind::kHistCount);
  return h;
}

Cell& CounterSet::Add(const std::string& name, const std::string& help, Labels labels, Kind kind, double scale) {
  std::lock_guard lock(mu_);
  for (auto& e : entries_)
    if (e.name == name && e.labels == labels && e.kind == kind) return e.cell;
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
  std::map<std::tuple<std::string, Labels, Kind>, Sample> merged;
  {
    std::lock_guard lock(mu_);
    for (const auto& set : sets_) {
      for (auto& s : set->Read()) {
        auto key = std::make_tuple(s.name, s.labels, s.kind);
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
  // Histogram series of the current family, keyed by their labels without "le".
  std::map<Labels, std::size_t> hist_index;
  for (const auto& s : Snapshot()) {
    if (families.empty() || families.back().name != s.name) {
      prometheus::MetricFamily f;
      f.name = s.name;
      f.help = s.help;
      switch (s.kind) {
        case Kind::kCounter: f.type = prometheus::MetricType::Counter; break;
        case Kind::kGauge: f.type = prometheus::MetricType::Gauge; break;
        default: f.type = prometheus::MetricType::Histogram; break;
      }
      families.push_back(std::move(f));
      hist_index.clear();
    }
    auto& fam = families.back();
    const double v = static_cast<double>(s.value) * s.scale;
    if (s.kind == Kind::kCounter || s.kind == Kind::kGauge) {
      prometheus::ClientMetric m;
      for (const auto& [k, val] : s.labels) m.label.push_back({k, val});
      if (s.kind == Kind::kCounter) {
        m.counter.value = v;
      } else {
        m.gauge.value = v;
      }
      fam.metric.push_back(std::move(m));
      continue;
    }
    Labels base;
    double le = 0;
    for (const auto& [k, val] : s.labels) {
      if (k == "le") {
        le = val == "+Inf" ? std::numeric_limits<double>::infinity() : std::strtod(val.c_str(), nullptr);
      } else {
        base.emplace_back(k, val);
      }
    }
    auto [it, inserted] = hist_index.emplace(base, fam.metric.size());
    if (inserted) {
      prometheus::ClientMetric m;
      for (const auto& [k, val] : base) m.label.push_back({k, val});
      fam.metric.push_back(std::move(m));
    }
    auto& h = fam.metric[it->second].histogram;
    if (s.kind == Kind::kHistBucket) {
      prometheus::ClientMetric::Bucket b;
      b.upper_bound = le;
      b.cumulative_count = static_cast<std::uint64_t>(s.value);
      auto pos = std::find_if(h.bucket.begin(), h.bucket.end(), [&](const auto& x) { return x.upper_bound > le; });
      h.bucket.insert(pos, b);
    } else if (s.kind == Kind::kHistSum) {
      h.sample_sum = v;
    } else {
      h.sample_count = static_cast<std::uint64_t>(s.value);
    }
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
