#include "pipeline/pipeline.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "alert/sink.h"
#include "alert/syslog_sink.h"
#include "capture/live_source.h"
#include "capture/pcap_file_source.h"
#include "core/error.h"
#include "core/spsc_ring.h"
#include "metrics/exporter.h"
#include "pipeline/dispatch.h"
#include "pipeline/worker.h"
#include "track/tracker.h"

#ifndef VIGIE_VERSION
#define VIGIE_VERSION "dev"
#endif

namespace vigie::pipeline {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<std::uint64_t> g_reload_generation{0};

void DropPrivileges(const std::string& user) {
  if (user.empty() || geteuid() != 0) return;
  passwd* pw = getpwnam(user.c_str());
  if (!pw) throw StartupError("user '" + user + "' does not exist");
  if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
    throw StartupError("cannot switch to user '" + user + "'");
}

// "udp://host:514" or "tcp://host:601" (scheme validated by the config loader).
alert::SyslogOptions ParseSyslogUrl(const std::string& url) {
  alert::SyslogOptions o;
  o.transport = url.rfind("tcp://", 0) == 0 ? alert::SyslogOptions::Transport::kTcp
                                            : alert::SyslogOptions::Transport::kUdp;
  std::string rest = url.substr(6);
  auto colon = rest.rfind(':');
  if (colon == std::string::npos || (rest.find(']') != std::string::npos && colon < rest.find(']'))) {
    o.host = rest;
    o.port = o.transport == alert::SyslogOptions::Transport::kTcp ? 601 : 514;
  } else {
    o.host = rest.substr(0, colon);
    int port = std::atoi(rest.c_str() + colon + 1);
    if (port <= 0 || port > 65535) throw StartupError("output.syslog: bad port in " + url);
    o.port = static_cast<std::uint16_t>(port);
  }
  if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']') o.host = o.host.substr(1, o.host.size() - 2);
  return o;
}

std::unique_ptr<alert::AlertSink> MakeAlertSink(const config::Config& cfg, metrics::CounterSet& counters) {
  auto multi = std::make_unique<alert::MultiSink>();
  multi->Add(std::make_unique<alert::FileSink>(cfg.output.alerts));
  if (!cfg.output.syslog.empty())
    multi->Add(std::make_unique<alert::SyslogSink>(ParseSyslogUrl(cfg.output.syslog), counters));
  return multi;
}

// Signals and reloads run on a Boost.Asio control thread, never on the packet path.
class ControlPlane {
 public:
  ControlPlane(const config::Config& cfg, alert::AlertSink& alerts, track::Tracker& tracker,
               std::vector<capture::PacketSource*> sources)
      : cfg_(cfg),
        alerts_(alerts),
        tracker_(tracker),
        sources_(std::move(sources)),
        signals_(io_, SIGINT, SIGTERM, SIGHUP) {
    Arm();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ControlPlane() {
    io_.stop();
    thread_.join();
  }
  std::shared_ptr<const match::PiiEngine> TakeEngine() {
    std::lock_guard lock(mu_);
    return pending_engine_;
  }

 private:
  void Arm() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        try {
          // Re-read the configuration file for rule thresholds and signature settings; the
          // rest (capture, workers, outputs) needs a restart.
          config::Config fresh = cfg_;
          if (!cfg_.config_path.empty()) fresh = config::LoadFile(cfg_.config_path, config::Defaults());
          auto engine = match::LoadPiiEngine(fresh.signatures, fresh.pii);
          tracker_.UpdateRules(fresh.track);
          {
            std::lock_guard lock(mu_);
            pending_engine_ = std::move(engine);
          }
          g_reload_generation.fetch_add(1);
          std::fprintf(stderr, "vigie: SIGHUP: signatures and rule thresholds reloaded\n");
        } catch (const std::exception& e) {
          std::fprintf(stderr, "vigie: SIGHUP: reload refused, keeping the running signatures: %s\n", e.what());
        }
        alerts_.Reopen();
      } else {
        g_stop.store(true);
        for (auto* s : sources_) s->BreakLoop();
      }
      Arm();
    });
  }

  const config::Config& cfg_;
  alert::AlertSink& alerts_;
  track::Tracker& tracker_;
  std::vector<capture::PacketSource*> sources_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  std::thread thread_;
  std::mutex mu_;
  std::shared_ptr<const match::PiiEngine> pending_engine_;
};

