// The syslog sink against real Boost.Asio listeners on 127.0.0.1 (ephemeral ports).
#include "alert/syslog_sink.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <thread>

#include "alert/alert_json.h"

namespace vigie::alert {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using namespace std::chrono_literals;

Alert Numbered(int i) {
  Alert a;
  a.ts = Seconds(1707214502);
  a.rule = "exfil.entity_bytes";
  a.severity = Severity::kMedium;
  a.entity = {EntityKind::kIp, "10.0.0." + std::to_string(i)};
  a.message = "alert " + std::to_string(i);
  return a;
}

std::int64_t Sum(const metrics::CounterSet& m, const std::string& name) {
  std::int64_t n = 0;
  for (const auto& s : m.Read())
    if (s.name == name) n += s.value;
  return n;
}

// Reads octet-counted frames ("LEN SP MSG") from a connected socket until `want` or timeout.
std::vector<std::string> ReadFrames(tcp::socket& s, std::size_t want) {
  std::vector<std::string> out;
  std::string buf;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  s.non_blocking(true);
  while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
    char tmp[4096];
    boost::system::error_code ec;
    std::size_t n = s.read_some(asio::buffer(tmp), ec);
    if (ec == asio::error::would_block) {
      std::this_thread::sleep_for(5ms);
      continue;
    }
    if (ec) break;
    buf.append(tmp, n);
    for (;;) {
      auto sp = buf.find(' ');
      if (sp == std::string::npos) break;
      std::size_t len = std::stoul(buf.substr(0, sp));
      if (buf.size() < sp + 1 + len) break;
      out.push_back(buf.substr(sp + 1, len));
      buf.erase(0, sp + 1 + len);
    }
  }
  return out;
}

TEST(SyslogSink, UdpDeliversOneDatagramPerAlert) {
  asio::io_context ctx;
  udp::socket server(ctx, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  metrics::CounterSet m;
  SyslogOptions o;
  o.transport = SyslogOptions::Transport::kUdp;
  o.port = server.local_endpoint().port();
  o.hostname = "h";
  SyslogSink sink(o, m);
  for (int i = 0; i < 3; ++i) sink.Write(Numbered(i));
  sink.Flush();
  for (int i = 0; i < 3; ++i) {
    char buf[65536];
    udp::endpoint from;
    std::size_t n = server.receive_from(asio::buffer(buf), from);
    std::string msg(buf, n);
    EXPECT_EQ(msg, SyslogSink::Format(Numbered(i), 16, "h", "vigie"));
  }
  EXPECT_EQ(Sum(m, "vigie_alert_dropped_total"), 0);
  EXPECT_EQ(Sum(m, "vigie_alert_sent_total"), 3);
}

TEST(SyslogSink, TcpOctetCountingFraming) {
  asio::io_context ctx;
  tcp::acceptor acc(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  metrics::CounterSet m;
  SyslogOptions o;
  o.transport = SyslogOptions::Transport::kTcp;
  o.port = acc.local_endpoint().port();
  o.hostname = "h";
  SyslogSink sink(o, m);
  for (int i = 0; i < 5; ++i) sink.Write(Numbered(i));
  tcp::socket peer = acc.accept();
  auto frames = ReadFrames(peer, 5);
  ASSERT_EQ(frames.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(frames[i], SyslogSink::Format(Numbered(i), 16, "h", "vigie"));
}

TEST(SyslogSink, TcpServerStartingLateAndRestartingGetsEverything) {
  asio::io_context ctx;
  std::uint16_t port;
  {
    tcp::acceptor probe(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }  // closed: nothing listens there now
  metrics::CounterSet m;
  SyslogOptions o;
  o.transport = SyslogOptions::Transport::kTcp;
  o.port = port;
  o.hostname = "h";
  o.backoff_initial = 20ms;
  o.backoff_max = 200ms;
  SyslogSink sink(o, m);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) sink.Write(Numbered(i));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms) << "Write must not block";
  std::this_thread::sleep_for(300ms);  // several failed connects
  EXPECT_GT(Sum(m, "vigie_alert_send_errors_total"), 0);

  tcp::acceptor acc(ctx);
  acc.open(tcp::v4());
  acc.set_option(tcp::acceptor::reuse_address(true));
  acc.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  acc.listen();
  {
    tcp::socket peer = acc.accept();
    auto frames = ReadFrames(peer, 4);
    ASSERT_EQ(frames.size(), 4u);
    EXPECT_NE(frames[3].find("alert 3"), std::string::npos);
  }  // server drops the connection
  std::this_thread::sleep_for(100ms);  // the sink notices the close
  sink.Write(Numbered(9));
  tcp::socket peer2 = acc.accept();
  auto frames = ReadFrames(peer2, 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_NE(frames[0].find("alert 9"), std::string::npos);
  EXPECT_EQ(Sum(m, "vigie_alert_dropped_total"), 0);
}

TEST(SyslogSink, FullQueueDropsAndCountsWithoutBlocking) {
  asio::io_context ctx;
  std::uint16_t port;
  {
    tcp::acceptor probe(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }
  metrics::CounterSet m;
  SyslogOptions o;
  o.transport = SyslogOptions::Transport::kTcp;
  o.port = port;
  o.queue_capacity = 3;
  o.close_timeout = 50ms;
  o.label = "siem";
  {
    SyslogSink sink(o, m);
    for (int i = 0; i < 10; ++i) sink.Write(Numbered(i));
  }
  EXPECT_EQ(Sum(m, "vigie_alert_dropped_total"), 7);
  bool labelled = false;
  for (const auto& s : m.Read())
    if (s.name == "vigie_alert_dropped_total") labelled = s.labels == metrics::Labels{{"sink", "siem"}};
  EXPECT_TRUE(labelled);
}

}  // namespace
}  // namespace vigie::alert
