// SMTP decoder on captures: the project's generated ones (pcaps/smtp_*.pcap, checked against
// their .json sidecars) and public ones ($VIGIE_PUBLIC_PCAPS). Streams come from tshark;
// skipped when tshark or the files are absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "app/mail_dns_tls_pcap_util.h"
#include "app/mail_dns_tls_test_util.h"
#include "app/smtp/smtp_session.h"

namespace vigie::app {
namespace {

using namespace testing;

// Plays every TCP stream to an SmtpSession (the server is the endpoint with the lower port).
void PlaySmtp(TestContext& t, const std::string& path, std::size_t chunk = 0) {
  for (const TcpStream& s : FollowTcpStreams(path)) {
    bool node0_is_client = s.Port(true) > s.Port(false);
    std::uint16_t server_port = node0_is_client ? s.Port(false) : s.Port(true);
    if (server_port != 25 && server_port != 587 && server_port != 2525) continue;
    flow::Flow f = MakeFlow(server_port);
    SmtpSession session(t.ctx, f);
    for (const Chunk& c : s.chunks) {
      flow::Direction dir = c.from_node0 == node0_is_client ? flow::Direction::kToServer : flow::Direction::kToClient;
      std::size_t n = chunk == 0 ? c.bytes.size() : chunk;
      for (std::size_t i = 0; i < c.bytes.size(); i += n)
        session.OnData(f, dir, AsBytes(std::string_view(c.bytes).substr(i, n)));
    }
    session.OnClose(f);
  }
}

nlohmann::json Sidecar(const std::string& path) {
  std::ifstream in(path + ".json");
  return nlohmann::json::parse(in);
}

std::shared_ptr<const match::PiiEngine> Engine() {
  try {
    return match::LoadPiiEngine(std::string(VIGIE_SOURCE_DIR) + "/signatures/pii.yaml", {});
  } catch (const std::exception&) {
    return nullptr;
  }
}

class SmtpGeneratedPcap : public ::testing::TestWithParam<const char*> {};

TEST_P(SmtpGeneratedPcap, MatchesSidecar) {
  const std::string path = PcapPath(GetParam());
  if (!HaveTshark() || !std::filesystem::exists(path)) {
    GTEST_SKIP() << "tshark or " << path << " missing";
  }
  nlohmann::json want = Sidecar(path);
  auto engine = Engine();
  for (std::size_t chunk : {0u, 1u}) {
    TestContext t;
    std::unique_ptr<match::Scanner> scanner;
    if (engine && chunk == 0) {
      scanner = std::make_unique<match::Scanner>(engine, t.set);
      t.ctx.scanner = scanner.get();
    }
    PlaySmtp(t, path, chunk);
    ASSERT_EQ(t.events.transactions.size(), want["smtp"]["messages"].get<std::size_t>());
    EXPECT_EQ(CounterValue(t.set, "vigie_smtp_attachments_total"), want["smtp"]["attachments"].get<int>());
    EXPECT_EQ(CounterValue(t.set, "vigie_smtp_starttls_total"), want["smtp"].value("starttls", 0));
    EXPECT_EQ(CounterValue(t.set, "vigie_smtp_anomalies_total"), 0);
    EXPECT_EQ(CounterValue(t.set, "vigie_mime_anomalies_total"), 0);
    if (t.events.transactions.empty()) continue;
    const auto& e = t.events.transactions[0];
    EXPECT_EQ(e.detail, want["detail"].get<std::string>());
    EXPECT_EQ(e.bytes, want["decoded_bytes"].get<std::uint64_t>());
    EXPECT_EQ(e.account, want["accounts"].empty() ? std::string() : want["accounts"][0].get<std::string>());
    if (scanner) {
      EXPECT_EQ(e.pii.matches[static_cast<std::size_t>(match::PiiType::kNir)], want["by_type"]["nir"].get<std::uint32_t>());
      EXPECT_EQ(e.pii.records.size(), want["people"].get<std::size_t>());
      // Each part is read from its start (ScanStream::NextPart): a CSV attachment after the
      // text part is read column by column from its header, its fields validated whole, so
      // nothing in it is a rejected look-alike (read as text, the digits of its IBANs were card
      // and NIR candidates: 77 rejected in smtp_attachment_csv).
      std::uint32_t rejected = 0;
      for (std::uint32_t r : e.pii.rejected) rejected += r;
      EXPECT_EQ(rejected, 0u);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Pcaps, SmtpGeneratedPcap,
                         ::testing::Values("smtp_attachment_csv.pcap", "smtp_bdat_chunking.pcap", "smtp_starttls.pcap"));

struct PublicCase {
  const char* file;
  std::size_t min_messages;
  const char* attachment;  // expected in some event's detail ("" = none checked)
};

class SmtpPublicPcap : public ::testing::TestWithParam<PublicCase> {};

TEST_P(SmtpPublicPcap, MessagesAndAttachments) {
  const PublicCase& c = GetParam();
  const std::string path = PublicPcapPath(c.file);
  if (!HaveTshark() || !std::filesystem::exists(path)) {
    GTEST_SKIP() << "tshark or " << path << " missing";
  }
  TestContext whole;
  PlaySmtp(whole, path);
  ASSERT_GE(whole.events.transactions.size(), c.min_messages);
  std::string details;
  for (const auto& e : whole.events.transactions) details += e.detail + " [" + std::to_string(e.bytes) + " B]\n";
  if (std::getenv("VIGIE_TEST_VERBOSE") != nullptr) std::printf("%s", details.c_str());
  if (*c.attachment != '\0') {
    EXPECT_NE(details.find(c.attachment), std::string::npos) << details;
  }
  // Same result one byte at a time.
  TestContext bytewise;
  PlaySmtp(bytewise, path, 1);
  ASSERT_EQ(bytewise.events.transactions.size(), whole.events.transactions.size());
  for (std::size_t i = 0; i < whole.events.transactions.size(); ++i) {
    EXPECT_EQ(bytewise.events.transactions[i].detail, whole.events.transactions[i].detail);
    EXPECT_EQ(bytewise.events.transactions[i].bytes, whole.events.transactions[i].bytes);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Public, SmtpPublicPcap,
    ::testing::Values(PublicCase{"suricata-verify/smtp-rfc2231-base64.pcap", 1, "aefb2fc1308d62f4b6c74769f69b13ddf80e995fd98ae442f3be499ea928c67f..zip"},
                      PublicCase{"suricata-verify/smtp-mime-quoted-printable.pcap", 1, "related.patch (34224 B)"},
                      PublicCase{"suricata-verify/smtp-url-base64.pcap", 1, ""},
                      PublicCase{"suricata-verify/smtp-bdat-multichunk.pcap", 1, ""},
                      PublicCase{"zeek/smtp.pcap", 1, "NEWS.txt"},
                      PublicCase{"zeek/smtp-attachment-msg.pcap", 1, "test.msg"},
                      PublicCase{"zeek/smtp-bdat-multipart-chunked.pcap", 1, "zeek-logo.png"},
                      PublicCase{"chrissanders-packets/mail_sender_attachment.pcapng", 1, "newguy.jpg"}));

}  // namespace
}  // namespace vigie::app