struct Shared {
  std::shared_ptr<metrics::Registry> registry = std::make_shared<metrics::Registry>();
  std::shared_ptr<metrics::ProcessCollector> process = std::make_shared<metrics::ProcessCollector>(VIGIE_VERSION);
};

void WriteMetricsFile(const config::Config& cfg, const Shared& sh) {
  if (cfg.output.metrics_file.empty()) return;
  std::string tmp = cfg.output.metrics_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << metrics::ExpositionText(*sh.registry, *sh.process);
    if (!out) {
      std::fprintf(stderr, "vigie: cannot write metrics file %s\n", cfg.output.metrics_file.c_str());
      return;
    }
  }
  std::rename(tmp.c_str(), cfg.output.metrics_file.c_str());
}

void PrintSummary(const Shared& sh) {
  const auto& r = *sh.registry;
  std::fprintf(stderr,
               "vigie: summary: %lld packets, %lld bytes, %lld flows, %lld kernel drops, %lld decode anomalies, "
               "%lld reassembly gaps, %lld PII matches, %lld records, %lld alerts\n",
               static_cast<long long>(r.Total("vigie_capture_packets_total")),
               static_cast<long long>(r.Total("vigie_capture_bytes_total")),
               static_cast<long long>(r.Total("vigie_flow_created_total")),
               static_cast<long long>(r.Total("vigie_capture_kernel_drops_total")),
               static_cast<long long>(r.Total("vigie_decode_anomalies_total")),
               static_cast<long long>(r.Total("vigie_reassembly_gaps_total")),
               static_cast<long long>(r.Total("vigie_pii_matches_total")),
               static_cast<long long>(r.Total("vigie_pii_records_total")),
               static_cast<long long>(r.Total("vigie_alerts_total")));
}

// Sleeps so packets are processed at `speed` times their capture pace.
class Pacer {
 public:
  explicit Pacer(double speed) : speed_(speed) {}
  void Wait(Timestamp ts) {
    if (speed_ <= 0) return;
    auto now = std::chrono::steady_clock::now();
    if (first_ts_ == 0) {
      first_ts_ = ts;
      start_ = now;
      return;
    }
    auto due = start_ + std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(ts - first_ts_) / speed_));
    while (due > std::chrono::steady_clock::now() && !g_stop.load(std::memory_order_relaxed))
      std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(due - std::chrono::steady_clock::now(),
                                                                     std::chrono::milliseconds(100)));
  }

 private:
  double speed_;
  Timestamp first_ts_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

void CheckConfig(const config::Config& cfg) {
  match::LoadPiiEngine(cfg.signatures, cfg.pii);
  for (const auto& f : cfg.capture.read_files) {
    std::ifstream probe(f);
    if (!probe) throw StartupError("cannot open capture file " + f);
  }
}

