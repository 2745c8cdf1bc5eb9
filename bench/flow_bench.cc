// Flow table and TCP reassembly throughput.
//   bench_flow --benchmark_filter=Reassembly   Gbit/s of TCP payload per core, in order and reordered
//   bench_flow --benchmark_filter=Lookup       flow-table packets/s with many concurrent flows
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <vector>

#include "flow/flow_table.h"

namespace vigie::flow {
namespace {

class NullSink : public StreamSink {
 public:
  void OnData(Flow&, Direction, std::span<const std::uint8_t> d) override { bytes += d.size(); }
  void OnGap(Flow&, Direction, std::uint64_t n) override { gaps += n; }
  void OnDatagram(Flow&, Direction, std::span<const std::uint8_t> d) override { bytes += d.size(); }
  void OnPacket(Flow&, Direction) override { ++packets; }
  void OnClose(Flow&, CloseReason) override { ++closes; }
  std::uint64_t bytes = 0, gaps = 0, packets = 0, closes = 0;
};

constexpr std::uint32_t kMss = 1448;

decode::DecodedPacket TcpPacket(const std::uint8_t* payload, std::uint32_t len) {
  decode::DecodedPacket p;
  p.status = decode::DecodeStatus::kOk;
  p.ip_proto = decode::kProtoTcp;
  p.src = *IpAddr::Parse("10.1.2.3");
  p.dst = *IpAddr::Parse("192.0.2.80");
  p.sport = 50000;
  p.dport = 443;
  p.tcp_flags = decode::tcp_flags::kAck | decode::tcp_flags::kPsh;
  p.payload = payload;
  p.payload_len = p.payload_wire_len = len;
  p.wire_len = len + 66;
  return p;
}

// `swap_every`: 0 = in order; 2 = every pair of segments arrives swapped (half are buffered).
void RunReassembly(benchmark::State& state, int swap_every) {
  FlowConfig cfg;
  NullSink sink;
  metrics::CounterSet m;
  FlowTable table(cfg, sink, m);
  std::vector<std::uint8_t> payload(kMss, 'x');
  decode::DecodedPacket p = TcpPacket(payload.data(), kMss);
  std::uint32_t seq = 1000;
  Timestamp ts = 0;
  std::uint64_t total = 0;
  for (auto _ : state) {
    if (swap_every == 0) {
      p.seq = seq;
      p.ts = ts;
      table.Process(p);
      seq += kMss;
      total += kMss;
    } else {
      p.ts = ts;
      p.seq = seq + kMss;
      table.Process(p);
      p.seq = seq;
      table.Process(p);
      seq += 2 * kMss;
      total += 2 * kMss;
    }
    ts += 1000;
  }
  benchmark::DoNotOptimize(sink.bytes);
  state.SetBytesProcessed(static_cast<std::int64_t>(total));
  state.counters["Gbit"] = benchmark::Counter(static_cast<double>(total) * 8 / 1e9, benchmark::Counter::kIsRate);
  if (sink.bytes + 2 * kMss < total) state.SkipWithError("bytes lost");
}

void BM_ReassemblyInOrder(benchmark::State& state) { RunReassembly(state, 0); }
void BM_ReassemblyReordered(benchmark::State& state) { RunReassembly(state, 2); }
BENCHMARK(BM_ReassemblyInOrder);
BENCHMARK(BM_ReassemblyReordered);

// Packets spread over N live UDP flows in random order: one hash lookup (and accounting) each.
void BM_FlowLookup(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  FlowConfig cfg;
  cfg.max_flows = static_cast<std::uint32_t>(n + 1);
  NullSink sink;
  metrics::CounterSet m;
  FlowTable table(cfg, sink, m);
  static const std::uint8_t kByte = 0;
  std::vector<decode::DecodedPacket> pkts(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& p = pkts[i];
    p.status = decode::DecodeStatus::kOk;
    p.ip_proto = decode::kProtoUdp;
    std::uint8_t a[4] = {10, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
                         static_cast<std::uint8_t>(i)};
    p.src = IpAddr::FromV4(a);
    p.dst = *IpAddr::Parse("192.0.2.53");
    p.sport = static_cast<std::uint16_t>(1024 + i % 60000);
    p.dport = 53;
    p.payload = &kByte;
    p.payload_len = p.payload_wire_len = 1;
    p.wire_len = 60;
  }
  for (auto& p : pkts) table.Process(p);  // create every flow before timing
  std::vector<std::uint32_t> order(1 << 16);
  std::mt19937 rng(1);
  for (auto& o : order) o = static_cast<std::uint32_t>(rng() % n);
  std::size_t k = 0;
  for (auto _ : state) {
    table.Process(pkts[order[k++ & 0xffff]]);
  }
  state.SetItemsProcessed(state.iterations());
  if (table.active() != n) state.SkipWithError("flows lost");
}
BENCHMARK(BM_FlowLookup)->Arg(1000)->Arg(100000)->Arg(1000000);

// New flows per second (create + close through expiry), the allocation-free steady state.
void BM_FlowCreateExpire(benchmark::State& state) {
  FlowConfig cfg;
  cfg.max_flows = 100000;
  NullSink sink;
  metrics::CounterSet m;
  FlowTable table(cfg, sink, m);
  static const std::uint8_t kByte = 0;
  decode::DecodedPacket p;
  p.status = decode::DecodeStatus::kOk;
  p.ip_proto = decode::kProtoUdp;
  p.src = *IpAddr::Parse("10.0.0.1");
  p.dst = *IpAddr::Parse("192.0.2.53");
  p.dport = 53;
  p.payload = &kByte;
  p.payload_len = p.payload_wire_len = 1;
  std::uint32_t i = 0;
  for (auto _ : state) {
    p.sport = static_cast<std::uint16_t>(i);
    p.src.bytes[14] = static_cast<std::uint8_t>(i >> 16);
    p.ts = Seconds(i / 10000);
    table.Process(p);
    if (++i % 10000 == 0) table.Expire(p.ts);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FlowCreateExpire);

}  // namespace
}  // namespace vigie::flow

BENCHMARK_MAIN();
