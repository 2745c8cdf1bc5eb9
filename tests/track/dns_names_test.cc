#include "track/dns_names.h"

#include <gtest/gtest.h>

namespace vigie::track {
namespace {

TEST(DnsNames, RegisteredDomain) {
  auto s = SplitRegisteredDomain("www.google.com");
  EXPECT_EQ(s.registered, "google.com");
  EXPECT_EQ(s.subdomain, "www");
  s = SplitRegisteredDomain("a.b.example.co.uk");
  EXPECT_EQ(s.registered, "example.co.uk");
  EXPECT_EQ(s.subdomain, "a.b");
  s = SplitRegisteredDomain("x.pole-emploi.gouv.fr.");
  EXPECT_EQ(s.registered, "pole-emploi.gouv.fr");
  EXPECT_EQ(s.subdomain, "x");
  s = SplitRegisteredDomain("example.com");
  EXPECT_EQ(s.registered, "example.com");
  EXPECT_TRUE(s.subdomain.empty());
  s = SplitRegisteredDomain("co.uk");
  EXPECT_TRUE(s.subdomain.empty());
  s = SplitRegisteredDomain("localhost");
  EXPECT_TRUE(s.subdomain.empty());
  s = SplitRegisteredDomain("e1234.a.akamaiedge.net");
  EXPECT_EQ(s.registered, "akamaiedge.net");
  EXPECT_EQ(s.subdomain, "e1234.a");
}

TEST(DnsNames, EntropyAndLabels) {
  EXPECT_DOUBLE_EQ(ShannonEntropy(""), 0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("aaaa"), 0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("ab.ab"), 1);
  EXPECT_DOUBLE_EQ(ShannonEntropy("abcdefghijklmnop"), 4);
  EXPECT_EQ(LongestLabel("ab.abcdef.a"), 6u);
  EXPECT_EQ(MaskQname(SplitRegisteredDomain("mzxw6ytboi3dmnrv.tun.evil.example")), "mzxw6y…[20 chars].evil.example");
}

}  // namespace
}  // namespace vigie::track
