#pragma once
// Replay helpers for tests: a classic-pcap reader (little-endian, microseconds), and a sink that
// hashes (SHA-256) each direction's delivered bytes, decoding with the real decoder.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "capture/raw_packet.h"
#include "decode/decoder.h"
#include "flow/flow_table.h"

namespace vigie::flow::testing {

struct EvpCtx {
  EvpCtx() : ctx(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr); }
  ~EvpCtx() { EVP_MD_CTX_free(ctx); }
  EvpCtx(const EvpCtx&) = delete;
  EvpCtx& operator=(const EvpCtx&) = delete;
  std::string Hex() {
    unsigned char md[32];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx, md, &n);
    std::string s;
    char b[3];
    for (unsigned i = 0; i < n; ++i) {
      std::snprintf(b, sizeof b, "%02x", md[i]);
      s += b;
    }
    return s;
  }
  EVP_MD_CTX* ctx;
};

struct DirResult {
  std::unique_ptr<EvpCtx> sha = std::make_unique<EvpCtx>();
  std::string hex;
  std::uint64_t bytes = 0, gap_bytes = 0;
  std::string content;  // delivered bytes, kept for diagnostics (test captures are small)
};

struct FlowResult {
  std::string client, server;
  std::uint16_t cport = 0, sport = 0;
  std::uint8_t proto = 0;
  DirResult dir[2];
  std::uint64_t packets[2] = {0, 0}, wire[2] = {0, 0};
};

class HashSink : public StreamSink {
 public:
  void OnData(Flow& f, Direction d, std::span<const std::uint8_t> data) override {
    auto& r = flows[f.id].dir[Index(d)];
    EVP_DigestUpdate(r.sha->ctx, data.data(), data.size());
    r.bytes += data.size();
    r.content.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  void OnGap(Flow& f, Direction d, std::uint64_t n) override { flows[f.id].dir[Index(d)].gap_bytes += n; }
  void OnDatagram(Flow&, Direction, std::span<const std::uint8_t>) override {}
  void OnPacket(Flow&, Direction) override {}
  void OnClose(Flow& f, CloseReason) override {
    auto& r = flows[f.id];
    r.client = f.client.ip.ToString();
    r.cport = f.client.port;
    r.server = f.server.ip.ToString();
    r.sport = f.server.port;
    r.proto = f.proto;
    for (int i = 0; i < 2; ++i) {
      r.dir[i].hex = r.dir[i].sha->Hex();
      r.packets[i] = f.packets[i];
      r.wire[i] = f.bytes[i];
    }
  }
  std::map<std::uint64_t, FlowResult> flows;
};

// Minimal classic-pcap reader (little-endian, microseconds: what pcapgen writes by default).
inline std::vector<std::pair<capture::RawPacket, std::vector<std::uint8_t>>> ReadPcap(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::pair<capture::RawPacket, std::vector<std::uint8_t>>> out;
  auto u32 = [&](std::size_t o) {
    std::uint32_t v;
    std::memcpy(&v, all.data() + o, 4);
    return v;
  };
  if (all.size() < 24 || u32(0) != 0xA1B2C3D4u) return out;
  const int linktype = static_cast<int>(u32(20));
  std::size_t o = 24;
  while (o + 16 <= all.size()) {
    const std::uint32_t sec = u32(o), usec = u32(o + 4), cap = u32(o + 8), wire = u32(o + 12);
    o += 16;
    if (o + cap > all.size()) break;
    capture::RawPacket raw;
    raw.ts = Seconds(sec) + Timestamp{usec} * 1000;
    raw.caplen = cap;
    raw.wire_len = wire;
    raw.linktype = linktype;
    out.emplace_back(raw, std::vector<std::uint8_t>(all.begin() + static_cast<std::ptrdiff_t>(o),
                                                    all.begin() + static_cast<std::ptrdiff_t>(o + cap)));
    o += cap;
  }
  return out;
}

// Decodes and feeds every packet of `path`; returns the flows as closed at the end.
// Packets that do not decode to kOk are skipped (counted in *skipped when given).
inline std::map<std::uint64_t, FlowResult> Replay(const std::string& path, const FlowConfig& cfg,
                                                  int* skipped = nullptr, int* fragments = nullptr) {
  auto packets = ReadPcap(path);
  HashSink sink;
  metrics::CounterSet m;
  decode::Decoder decoder(m);
  FlowTable table(cfg, sink, m);
  Timestamp last_expire = 0;
  for (auto& [raw, bytes] : packets) {
    raw.data = bytes.data();
    const decode::DecodedPacket p = decoder.Decode(raw);
    if (p.status != decode::DecodeStatus::kOk) {
      if (skipped) ++*skipped;
      if (fragments && p.status == decode::DecodeStatus::kFragment) ++*fragments;  // no defrag here
      continue;
    }
    table.Process(p);
    if (p.ts - last_expire >= Seconds(1)) {
      table.Expire(p.ts);
      last_expire = p.ts;
    }
  }
  table.FlushAll(CloseReason::kEndOfCapture);
  return std::move(sink.flows);
}

}  // namespace vigie::flow::testing
