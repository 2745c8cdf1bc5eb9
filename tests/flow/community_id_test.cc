// Community ID v1 against the spec's published baseline values
// (corelight/community-id-spec, baseline/README.md).
#include <gtest/gtest.h>

#include <memory>

#include "flow/flow.h"
#include "flow/flow_table.h"
#include "flow_test_util.h"

namespace vigie::flow {
namespace {

Flow MakeFlow(std::uint8_t proto, const char* s, std::uint16_t sp, const char* d, std::uint16_t dp) {
  Flow f;
  f.proto = proto;
  f.client = {*IpAddr::Parse(s), sp};
  f.server = {*IpAddr::Parse(d), dp};
  return f;
}

TEST(CommunityId, BaselineDefaultSeed) {
  const char* v6a = "fe80:0001:0203:0405:0607:0809:0A0B:0C0D";
  const char* v6b = "fe80:1011:1213:1415:1617:1819:1A1B:1C1D";
  EXPECT_EQ(CommunityId(MakeFlow(6, "1.2.3.4", 1122, "5.6.7.8", 3344)), "1:wCb3OG7yAFWelaUydu0D+125CLM=");
  EXPECT_EQ(CommunityId(MakeFlow(6, "5.6.7.8", 3344, "1.2.3.4", 1122)), "1:wCb3OG7yAFWelaUydu0D+125CLM=");
  EXPECT_EQ(CommunityId(MakeFlow(17, "1.2.3.4", 1122, "5.6.7.8", 3344)), "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=");
  EXPECT_EQ(CommunityId(MakeFlow(132, "5.6.7.8", 3344, "1.2.3.4", 1122)), "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=");
  EXPECT_EQ(CommunityId(MakeFlow(1, "1.2.3.4", 8, "5.6.7.8", 0)), "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=");
  EXPECT_EQ(CommunityId(MakeFlow(1, "5.6.7.8", 0, "1.2.3.4", 0)), "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=");
  EXPECT_EQ(CommunityId(MakeFlow(1, "1.2.3.4", 11, "5.6.7.8", 0)), "1:f/YiSyWqczrTgfUCZlBUnvHRcPk=");
  EXPECT_EQ(CommunityId(MakeFlow(58, v6a, 128, v6b, 0)), "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=");
  EXPECT_EQ(CommunityId(MakeFlow(58, v6b, 129, v6a, 0)), "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=");
  EXPECT_EQ(CommunityId(MakeFlow(58, v6a, 146, v6b, 0)), "1:fYC8+pz24E+EhANP1EZhpX0Dw10=");
  EXPECT_EQ(CommunityId(MakeFlow(46, "1.2.3.4", 0, "5.6.7.8", 0)), "1:ikv3kmf89luf73WPz1jOs49S768=");
  EXPECT_EQ(CommunityId(MakeFlow(46, "5.6.7.8", 0, "1.2.3.4", 0)), "1:ikv3kmf89luf73WPz1jOs49S768=");
  EXPECT_EQ(CommunityId(MakeFlow(46, v6b, 0, v6a, 0)), "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=");
}

TEST(CommunityId, BaselineSeedOne) {
  EXPECT_EQ(CommunityId(MakeFlow(6, "1.2.3.4", 1122, "5.6.7.8", 3344), 1), "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=");
  EXPECT_EQ(CommunityId(MakeFlow(17, "5.6.7.8", 3344, "1.2.3.4", 1122), 1), "1:OShq+iKDAMVouh/4bMxB9Sz4amw=");
  EXPECT_EQ(CommunityId(MakeFlow(1, "1.2.3.4", 11, "5.6.7.8", 0), 1), "1:1DD7cWGC/Yg91YGsQeni8du3pIA=");
}

TEST(CommunityId, FromPcapBaselineTuples) {
  // baseline_deflt.json: a real capture's tuples (TCP over IPv6, ICMPv6 neighbour discovery).
  EXPECT_EQ(CommunityId(MakeFlow(6, "2607:f8b0:400c:c03::1a", 25, "2001:470:e5bf:dead:4957:2174:e82c:4887", 63943)),
            "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=");
  EXPECT_EQ(CommunityId(MakeFlow(58, "fe80::200:86ff:fe05:80da", 135, "fe80::260:97ff:fe07:69ea", 0)),
            "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=");
  EXPECT_EQ(CommunityId(MakeFlow(17, "8.8.8.8", 53, "192.168.1.52", 54585)), "1:d/FP5EW3wiY1vCndhwleRRKHowQ=");
}

TEST(CommunityId, FlowsBuiltByTheTableMatch) {
  FlowConfig cfg;
  testing::RecordingSink sink;
  metrics::CounterSet m;
  FlowTable table(cfg, sink, m);
  struct Capture : testing::RecordingSink {
    std::string id;
    void OnClose(Flow& f, CloseReason r) override {
      id = CommunityId(f);
      RecordingSink::OnClose(f, r);
    }
  } cap;
  FlowTable t2(cfg, cap, m);
  testing::Conv c("5.6.7.8", 3344, "1.2.3.4", 1122);
  t2.Process(c.Data(1, 0, "x"));  // midstream, first packet from 1.2.3.4
  t2.FlushAll(CloseReason::kEndOfCapture);
  EXPECT_EQ(cap.id, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
}

TEST(CloseReasonName, Names) {
  EXPECT_EQ(CloseReasonName(CloseReason::kFin), "fin");
  EXPECT_EQ(CloseReasonName(CloseReason::kRst), "rst");
  EXPECT_EQ(CloseReasonName(CloseReason::kTimeout), "timeout");
  EXPECT_EQ(CloseReasonName(CloseReason::kEviction), "eviction");
  EXPECT_EQ(CloseReasonName(CloseReason::kEndOfCapture), "end_of_capture");
}

}  // namespace
}  // namespace vigie::flow
