// TLS decoder on captures (generated pcaps/tls_*.pcap with sidecar, public
// tls-client-hello-frag-mtu300).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "app/mail_dns_tls_pcap_util.h"
#include "app/mail_dns_tls_test_util.h"
#include "app/tls/tls_session.h"

namespace vigie::app {
namespace {

using namespace testing;

struct Seen {
  std::string sni, ja4;
  std::vector<std::string> alpn;
};

std::vector<Seen> PlayTls(TestContext& t, const std::string& path, std::size_t chunk) {
  std::vector<Seen> out;
  for (const TcpStream& s : FollowTcpStreams(path)) {
    bool node0_is_client = s.Port(false) == 443;
    if (!node0_is_client && s.Port(true) != 443) continue;
    flow::Flow f = MakeFlow(443);
    TlsSession session(t.ctx, f);
    for (const Chunk& c : s.chunks) {
      flow::Direction dir = c.from_node0 == node0_is_client ? flow::Direction::kToServer : flow::Direction::kToClient;
      std::size_t n = chunk == 0 ? c.bytes.size() : chunk;
      for (std::size_t i = 0; i < c.bytes.size(); i += n)
        session.OnData(f, dir, AsBytes(std::string_view(c.bytes).substr(i, n)));
    }
    session.OnClose(f);
    if (session.hello_seen()) out.push_back({std::string(session.sni()), std::string(session.ja4()), session.alpn()});
  }
  return out;
}

TEST(TlsPcap, GeneratedHelloMatchesSidecar) {
  const std::string path = PcapPath("tls_client_hello_split.pcap");
  if (!HaveTshark() || !std::filesystem::exists(path)) {
    GTEST_SKIP() << "tshark or " << path << " missing";
  }
  std::ifstream in(path + ".json");
  auto want = nlohmann::json::parse(in);
  for (std::size_t chunk : {0u, 1u}) {
    TestContext t;
    auto seen = PlayTls(t, path, chunk);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].sni, want["sni"].get<std::string>());
    EXPECT_EQ(seen[0].ja4, want["ja4"].get<std::string>());
    EXPECT_EQ(seen[0].alpn, want["alpn"].get<std::vector<std::string>>());
    EXPECT_EQ(CounterValue(t.set, "vigie_tls_anomalies_total"), 0);
  }
}

TEST(TlsPcap, PublicFragmentedHello) {
  const std::string path = PublicPcapPath("suricata-verify/tls-client-hello-frag-mtu300.pcap");
  if (!HaveTshark() || !std::filesystem::exists(path)) {
    GTEST_SKIP() << "tshark or " << path << " missing";
  }
  TestContext t;
  auto seen = PlayTls(t, path, 0);
  ASSERT_GE(seen.size(), 1u);
  EXPECT_EQ(seen[0].sni, "www.google.com");
  EXPECT_EQ(seen[0].ja4.size(), 36u);
  TestContext t1;
  auto bytewise = PlayTls(t1, path, 1);
  ASSERT_EQ(bytewise.size(), seen.size());
  EXPECT_EQ(bytewise[0].ja4, seen[0].ja4);
}

}  // namespace
}  // namespace vigie::app
