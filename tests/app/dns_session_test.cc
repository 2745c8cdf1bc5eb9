#include "app/dns/dns_session.h"

#include <gtest/gtest.h>

#include <string>

#include "app/mail_dns_tls_test_util.h"

namespace vigie::app::dns {
namespace {

using testing::CounterValue;
using testing::MakeFlow;
using testing::TestContext;

std::string Be16(std::uint16_t v) { return std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }

std::string Header(std::uint16_t id, std::uint16_t flags, std::uint16_t qd, std::uint16_t an) {
  return Be16(id) + Be16(flags) + Be16(qd) + Be16(an) + Be16(0) + Be16(0);
}

std::string Name(std::string_view dotted) {
  std::string out;
  while (!dotted.empty()) {
    std::size_t dot = dotted.find('.');
    std::string_view label = dotted.substr(0, dot);
    out += static_cast<char>(label.size());
    out += label;
    dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
  }
  return out + std::string(1, '\0');
}

std::string Query(std::uint16_t id, std::string_view name, std::uint16_t qtype = 1) {
  return Header(id, 0x0100, 1, 0) + Name(name) + Be16(qtype) + Be16(1);
}

DnsMessage Parse(const std::string& m) {
  DnsMessage out;
  ParseDnsMessage(AsBytes(m), &out);
  return out;
}

TEST(DnsMessage, QueryNameLowerCasedNoTrailingDot) {
  DnsMessage m = Parse(Query(0x1234, "WWW.Example.COM", 28));
  EXPECT_EQ(m.error, DnsError::kNone);
  EXPECT_FALSE(m.response);
  ASSERT_EQ(m.question_count, 1u);
  EXPECT_EQ(m.questions[0].name.view(), "www.example.com");
  EXPECT_EQ(m.questions[0].qtype, 28);
  EXPECT_EQ(m.id, 0x1234);
}

TEST(DnsMessage, ResponseWithCompressedAnswers) {
  // Question at offset 12; two A answers whose owner is a pointer to it (0xC00C).
  std::string r = Header(7, 0x8183, 1, 2) + Name("nope.example.fr") + Be16(1) + Be16(1);
  for (int i = 0; i < 2; ++i) r += "\xC0\x0C" + Be16(1) + Be16(1) + std::string("\0\0\0\x3c", 4) + Be16(4) + "\x01\x02\x03\x04";
  DnsMessage m = Parse(r);
  EXPECT_EQ(m.error, DnsError::kNone);
  EXPECT_TRUE(m.response);
  EXPECT_EQ(m.rcode, 3);
  EXPECT_EQ(m.answers, 2u);
  EXPECT_EQ(m.answer_bytes, 8u);
  // A compressed question name: "a" + pointer to "example.fr" of the first question.
  std::string two = Header(1, 0x0100, 2, 0) + Name("x.example.fr") + Be16(1) + Be16(1) + "\x01" "a\xC0\x0E" + Be16(16) + Be16(1);
  m = Parse(two);
  EXPECT_EQ(m.error, DnsError::kNone);
  ASSERT_EQ(m.question_count, 2u);
  EXPECT_EQ(m.questions[1].name.view(), "a.example.fr");
  EXPECT_EQ(m.questions[1].qtype, 16);
}

TEST(DnsMessage, HostileNames) {
  std::string h = Header(1, 0x0100, 1, 0);
  EXPECT_EQ(Parse(h + std::string("\xC0\x0C", 2) + Be16(1) + Be16(1)).error, DnsError::kForwardPointer);  // to itself
  EXPECT_EQ(Parse(h + std::string("\xC0\x40", 2) + Be16(1) + Be16(1)).error, DnsError::kForwardPointer);
  EXPECT_EQ(Parse(h + std::string("\x01" "a\xC0\x0C", 4) + Be16(1) + Be16(1)).error, DnsError::kPointerLoop);
  // Two names pointing at each other: second points into the first, whose pointer points forward.
  EXPECT_EQ(Parse(h + std::string("\x01" "b\xC0\x10", 4) + std::string("\x01" "c\xC0\x0C", 4)).error,
            DnsError::kForwardPointer);
  EXPECT_EQ(Parse(h + std::string("\x05" "abc", 4)).error, DnsError::kTruncatedName);
  EXPECT_EQ(Parse(h + std::string("\x40") + std::string(64, 'a') + '\0' + Be16(1) + Be16(1)).error, DnsError::kBadLabel);
  std::string big;
  for (int i = 0; i < 5; ++i) big += std::string(1, 63) + std::string(63, 'x');
  EXPECT_EQ(Parse(h + big + '\0' + Be16(1) + Be16(1)).error, DnsError::kNameTooLong);
  EXPECT_EQ(Parse(h + Name("a.b")).error, DnsError::kTruncatedQuestion);
  EXPECT_EQ(Parse("\x12\x34\x01").error, DnsError::kTruncatedHeader);
  // A chain of backward pointers longer than kMaxJumps.
  std::string chain = h;
  chain += std::string("\x01z\0", 3);  // offset 12
  for (int i = 0; i < kMaxJumps + 2; ++i) {
    std::size_t prev = chain.size() - (i == 0 ? 3 : 2);
    chain += std::string{static_cast<char>(0xC0 | (prev >> 8)), static_cast<char>(prev & 0xff)};
  }
  DnsName n;
  std::size_t off = chain.size() - 2;
  EXPECT_EQ(ReadName(AsBytes(chain), &off, &n), DnsError::kPointerLoop);
}

TEST(DnsMessage, EscapesOddBytes) {
  std::string h = Header(1, 0x0100, 1, 0);
  DnsMessage m = Parse(h + std::string("\x04" "a.B\0" "\x02" "fr\0", 9) + Be16(1) + Be16(1));
  ASSERT_EQ(m.error, DnsError::kNone);
  EXPECT_EQ(m.questions[0].name.view(), "a\\.b\\000.fr");
}

// Every byte value at every place of a label (and a 255-byte name of four labels full of bytes to
// escape: the text's room check) against the byte-by-byte definition: A-Z lower-cased, '.' and
// '\' escaped with '\', bytes outside 0x21..0x7e as \DDD.
TEST(DnsMessage, LabelTextMatchesTheDefinition) {
  const auto text_of = [](const std::string& label) {
    std::string t;
    for (const unsigned char b : label) {
      if (b >= 'A' && b <= 'Z') {
        t += static_cast<char>(b - 'A' + 'a');
      } else if (b == '.' || b == '\\') {
        t += '\\';
        t += static_cast<char>(b);
      } else if (b < 0x21 || b > 0x7e) {
        t += '\\';
        t += static_cast<char>('0' + b / 100);
        t += static_cast<char>('0' + (b / 10) % 10);
        t += static_cast<char>('0' + b % 10);
      } else {
        t += static_cast<char>(b);
      }
    }
    return t;
  };
  const std::string h = Header(1, 0x0100, 1, 0);
  for (int b = 0; b < 256; ++b) {
    for (const std::size_t at : {std::size_t{0}, std::size_t{5}, std::size_t{62}}) {
      std::string label = "Host-" + std::string(58, 'x');
      label[at] = static_cast<char>(b);
      const std::string wire = h + std::string(1, 63) + label + std::string("\x02" "fr\0", 4) + Be16(1) + Be16(1);
      const DnsMessage m = Parse(wire);
      ASSERT_EQ(m.error, DnsError::kNone) << b;
      ASSERT_EQ(m.questions[0].name.view(), text_of(label) + ".fr") << "byte " << b << " at " << at;
    }
  }
  std::string wire = h, expected;
  for (int k = 0; k < 4; ++k) {
    const std::size_t len = k == 3 ? 61 : 63;  // 4 + 250 label bytes + the root: 255
    std::string label(len, static_cast<char>(k == 2 ? '.' : 0x80 + k));
    wire += std::string(1, static_cast<char>(len)) + label;
    expected += (k > 0 ? "." : "") + text_of(label);
  }
  const DnsMessage m = Parse(wire + '\0' + Be16(1) + Be16(1));
  ASSERT_EQ(m.error, DnsError::kNone);
  EXPECT_EQ(m.questions[0].name.view(), expected);
  // An answer's owner name is checked but not kept: its errors still count.
  const std::string q = Header(1, 0x8180, 1, 1) + Name("a.fr") + Be16(1) + Be16(1);
  EXPECT_EQ(Parse(q + std::string("\x01" "b\xC0\x16", 4) + Be16(1) + Be16(1) + Be16(0) + Be16(0) + Be16(0)).error,
            DnsError::kPointerLoop);
  EXPECT_EQ(Parse(q + std::string("\xC0\x0C", 2) + Be16(1) + Be16(1) + Be16(0) + Be16(60) + Be16(4) + "abcd").answers, 1u);
}

TEST(DnsUdp, QueryEmitsEventResponseCountsRcode) {
  TestContext t;
  flow::Flow f = MakeFlow(53, 17);
  HandleDnsDatagram(t.ctx, f, flow::Direction::kToServer, AsBytes(Query(9, "Exfil-0123abcd.Tunnel.Example.")));
  std::string resp = Header(9, 0x8183, 1, 0) + Name("exfil-0123abcd.tunnel.example") + Be16(1) + Be16(1);
  HandleDnsDatagram(t.ctx, f, flow::Direction::kToClient, AsBytes(resp));
  HandleDnsDatagram(t.ctx, f, flow::Direction::kToServer, AsBytes(std::string("\x01\x02\x03")));
  ASSERT_EQ(t.events.dns.size(), 1u);
  const auto& e = t.events.dns[0];
  EXPECT_EQ(e.qname, "exfil-0123abcd.tunnel.example");
  EXPECT_EQ(e.qtype, 1);
  EXPECT_EQ(e.path.src_ip, f.client.ip);
  EXPECT_EQ(e.path.src_port, 40000);
  EXPECT_EQ(e.path.dest_port, 53);
  EXPECT_EQ(e.path.proto, 17);
  EXPECT_EQ(CounterValue(t.set, "vigie_dns_queries_total"), 1);
  EXPECT_EQ(CounterValue(t.set, "vigie_dns_responses_total", {{"rcode", "nxdomain"}}), 1);
  EXPECT_EQ(CounterValue(t.set, "vigie_dns_anomalies_total", {{"reason", "truncated_header"}}), 1);
}

std::string Framed(const std::string& m) { return Be16(static_cast<std::uint16_t>(m.size())) + m; }

TEST(DnsTcp, MultipleMessagesAndSplitLengthPrefixAnyChunking) {
  std::string stream = Framed(Query(1, "a.example.fr")) + Framed(Query(2, std::string(60, 'q') + ".example.fr")) +
                       Framed(Query(3, "c.example.fr", 16));
  for (std::size_t chunk : {0u, 1u, 2u, 3u, 17u}) {
    TestContext t;
    flow::Flow f = MakeFlow(53);
    DnsTcpSession s(t.ctx, f);
    std::size_t c = chunk == 0 ? stream.size() : chunk;
    for (std::size_t i = 0; i < stream.size(); i += c)
      s.OnData(f, flow::Direction::kToServer, AsBytes(std::string_view(stream).substr(i, c)));
    s.OnClose(f);
    ASSERT_EQ(t.events.dns.size(), 3u) << chunk;
    EXPECT_EQ(t.events.dns[0].qname, "a.example.fr");
    EXPECT_EQ(t.events.dns[1].qname, std::string(60, 'q') + ".example.fr");
    EXPECT_EQ(t.events.dns[2].qtype, 16);
    EXPECT_EQ(t.events.dns[2].path.proto, 6);
    EXPECT_EQ(CounterValue(t.set, "vigie_dns_anomalies_total"), 0);
  }
}

TEST(DnsTcp, GapStopsParsingAndTruncatedMessageCounted) {
  TestContext t;
  flow::Flow f = MakeFlow(53);
  DnsTcpSession s(t.ctx, f);
  std::string q = Framed(Query(1, "a.example.fr"));
  s.OnData(f, flow::Direction::kToClient, AsBytes(std::string_view(q).substr(0, 5)));
  s.OnGap(f, flow::Direction::kToServer, 100);
  s.OnData(f, flow::Direction::kToServer, AsBytes(q));
  s.OnClose(f);
  EXPECT_TRUE(t.events.dns.empty());
  EXPECT_EQ(CounterValue(t.set, "vigie_dns_anomalies_total", {{"reason", "tcp_gap"}}), 1);
  EXPECT_EQ(CounterValue(t.set, "vigie_dns_anomalies_total", {{"reason", "truncated_tcp_message"}}), 1);
}

}  // namespace
}  // namespace vigie::app::dns
