// Tracker benchmarks.
//  1. Memory: N entities (accounts + their workstations) with 30 days of history, peak RSS
//     from getrusage — run first, before anything else inflates the peak.
//     Workload per account and day: `reads` records from its own portfolio of `portfolio`
//     people plus `fresh` never-seen people, in transactions of 10 records.
//     Env: VIGIE_BENCH_ENTITIES (default 100000), VIGIE_BENCH_PORTFOLIO (200),
//          VIGIE_BENCH_READS (20), VIGIE_BENCH_FRESH (2), VIGIE_BENCH_DAYS (30).
//  2. Throughput (Google Benchmark): TransactionEvents/s into a tracker holding 10 000 accounts.
//
// Results (Release, 2 shared vCPUs, load ≈ 10, 2026-11-28; `bench_track --benchmark_min_time=0.5`):
//   100 000 entities, 30 days, 253 distinct records each .... peak RSS 472.5 MiB (limit 512 MiB)
//   BM_TransactionEvents/1 ...... 1.38 µs CPU/event   BM_TransactionEvents/10 ... 1.45 µs
//   BM_TransactionEvents/100 .... 9.6 µs CPU/event    BM_DnsQueries ............. 0.18 µs
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "alert/sink.h"
#include "metrics/counters.h"
#include "track/hll.h"
#include "track/tracker.h"