int Run(const config::Config& cfg) {
  Shared sh;
  auto engine = match::LoadPiiEngine(cfg.signatures, cfg.pii);
  auto& main_counters = *sh.registry->NewSet();

  // Open every input first: a bad file is a start-up error before any output is written.
  std::vector<std::unique_ptr<capture::PacketSource>> sources;
  const bool live = cfg.capture.read_files.empty();
  if (live) {
    for (std::uint32_t i = 0; i < cfg.workers; ++i) {
      capture::LiveConfig lc;
      lc.interface = cfg.capture.interface;
      lc.snaplen = static_cast<int>(cfg.capture.snaplen);
      lc.buffer_bytes = static_cast<int>(std::min<std::uint64_t>(std::uint64_t{cfg.capture.buffer_mib} << 20, 1u << 30));
      lc.bpf_filter = cfg.capture.bpf;
      lc.fanout_group = cfg.workers > 1 ? static_cast<int>(getpid() & 0xffff) : -1;
      lc.iface_index = static_cast<std::uint16_t>(i);
      sources.push_back(std::make_unique<capture::LiveSource>(lc, main_counters));
    }
  } else {
    std::uint16_t idx = 0;
    for (const auto& f : cfg.capture.read_files)
      sources.push_back(std::make_unique<capture::PcapFileSource>(f, main_counters, idx++));
  }
  auto alerts = MakeAlertSink(cfg, main_counters);
  track::Tracker tracker(cfg.track, cfg.home_net, *alerts, main_counters);
  if (!cfg.output.state_dir.empty()) tracker.LoadSnapshot(cfg.output.state_dir);
  std::unique_ptr<FlowLog> flow_log;
  if (!cfg.output.flow_log.empty()) flow_log = std::make_unique<FlowLog>(cfg.output.flow_log);
  std::unique_ptr<metrics::Exporter> exporter;
  if (!cfg.output.metrics_listen.empty())
    exporter = std::make_unique<metrics::Exporter>(cfg.output.metrics_listen, sh.registry, sh.process);
  // Capture handles, output files and the metrics socket are open: root is no longer needed.
  // (The state directory must be writable by `user`: snapshots are written later.)
  DropPrivileges(cfg.user);

  std::vector<std::unique_ptr<Worker>> workers;
  for (std::uint32_t i = 0; i < cfg.workers; ++i)
    workers.push_back(std::make_unique<Worker>(cfg, engine, tracker, flow_log.get(), *sh.registry->NewSet()));

  std::vector<capture::PacketSource*> raw_sources;
  for (auto& s : sources) raw_sources.push_back(s.get());
  ControlPlane control(cfg, *alerts, tracker, raw_sources);

  auto maybe_reload = [&](Worker& w, std::uint64_t& seen) {
    auto gen = g_reload_generation.load(std::memory_order_relaxed);
    if (gen == seen) return;
    seen = gen;
    if (auto e = control.TakeEngine()) w.ReloadEngine(std::move(e));
  };

  if (live) {
    // One thread per worker, each reading its own fanout member.
    std::vector<std::thread> threads;
    for (std::uint32_t i = 0; i < cfg.workers; ++i) {
      threads.emplace_back([&, i] {
        std::uint64_t seen = 0;
        auto& src = *sources[i];
        auto& w = *workers[i];
        auto idle_since = std::chrono::steady_clock::now();
        while (!g_stop.load(std::memory_order_relaxed)) {
          auto r = src.Next();
          if (r.status == capture::ReadStatus::kEnd) break;
          maybe_reload(w, seen);
          if (r.status == capture::ReadStatus::kTimeout) {
            // Idle link: let timeouts progress with the wall clock.
            auto now = std::chrono::steady_clock::now();
            if (w.last_ts() && now - idle_since > std::chrono::seconds(1)) {
              w.Tick(w.last_ts() + std::chrono::duration_cast<std::chrono::nanoseconds>(now - idle_since).count());
            }
            src.Stats();
            continue;
          }
          idle_since = std::chrono::steady_clock::now();
          w.Process(r.packet);
          tracker.Advance(r.packet.ts);
        }
        src.Stats();
        w.Finish();
      });
    }
    for (auto& t : threads) t.join();
  } else if (cfg.workers == 1) {
    Pacer pacer(cfg.capture.replay_speed);
    std::uint64_t seen = 0;
    auto& w = *workers[0];
    for (auto& src : sources) {
      while (!g_stop.load(std::memory_order_relaxed)) {
        auto r = src->Next();
        if (r.status != capture::ReadStatus::kPacket) break;
        pacer.Wait(r.packet.ts);
        maybe_reload(w, seen);
        w.Process(r.packet);
        tracker.Advance(r.packet.ts);  // returns at once unless a packet-second has passed
      }
    }
    w.Finish();
  } else {
    Dispatcher dispatcher(workers, [&](Worker& w, std::uint64_t& seen) { maybe_reload(w, seen); }, g_stop);
    Pacer pacer(cfg.capture.replay_speed);
    for (auto& src : sources) {
      while (!g_stop.load(std::memory_order_relaxed)) {
        auto r = src->Next();
        if (r.status != capture::ReadStatus::kPacket) break;
        pacer.Wait(r.packet.ts);
        dispatcher.Dispatch(r.packet);
        tracker.Advance(r.packet.ts);
      }
    }
    dispatcher.Finish();
  }

  Timestamp end_ts = 0;
  for (auto& w : workers) end_ts = std::max(end_ts, w->last_ts());
  tracker.Advance(end_ts);
  if (!cfg.output.state_dir.empty()) tracker.SaveSnapshot(cfg.output.state_dir);
  alerts->Flush();
  WriteMetricsFile(cfg, sh);
  PrintSummary(sh);
  return 0;
}

}  // namespace vigie::pipeline
