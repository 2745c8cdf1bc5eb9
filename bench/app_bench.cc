// Application-layer throughput, one core:
//   BM_HttpGzipChunked   HTTP decode + de-chunk + gzip inflate (ISA-L) of a JSON API response,
//                        bytes/s counted on the DECOMPRESSED output; no PII scan (decoder cost).
//   BM_InflateOnly       Decompressor alone, same body.
//   BM_HttpPlainJson     Content-Length JSON body, decoder only.
//   BM_HttpPlainJsonScan the same with the real PII scanner (signatures/pii.yaml).
// Run: build/bench/bench_app --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "app/app_context.h"
#include "app/decompress/decompressor.h"
#include "app/decompress/zip_reader.h"
#include "app/http_test_util.h"
#include "app/http/http_session.h"
#include "flow/flow.h"
#include "match/scanner.h"

namespace vigie::app {
namespace {

using httptest::Chunked;
using httptest::Gzip;

class NullEvents : public track::EventSink {
 public:
  void OnTransaction(const track::TransactionEvent& e) override { bytes += e.bytes; }
  void OnVolume(const track::VolumeEvent&) override {}
  void OnDnsQuery(const track::DnsQueryEvent&) override {}
  std::uint64_t bytes = 0;
};

std::string Json(std::size_t n) {
  std::string s = "[";
  for (std::size_t i = 0; s.size() < n; ++i)
    s += "{\"id\":" + std::to_string(i) + ",\"nom\":\"Martin\",\"prenom\":\"Claire\",\"ville\":\"Lyon\",\"statut\":\"actif\",\"score\":" +
         std::to_string(i * 7 % 1000) + "},";
  s.back() = ']';
  return s;
}

struct Env {
  explicit Env(bool scan) {
    ctx.config = &config;
    ctx.events = &events;
    ctx.metrics = &counters;
    if (scan) {
      engine = match::LoadPiiEngine(std::string(VIGIE_SOURCE_DIR) + "/signatures/pii.yaml", {});
      scanner = std::make_unique<match::Scanner>(engine, counters);
      ctx.scanner = scanner.get();
    }
    fl.client.ip = *IpAddr::Parse("10.0.0.1");
    fl.server.ip = *IpAddr::Parse("10.0.0.2");
    fl.proto = 6;
  }
  AppConfig config;
  NullEvents events;
  metrics::CounterSet counters;
  std::shared_ptr<const match::PiiEngine> engine;
  std::unique_ptr<match::Scanner> scanner;
  AppContext ctx;
  flow::Flow fl;
};

// Feeds one exchange in 1448-byte segments (a typical MSS), many times on one connection.
void RunExchange(benchmark::State& state, Env& env, const std::string& req, const std::string& resp,
                 std::size_t decoded_per_exchange) {
  http::HttpSession s(env.ctx, env.fl);
  for (auto _ : state) {
    s.OnData(env.fl, flow::Direction::kToServer, AsBytes(req));
    for (std::size_t i = 0; i < resp.size(); i += 1448)
      s.OnData(env.fl, flow::Direction::kToClient, AsBytes(std::string_view(resp).substr(i, 1448)));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * decoded_per_exchange));
}

const std::string kRequest = "GET /v1/demandeurs?page=1 HTTP/1.1\r\nHost: api.example.fr\r\nAccept-Encoding: gzip\r\n\r\n";

void BM_HttpGzipChunked(benchmark::State& state) {
  Env env(false);
  const std::string json = Json(static_cast<std::size_t>(state.range(0)));
  const std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n" + Chunked(Gzip(json), 8192);
  RunExchange(state, env, kRequest, resp, json.size());
}
BENCHMARK(BM_HttpGzipChunked)->Arg(1 << 20);

void BM_InflateOnly(benchmark::State& state) {
  const std::string json = Json(static_cast<std::size_t>(state.range(0)));
  const std::string gz = Gzip(json);
  struct Null : ByteSink {
    void Write(ByteView d) override { n += d.size(); }
    std::uint64_t n = 0;
  } sink;
  Decompressor d;
  for (auto _ : state) {
    d.Reset(Encoding::kGzip, {}, &sink);
    for (std::size_t i = 0; i < gz.size(); i += 1448) d.Write(AsBytes(std::string_view(gz).substr(i, 1448)));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * json.size()));
  state.counters["ratio"] = static_cast<double>(json.size()) / static_cast<double>(gz.size());
}
BENCHMARK(BM_InflateOnly)->Arg(1 << 20);

// A ZIP archive read file by file (app/decompress/zip_reader.h): a workbook whose shared strings
// are the JSON above, deflated with data descriptors after each file (streaming writers).
// Bytes: the inflated files; compare with BM_InflateOnly (the inflate alone).
void BM_ZipReaderOnly(benchmark::State& state) {
  const std::string strings = Json(static_cast<std::size_t>(state.range(0)));
  const std::string zip = httptest::Zip({{"[Content_Types].xml", "<Types/>", true, 16},
                                         {"xl/sharedStrings.xml", strings, true, 16},
                                         {"xl/media/image1.png", std::string(4096, 'x'), true, 16},
                                         {"xl/worksheets/sheet1.xml", "<worksheet/>", true, 16}});
  struct Null : ZipSink {
    void OnFile(std::string_view) override {}
    void OnFileData(ByteView d) override { n += d.size(); }
    std::uint64_t n = 0;
  } sink;
  ZipReader r;
  for (auto _ : state) {
    r.Reset({}, &sink);
    for (std::size_t i = 0; i < zip.size(); i += 1448) r.Write(AsBytes(std::string_view(zip).substr(i, 1448)));
    if (r.status() != ZipReader::Status::kDone) state.SkipWithError("archive not read to its end");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * strings.size()));
}
BENCHMARK(BM_ZipReaderOnly)->Arg(1 << 20);

void PlainJson(benchmark::State& state, bool scan) {
  Env env(scan);
  const std::string json = Json(static_cast<std::size_t>(state.range(0)));
  const std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(json.size()) + "\r\n\r\n" + json;
  RunExchange(state, env, kRequest, resp, json.size());
}
void BM_HttpPlainJson(benchmark::State& state) { PlainJson(state, false); }
void BM_HttpPlainJsonScan(benchmark::State& state) { PlainJson(state, true); }
BENCHMARK(BM_HttpPlainJson)->Arg(1 << 20);
BENCHMARK(BM_HttpPlainJsonScan)->Arg(1 << 20);

}  // namespace
}  // namespace vigie::app

BENCHMARK_MAIN();