namespace vigie::track {
namespace {

constexpr Timestamp kT0 = Seconds(1707091200);

long PeakRssKiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

std::uint64_t Env(const char* name, std::uint64_t def) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : def;
}

IpAddr WorkstationIp(std::uint64_t i) {
  std::uint8_t b[4] = {10, static_cast<std::uint8_t>(20 + (i >> 16)), static_cast<std::uint8_t>(i >> 8),
                       static_cast<std::uint8_t>(i)};
  return IpAddr::FromV4(b);
}

TransactionEvent MakeEvent(Timestamp ts, std::uint64_t account, const std::vector<std::uint64_t>& people) {
  TransactionEvent e;
  e.ts = ts;
  e.path.src_ip = *IpAddr::Parse("10.10.0.5");
  e.path.src_port = 8080;
  e.path.dest_ip = WorkstationIp(account);
  e.path.dest_port = 50000;
  e.app_proto = AppProto::kHttp;
  e.account = "capemploi-" + std::to_string(account);
  e.bytes = 600 * people.size();
  e.pii.records = people;
  e.pii.matches[0] = static_cast<std::uint32_t>(people.size());
  e.pii.excerpts = {"2 85 05 ** *** *** 42"};
  return e;
}

void MemoryReport() {
  const std::uint64_t entities = Env("VIGIE_BENCH_ENTITIES", 100000);
  const std::uint64_t portfolio = Env("VIGIE_BENCH_PORTFOLIO", 200);
  const std::uint64_t reads = Env("VIGIE_BENCH_READS", 20);
  const std::uint64_t fresh = Env("VIGIE_BENCH_FRESH", 2);
  const std::uint64_t days = Env("VIGIE_BENCH_DAYS", 30);
  const std::uint64_t accounts = entities / 2;  // each account brings its workstation's IP entity

  long rss0 = PeakRssKiB();
  alert::MemorySink sink;
  metrics::CounterSet m;
  TrackConfig cfg;
  CidrSet home = *CidrSet::Parse("10.0.0.0/8");
  std::uint64_t events = 0;
  auto start = std::chrono::steady_clock::now();
  {
    Tracker t(cfg, home, sink, m);
    std::uint64_t rng = 1;
    auto next = [&] { return rng = Mix64(rng); };
    std::uint64_t fresh_id = 1ull << 40;
    std::vector<std::uint64_t> people;
    for (std::uint64_t d = 0; d < days; ++d) {
      for (std::uint64_t a = 0; a < accounts; ++a) {
        Timestamp ts = kT0 + static_cast<Timestamp>(d) * Seconds(86400) + Seconds(8 * 3600) +
                       static_cast<Timestamp>(a * Seconds(10 * 3600) / accounts);
        people.clear();
        for (std::uint64_t r = 0; r < reads + fresh; ++r) {
          std::uint64_t who = r < reads ? a * 1'000'000 + next() % portfolio : fresh_id++;
          people.push_back(Mix64(who));
          if (people.size() == 10 || r + 1 == reads + fresh) {
            t.OnTransaction(MakeEvent(ts, a, people));
            ++events;
            people.clear();
          }
        }
      }
      t.Advance(kT0 + static_cast<Timestamp>(d + 1) * Seconds(86400) - 1);
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    long rss1 = PeakRssKiB();
    auto st = t.Stats(alert::EntityKind::kAccount, "capemploi-0");
    std::printf(
        "track memory: %zu entities (%llu accounts + workstations), %llu days, portfolio %llu, %llu reads + %llu new "
        "people/day\n"
        "  distinct_30d per entity: %llu, alerts: %zu\n"
        "  peak RSS %.1f MiB (process baseline %.1f MiB, tracker ~%.1f MiB by its own estimate)\n"
        "  fill: %llu events in %.2f s = %.0f events/s\n",
        t.entity_count(), static_cast<unsigned long long>(accounts), static_cast<unsigned long long>(days),
        static_cast<unsigned long long>(portfolio), static_cast<unsigned long long>(reads),
        static_cast<unsigned long long>(fresh), static_cast<unsigned long long>(st ? st->distinct_30d : 0),
        sink.alerts().size(), static_cast<double>(rss1) / 1024, static_cast<double>(rss0) / 1024,
        static_cast<double>(t.ApproxMemoryBytes()) / (1 << 20), static_cast<unsigned long long>(events), secs,
        static_cast<double>(events) / secs);
    std::fflush(stdout);
  }
}

void BM_TransactionEvents(benchmark::State& state) {
  alert::MemorySink sink;
  metrics::CounterSet m;
  TrackConfig cfg;
  cfg.bulk.filter.enabled = false;
  Tracker t(cfg, *CidrSet::Parse("10.0.0.0/8"), sink, m);
  const std::uint64_t accounts = 10000;
  const std::size_t per_event = static_cast<std::size_t>(state.range(0));
  std::vector<TransactionEvent> evs;
  std::uint64_t rng = 7;
  for (int i = 0; i < 4096; ++i) {
    std::vector<std::uint64_t> people;
    for (std::size_t r = 0; r < per_event; ++r) people.push_back(rng = Mix64(rng));
    evs.push_back(MakeEvent(0, (rng >> 3) % accounts, people));
  }
  Timestamp ts = kT0;
  std::size_t i = 0;
  for (auto _ : state) {
    TransactionEvent& e = evs[i++ & 4095];
    e.ts = ts += 1'000'000;  // 1000 events per packet-second
    t.OnTransaction(e);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["entities"] = static_cast<double>(t.entity_count());
}
BENCHMARK(BM_TransactionEvents)->Arg(1)->Arg(10)->Arg(100);

void BM_DnsQueries(benchmark::State& state) {
  alert::MemorySink sink;
  metrics::CounterSet m;
  Tracker t(TrackConfig{}, *CidrSet::Parse("10.0.0.0/8"), sink, m);
  DnsQueryEvent q;
  q.path.src_ip = *IpAddr::Parse("10.20.0.1");
  q.path.dest_ip = *IpAddr::Parse("10.0.0.53");
  const std::string names[] = {"www.google.com", "d1a2b3c4.cloudfront.net", "outlook.office365.com",
                               "mzxw6ytboi3dmnrvgy4tsmjqgeydcmrsgmztkobrgiytonzvha.t.tunnel-example.com"};
  Timestamp ts = kT0;
  std::size_t i = 0;
  for (auto _ : state) {
    q.ts = ts += 1'000'000;
    q.qname = names[i++ & 3];
    t.OnDnsQuery(q);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DnsQueries);

}  // namespace
}  // namespace vigie::track

int main(int argc, char** argv) {
  vigie::track::MemoryReport();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
