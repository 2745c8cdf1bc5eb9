#include "alert/syslog_sink.h"

#include <unistd.h>

#include <algorithm>
#include <array>

#include <boost/asio.hpp>

#include "alert/alert_json.h"

namespace vigie::alert {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

int SyslogSeverity(Severity s) {
  switch (s) {
    case Severity::kCritical: return 2;  // crit
    case Severity::kHigh: return 3;      // err
    case Severity::kMedium: return 4;    // warning
    case Severity::kLow: return 5;       // notice
  }
  return 4;
}

// RFC 5424 header fields are PRINTUSASCII without spaces; anything else becomes '_'.
std::string HeaderField(std::string_view v, std::size_t max) {
  if (v.empty()) return "-";
  std::string out(v.substr(0, max));
  for (char& c : out)
    if (c < 33 || c > 126) c = '_';
  return out;
}

}  // namespace

struct SyslogSink::Io {
  asio::io_context ctx;
  asio::executor_work_guard<asio::io_context::executor_type> work{ctx.get_executor()};
  udp::socket usock{ctx};
  udp::endpoint uep;
  bool udp_ready = false;
  tcp::socket tsock{ctx};
  asio::steady_timer retry{ctx};
  std::chrono::milliseconds backoff{0};
  bool connected = false, connecting = false, retry_pending = false, writing = false;
  std::string current;  // framed message being written
  std::array<char, 256> sink_buf{};
};

SyslogSink::SyslogSink(SyslogOptions opts, metrics::CounterSet& metrics)
    : opts_(std::move(opts)),
      dropped_(metrics.Counter("vigie_alert_dropped_total", "Alerts dropped because a sink queue was full",
                               {{"sink", opts_.label}})),
      sent_(metrics.Counter("vigie_alert_sent_total", "Alerts handed to the network by a sink", {{"sink", opts_.label}})),
      errors_(metrics.Counter("vigie_alert_send_errors_total", "Connect/send failures of a network sink",
                              {{"sink", opts_.label}})),
      io_(std::make_unique<Io>()) {
  hostname_ = opts_.hostname;
  if (hostname_.empty()) {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) == 0) hostname_ = buf;
  }
  io_->backoff = opts_.backoff_initial;
  thread_ = std::thread([this] { io_->ctx.run(); });
}

SyslogSink::~SyslogSink() {
  Flush();
  asio::post(io_->ctx, [this] {
    boost::system::error_code ec;
    io_->retry.cancel();
    io_->tsock.close(ec);
    io_->usock.close(ec);
    io_->work.reset();
    io_->ctx.stop();
  });
  thread_.join();
}

std::string SyslogSink::Format(const Alert& a, int facility, const std::string& hostname, const std::string& app_name) {
  std::string msg = "<" + std::to_string(facility * 8 + SyslogSeverity(a.severity)) + ">1 ";
  msg += FormatIso8601(a.ts);
  msg += ' ';
  msg += HeaderField(hostname, 255);
  msg += ' ';
  msg += HeaderField(app_name, 48);
  msg += ' ';
  msg += std::to_string(getpid());
  msg += ' ';
  msg += HeaderField(a.rule, 32);
  msg += " - ";
  msg += ToJson(a);
  return msg;
}

void SyslogSink::Write(const Alert& a) {
  std::string msg = Format(a, opts_.facility, hostname_, opts_.app_name);
  if (opts_.transport == SyslogOptions::Transport::kTcp) msg = std::to_string(msg.size()) + " " + msg;
  bool post = false;
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= opts_.queue_capacity) {
      dropped_.Inc();  // under mu_: one writer at a time
      return;
    }
    queue_.push_back(std::move(msg));
    if (!kick_pending_) post = kick_pending_ = true;
  }
  if (post) asio::post(io_->ctx, [this] { OnKick(); });
}

void SyslogSink::OnKick() {
  {
    std::lock_guard lock(mu_);
    kick_pending_ = false;
  }
  if (opts_.transport == SyslogOptions::Transport::kUdp) {
    SendUdp();
  } else {
    PumpTcp();
  }
}

