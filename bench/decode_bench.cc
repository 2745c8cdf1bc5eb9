// Decoder throughput on a mix of frames (per core: one Decoder, one thread).
//   bench_decode --benchmark_counters_tabular=true
// items_per_second = packets/s; "Gbit" (a rate) = wire gigabits decoded per second per core.
// The decoder reads headers only, so the bit rate mostly reflects the frame-size mix.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <vector>

#include "capture/pcap_file_source.h"
#include "decode/decoder.h"
#include "decode/ip_defrag.h"
#include "metrics/counters.h"

namespace {

using vigie::decode::DecodedPacket;
using vigie::decode::DecodeStatus;
using Bytes = std::vector<std::uint8_t>;

void Put16(Bytes& b, std::uint16_t v) { b.push_back(v >> 8); b.push_back(v & 0xff); }

Bytes Eth(std::uint16_t type, const Bytes& payload, std::initializer_list<std::uint16_t> vlans = {}) {
  Bytes b = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
  for (auto v : vlans) { Put16(b, 0x8100); Put16(b, v); }
  Put16(b, type);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

Bytes Ip4(std::uint8_t proto, const Bytes& l4, std::uint8_t host = 1) {
  Bytes h = {0x45, 0};
  Put16(h, static_cast<std::uint16_t>(20 + l4.size()));
  h.insert(h.end(), {0, 1, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, host, 10, 0, 1, 2});
  h.insert(h.end(), l4.begin(), l4.end());
  return h;
}

Bytes Ip6(std::uint8_t next, const Bytes& l4) {
  Bytes h = {0x60, 0, 0, 0};
  Put16(h, static_cast<std::uint16_t>(l4.size()));
  h.push_back(next);
  h.push_back(64);
  for (int i = 0; i < 32; ++i) h.push_back(static_cast<std::uint8_t>(i == 15 ? 1 : i == 31 ? 2 : 0x20));
  h.insert(h.end(), l4.begin(), l4.end());
  return h;
}

Bytes Tcp(std::size_t payload) {
  static constexpr std::uint8_t kHeader[] = {0x30, 0x39, 0, 80, 0, 0, 0, 1, 0, 0, 0, 1, 0x80, 0x18, 0xff, 0xff,
                                             0,    0,    0, 0,  1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
  // 12 bytes of options (NOP NOP timestamps), then the payload (one allocation, no resize: GCC's
  // LTO pass warns about a 0-byte memmove on the resize path)
  Bytes h(sizeof kHeader + payload, 'x');
  std::copy(std::begin(kHeader), std::end(kHeader), h.begin());
  return h;
}

Bytes Udp(std::uint16_t dport, const Bytes& payload) {
  Bytes h = {0x13, 0x88};
  Put16(h, dport);
  Put16(h, static_cast<std::uint16_t>(8 + payload.size()));
  Put16(h, 0);
  h.insert(h.end(), payload.begin(), payload.end());
  return h;
}

// A realistic-ish mirror-port mix: mostly full-size TCP data and ACKs, some VLAN/IPv6/UDP, and
// some encapsulated traffic (GRE, VXLAN, ERSPAN II).
std::vector<Bytes> Mix() {
  std::vector<Bytes> m;
  for (int i = 0; i < 6; ++i) m.push_back(Eth(0x0800, Ip4(6, Tcp(1448))));
  for (int i = 0; i < 4; ++i) m.push_back(Eth(0x0800, Ip4(6, Tcp(0))));
  m.push_back(Eth(0x86dd, Ip6(6, Tcp(1200)), {10}));
  m.push_back(Eth(0x0800, Ip4(17, Udp(53, Bytes(60, 'q')))));
  const Bytes inner = Eth(0x0800, Ip4(6, Tcp(1300), 7));
  Bytes gre = {0, 0, 0x08, 0x00};
  const Bytes inner_ip = Ip4(6, Tcp(1300), 8);
  gre.insert(gre.end(), inner_ip.begin(), inner_ip.end());
  m.push_back(Eth(0x0800, Ip4(47, gre)));
  Bytes vx = {8, 0, 0, 0, 0, 0, 1, 0};
  vx.insert(vx.end(), inner.begin(), inner.end());
  m.push_back(Eth(0x0800, Ip4(17, Udp(4789, vx))));
  Bytes erspan = {0x10, 0, 0x88, 0xbe, 0, 0, 0, 1, 0x10, 0, 0, 1, 0, 0, 0, 0};
  erspan.insert(erspan.end(), inner.begin(), inner.end());
  m.push_back(Eth(0x0800, Ip4(47, erspan)));
  return m;
}

std::vector<vigie::capture::RawPacket> Raws(const std::vector<Bytes>& frames) {
  std::vector<vigie::capture::RawPacket> r;
  for (const auto& f : frames) {
    vigie::capture::RawPacket p;
    p.data = f.data();
    p.caplen = p.wire_len = static_cast<std::uint32_t>(f.size());
    p.linktype = 1;
    r.push_back(p);
  }
  return r;
}

void Run(benchmark::State& state, const std::vector<Bytes>& frames) {
  const auto raws = Raws(frames);
  std::uint64_t bytes_per_round = 0;
  for (const auto& r : raws) bytes_per_round += r.wire_len;
  vigie::metrics::CounterSet counters;
  vigie::decode::Decoder decoder(counters);
  std::uint64_t ok = 0;
  for (auto _ : state) {
    for (const auto& r : raws) {
      const DecodedPacket d = decoder.Decode(r);
      ok += d.status == DecodeStatus::kOk;
      benchmark::DoNotOptimize(d.payload);
    }
  }
  if (ok != state.iterations() * raws.size()) state.SkipWithError("a frame of the mix did not decode");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * raws.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes_per_round));
  state.counters["Gbit"] = benchmark::Counter(static_cast<double>(state.iterations() * bytes_per_round) * 8 / 1e9,
                                                benchmark::Counter::kIsRate);
}

void BM_DecodeMix(benchmark::State& state) { Run(state, Mix()); }
BENCHMARK(BM_DecodeMix);

void BM_DecodeSmallTcp(benchmark::State& state) {
  Run(state, {Eth(0x0800, Ip4(6, Tcp(0)))});
}
BENCHMARK(BM_DecodeSmallTcp);

// Decode + defragment 1500-byte fragments of 9000-byte UDP datagrams.
void BM_DefragJumbo(benchmark::State& state) {
  std::vector<Bytes> frames;
  const Bytes l4 = Udp(9000, Bytes(8992, 'j'));
  for (std::size_t off = 0; off < l4.size(); off += 1480) {
    const std::size_t n = std::min<std::size_t>(1480, l4.size() - off);
    Bytes ip = Ip4(17, Bytes(l4.begin() + off, l4.begin() + off + n));
    const std::uint16_t fl = static_cast<std::uint16_t>((off + n < l4.size() ? 0x2000 : 0) | (off / 8));
    ip[6] = fl >> 8;
    ip[7] = fl & 0xff;
    frames.push_back(Eth(0x0800, ip));
  }
  const auto raws = Raws(frames);
  vigie::metrics::CounterSet counters;
  vigie::decode::Decoder decoder(counters);
  vigie::decode::IpDefragmenter defrag({}, counters);
  std::uint64_t done = 0, bytes = 0;
  for (auto _ : state) {
    for (const auto& r : raws) {
      DecodedPacket d = decoder.Decode(r);
      d = defrag.Add(d, decoder);
      done += d.status == DecodeStatus::kOk;
      bytes += r.wire_len;
    }
  }
  if (done != static_cast<std::uint64_t>(state.iterations())) state.SkipWithError("datagram not reassembled");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * raws.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_DefragJumbo);

}  // namespace

BENCHMARK_MAIN();
