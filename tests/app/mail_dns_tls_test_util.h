#pragma once
// Shared by the SMTP, DNS and TLS decoder tests: an EventSink that keeps what it receives and
// a flow with fixed endpoints.
#include <string>
#include <string_view>
#include <vector>

#include "app/app_context.h"
#include "flow/flow.h"
#include "metrics/counters.h"
#include "track/events.h"

namespace vigie::app::testing {

class RecordingEvents : public track::EventSink {
 public:
  void OnTransaction(const track::TransactionEvent& e) override { transactions.push_back(e); }
  void OnVolume(const track::VolumeEvent& e) override { volumes.push_back(e); }
  void OnDnsQuery(const track::DnsQueryEvent& e) override { dns.push_back(e); }
  std::vector<track::TransactionEvent> transactions;
  std::vector<track::VolumeEvent> volumes;
  std::vector<track::DnsQueryEvent> dns;
};

inline flow::Flow MakeFlow(std::uint16_t server_port, std::uint8_t proto = 6) {
  flow::Flow f;
  f.client = {*IpAddr::Parse("10.1.2.3"), 40000};
  f.server = {*IpAddr::Parse("192.0.2.25"), server_port};
  f.key.lo = f.client;
  f.key.hi = f.server;
  f.key.proto = f.proto = proto;
  f.first_seen = f.last_seen = Seconds(1700000000);
  return f;
}

// Sum of a counter over the set (all label values when `labels` is empty) or one label set.
inline std::int64_t CounterValue(const metrics::CounterSet& set, const std::string& name,
                                 const metrics::Labels& labels = {}) {
  std::int64_t v = 0;
  for (const auto& s : set.Read())
    if (s.name == name && (labels.empty() || s.labels == labels)) v += s.value;
  return v;
}

// A context with a recording sink and its own counters; `scanner` stays null unless set.
struct TestContext {
  AppConfig config;
  metrics::CounterSet set;
  RecordingEvents events;
  AppContext ctx;
  TestContext(const TestContext&) = delete;
  TestContext& operator=(const TestContext&) = delete;
  TestContext() {
    ctx.config = &config;
    ctx.events = &events;
    ctx.metrics = &set;
  }
};

}  // namespace vigie::app::testing