void SyslogSink::PopFront() {
  std::lock_guard lock(mu_);
  if (!queue_.empty()) queue_.pop_front();
  in_flight_ = false;
  drained_.notify_all();
}

void SyslogSink::SendUdp() {
  Io& io = *io_;
  boost::system::error_code ec;
  if (!io.udp_ready) {
    udp::resolver r(io.ctx);
    auto res = r.resolve(opts_.host, std::to_string(opts_.port), ec);
    if (!ec && !res.empty()) {
      io.uep = *res.begin();
      io.usock.open(io.uep.protocol(), ec);
      io.udp_ready = !ec;
    }
  }
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (queue_.empty()) return;
      io.current = queue_.front();
      in_flight_ = true;
    }
    // Unconnected send_to: an ICMP unreachable from a missing listener does not poison later
    // sends. Datagrams are never retried (UDP has no delivery guarantee anyway).
    if (io.udp_ready) io.usock.send_to(asio::buffer(io.current), io.uep, 0, ec);
    if (!io.udp_ready || ec) {
      errors_.Inc();
    } else {
      sent_.Inc();
    }
    PopFront();
  }
}

void SyslogSink::PumpTcp() {
  Io& io = *io_;
  if (io.writing) return;
  if (!io.connected) {
    if (!io.connecting && !io.retry_pending) StartConnect();
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (queue_.empty()) return;
    io.current = queue_.front();  // popped only once written: a failed write is retried
    in_flight_ = true;
  }
  io.writing = true;
  asio::async_write(io.tsock, asio::buffer(io.current), [this](boost::system::error_code ec, std::size_t) {
    Io& io = *io_;
    io.writing = false;
    if (ec) {
      errors_.Inc();
      {
        std::lock_guard lock(mu_);
        in_flight_ = false;
      }
      if (io.connected) {
        boost::system::error_code ignored;
        io.tsock.close(ignored);
        io.connected = false;
        ScheduleReconnect();
      }
      return;
    }
    sent_.Inc();
    PopFront();
    PumpTcp();
  });
}

void SyslogSink::StartConnect() {
  Io& io = *io_;
  io.connecting = true;
  boost::system::error_code ec;
  tcp::resolver r(io.ctx);
  auto res = r.resolve(opts_.host, std::to_string(opts_.port), ec);
  if (ec || res.empty()) {
    io.connecting = false;
    errors_.Inc();
    ScheduleReconnect();
    return;
  }
  asio::async_connect(io.tsock, res, [this](boost::system::error_code ec, const tcp::endpoint&) {
    Io& io = *io_;
    io.connecting = false;
    if (ec) {
      errors_.Inc();
      boost::system::error_code ignored;
      io.tsock.close(ignored);
      ScheduleReconnect();
      return;
    }
    io.connected = true;
    io.backoff = opts_.backoff_initial;
    WatchForClose();
    PumpTcp();
  });
}

void SyslogSink::ScheduleReconnect() {
  Io& io = *io_;
  if (io.retry_pending) return;
  io.retry_pending = true;
  io.retry.expires_after(io.backoff);
  io.backoff = std::min(io.backoff * 2, opts_.backoff_max);
  io.retry.async_wait([this](boost::system::error_code ec) {
    io_->retry_pending = false;
    if (ec) return;  // cancelled at shutdown
    PumpTcp();
  });
}

// Syslog receivers never talk back; a completed read means the peer closed (or reset), which
// we want to learn before the next alert rather than after losing it in a dead socket.
void SyslogSink::WatchForClose() {
  Io& io = *io_;
  io.tsock.async_read_some(asio::buffer(io.sink_buf), [this](boost::system::error_code ec, std::size_t) {
    Io& io = *io_;
    if (!ec) {
      WatchForClose();
      return;
    }
    if (ec == asio::error::operation_aborted || !io.connected) return;
    boost::system::error_code ignored;
    io.tsock.close(ignored);  // also aborts a pending write, which then sees connected == false
    io.connected = false;
    ScheduleReconnect();
  });
}

void SyslogSink::Flush() {
  std::unique_lock lock(mu_);
  drained_.wait_for(lock, opts_.close_timeout, [this] { return queue_.empty() && !in_flight_; });
}

}  // namespace vigie::alert
