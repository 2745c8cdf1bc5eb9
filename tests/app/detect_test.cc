#include "app/detect.h"

#include <gtest/gtest.h>

namespace vigie::app {
namespace {

using flow::Direction;
using track::AppProto;

AppProto D(std::string_view s, Direction d = Direction::kToServer, std::uint16_t port = 12345) {
  return DetectTcp(AsBytes(s), d, port);
}

TEST(Detect, HttpByContentOnAnyPort) {
  EXPECT_EQ(D("GET / HTTP/1.1\r\n"), AppProto::kHttp);
  EXPECT_EQ(D("PROPFIND /x"), AppProto::kHttp);
  EXPECT_EQ(D("HTTP/1.1 200 OK\r\n", Direction::kToClient), AppProto::kHttp);
  EXPECT_EQ(D("GE"), AppProto::kUnknown);  // need more bytes
  EXPECT_EQ(D("GETX"), AppProto::kRaw);
}

TEST(Detect, Tls) {
  const std::string hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  EXPECT_EQ(D(hello, Direction::kToServer, 8443), AppProto::kTls);
  EXPECT_EQ(D(hello.substr(0, 4)), AppProto::kUnknown);
  EXPECT_EQ(D(std::string("\x16\x03\x05\x00\x10\x01", 6)), AppProto::kRaw);
  EXPECT_EQ(D(std::string("\x17\x03\x03\x00\x10\x01", 6)), AppProto::kRaw);
}

TEST(Detect, Smtp) {
  EXPECT_EQ(D("220 mx.example.fr ESMTP Postfix\r\n", Direction::kToClient, 2500), AppProto::kSmtp);
  EXPECT_EQ(D("220 ready\r\n", Direction::kToClient, 25), AppProto::kSmtp);
  EXPECT_EQ(D("220 ready\r\n", Direction::kToClient, 21), AppProto::kRaw);  // FTP banner
  EXPECT_EQ(D("220 ftp.example", Direction::kToClient, 21), AppProto::kUnknown);
  EXPECT_EQ(D("EHLO client.example\r\n"), AppProto::kSmtp);
  EXPECT_EQ(D("helo x\r\n"), AppProto::kSmtp);
}

TEST(Detect, DnsOverTcpNeedsPort53) {
  const std::string q("\x00\x1d\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 14);
  EXPECT_EQ(D(q, Direction::kToServer, 53), AppProto::kDns);
  EXPECT_EQ(D(q, Direction::kToServer, 5353), AppProto::kRaw);
  EXPECT_EQ(D(q.substr(0, 5), Direction::kToServer, 53), AppProto::kUnknown);
}

TEST(Detect, BinaryIsRaw) {
  EXPECT_EQ(D(std::string("\x00\x01\x02\x03", 4)), AppProto::kRaw);
  EXPECT_EQ(D("USER anonymous\r\n"), AppProto::kRaw);
}

TEST(Detect, DnsDatagram) {
  static const char kQuery[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x07" "example\x02" "fr\x00\x00\x01\x00\x01";
  const std::string q(kQuery, sizeof kQuery - 1);
  EXPECT_TRUE(LooksLikeDnsDatagram(AsBytes(q)));
  EXPECT_FALSE(LooksLikeDnsDatagram(AsBytes(q.substr(0, 20))));
  EXPECT_FALSE(LooksLikeDnsDatagram(AsBytes(std::string(40, 'A'))));
}

}  // namespace
}  // namespace vigie::app
