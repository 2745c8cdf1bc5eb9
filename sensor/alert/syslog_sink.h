#pragma once
// RFC 5424 syslog over UDP, or TCP with RFC 6587 octet-counting framing ("LEN SP MSG").
// A Boost.Asio io_context runs on the sink's own thread; Write() only formats, pushes into a
// bounded queue and posts a wake-up, so the caller never blocks on the network. When the queue
// is full the alert is dropped and `vigie_alert_dropped_total{sink}` counts it (the only place
// alerts are dropped). TCP reconnects with exponential backoff; queued alerts wait meanwhile.
// Limits: a TCP write that the kernel accepted just before the peer died can be lost; UDP
// alerts sent while no listener exists are lost (UDP has no delivery).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "alert/sink.h"
#include "metrics/counters.h"

namespace vigie::alert {

struct SyslogOptions {
  enum class Transport { kUdp, kTcp };
  Transport transport = Transport::kUdp;
  std::string host = "127.0.0.1";  // literal address or name (resolved on the sink thread)
  std::uint16_t port = 514;
  std::size_t queue_capacity = 10000;  // alerts waiting to be sent; beyond → dropped + counted
  int facility = 16;                   // local0
  std::string app_name = "vigie";
  std::string hostname;  // empty → gethostname()
  std::chrono::milliseconds backoff_initial{200};
  std::chrono::milliseconds backoff_max{10000};
  std::chrono::milliseconds close_timeout{2000};  // destructor waits this long to drain
  std::string label = "syslog";  // value of the {sink} label on metrics
};

class SyslogSink : public AlertSink {
 public:
  SyslogSink(SyslogOptions opts, metrics::CounterSet& metrics);
  ~SyslogSink() override;
  SyslogSink(const SyslogSink&) = delete;
  SyslogSink& operator=(const SyslogSink&) = delete;

  void Write(const Alert& a) override;
  // Waits (bounded by close_timeout) until every queued alert was handed to the kernel.
  void Flush() override;

  // The RFC 5424 message (without TCP framing); public for tests.
  static std::string Format(const Alert& a, int facility, const std::string& hostname, const std::string& app_name);

 private:
  struct Io;  // Boost.Asio state, touched only on the sink thread
  // Sink-thread functions.
  void OnKick();
  void SendUdp();
  void PumpTcp();
  void StartConnect();
  void ScheduleReconnect();
  void WatchForClose();
  void PopFront();
  SyslogOptions opts_;
  std::string hostname_;
  metrics::Cell& dropped_;
  metrics::Cell& sent_;
  metrics::Cell& errors_;

  std::mutex mu_;
  std::condition_variable drained_;
  std::deque<std::string> queue_;  // guarded by mu_
  bool in_flight_ = false;         // front of queue_ is being written (mu_)
  bool kick_pending_ = false;      // a wake-up is already posted (mu_)

  std::unique_ptr<Io> io_;
  std::thread thread_;
};

}  // namespace vigie::alert
