// DNS decoder on captures (generated pcaps/dns_*.pcap with sidecars, public dns-tcp-multirequest).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "app/dns/dns_session.h"
#include "app/mail_dns_tls_pcap_util.h"
#include "app/mail_dns_tls_test_util.h"

namespace vigie::app {
namespace {

using namespace testing;

nlohmann::json Sidecar(const std::string& path) {
  std::ifstream in(path + ".json");
  return nlohmann::json::parse(in);
}

void ExpectQueries(const TestContext& t, const nlohmann::json& want) {
  ASSERT_EQ(t.events.dns.size(), want["queries"].size());
  for (std::size_t i = 0; i < t.events.dns.size(); ++i) {
    EXPECT_EQ(t.events.dns[i].qname, want["queries"][i][0].get<std::string>());
    EXPECT_EQ(t.events.dns[i].qtype, want["queries"][i][1].get<int>());
    EXPECT_EQ(t.events.dns[i].path.src_ip, *IpAddr::Parse(want["client_ips"][0].get<std::string>()));
  }
  for (auto& [rcode, n] : want["responses"].items())
    EXPECT_EQ(CounterValue(t.set, "vigie_dns_responses_total", {{"rcode", rcode}}), n.get<int>()) << rcode;
  EXPECT_EQ(CounterValue(t.set, "vigie_dns_anomalies_total"), 0);
}

TEST(DnsPcap, UdpQueriesMatchSidecar) {
  const std::string path = PcapPath("dns_udp_queries.pcap");
  if (!HaveTshark() || !std::filesystem::exists(path)) {
    GTEST_SKIP() << "tshark or " << path << " missing";
  }
  TestContext t;
  auto want = Sidecar(path);
  for (const Datagram& d : UdpDatagrams(path)) {
    flow::Flow f = MakeFlow(53, 17);
    f.client.ip = *IpAddr::Parse(want["client_ips"][0].get<std::string>());
    HandleDnsDatagram(t.ctx, f, d.dport == 53 ? flow::Direction::kToServer : flow::Direction::kToClient, AsBytes(d.bytes));
  }
  ExpectQueries(t, want);
}

void PlayDnsTcp(TestContext& t, const std::string& path, const std::string& client_ip, std::size_t chunk) {
  for (const TcpStream& s : FollowTcpStreams(path)) {
    bool node0_is_client = s.Port(false) == 53;
    flow::Flow f = MakeFlow(53);
    if (!client_ip.empty()) f.client.ip = *IpAddr::Parse(client_ip);
    DnsTcpSession session(t.ctx, f);
    for (const Chunk& c : s.chunks) {
      flow::Direction dir = c.from_node0 == node0_is_client ? flow::Direction::kToServer : flow::Direction::kToClient;
      std::size_t n = chunk == 0 ? c.bytes.size() : chunk;
      for (std::size_t i = 0; i < c.bytes.size(); i += n)
        session.OnData(f, dir, AsBytes(std::string_view(c.bytes).substr(i, n)));
    }
    session.OnClose(f);
  }
}

TEST(DnsPcap, TcpMultiMatchesSidecarAnyChunking) {
  const std::string path = PcapPath("dns_tcp_multi.pcap");
  if (!HaveTshark() || !std::filesystem::exists(path)) {
    GTEST_SKIP() << "tshark or " << path << " missing";
  }
  auto want = Sidecar(path);
  for (std::size_t chunk : {0u, 1u, 2u}) {
    TestContext t;
    PlayDnsTcp(t, path, want["client_ips"][0].get<std::string>(), chunk);
    ExpectQueries(t, want);
  }
}

TEST(DnsPcap, PublicTcpMultiRequest) {
  const std::string path = PublicPcapPath("suricata-verify/dns-tcp-multirequest.pcap");
  if (!HaveTshark() || !std::filesystem::exists(path)) {
    GTEST_SKIP() << "tshark or " << path << " missing";
  }
  // What tshark decodes as queries is the reference.
  auto names = RunCommand("tshark -r '" + path + "' -Y 'dns.flags.response == 0' -T fields -e dns.qry.name 2>/dev/null");
  ASSERT_TRUE(names);
  std::vector<std::string> expected;
  std::istringstream in(*names);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream names_in(line);
    std::string n;
    while (std::getline(names_in, n, ','))
      if (!n.empty()) expected.push_back(n);
  }
  ASSERT_FALSE(expected.empty());
  TestContext whole, bytewise;
  PlayDnsTcp(whole, path, "", 0);
  PlayDnsTcp(bytewise, path, "", 1);
  ASSERT_EQ(whole.events.dns.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    std::string lower = expected[i];
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(whole.events.dns[i].qname, lower);
    EXPECT_EQ(bytewise.events.dns[i].qname, lower);
  }
}

}  // namespace
}  // namespace vigie::app
