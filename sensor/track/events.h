#pragma once
// Events the application layer hands to the tracker. Small, copyable, no clear personal data.
// The tracker is the only consumer; with several workers they cross a bounded queue.
#include <cstdint>
#include <string>

#include "core/ip_addr.h"
#include "core/time.h"
#include "match/findings.h"

namespace vigie::track {

enum class AppProto : std::uint8_t { kUnknown, kHttp, kSmtp, kDns, kTls, kRaw };
inline std::string_view AppProtoName(AppProto p) {
  switch (p) {
    case AppProto::kHttp: return "http";
    case AppProto::kSmtp: return "smtp";
    case AppProto::kDns: return "dns";
    case AppProto::kTls: return "tls";
    case AppProto::kRaw: return "raw";
    default: return "unknown";
  }
}

// Where data came from and where it went (for a download the server is `src`).
struct DataPath {
  IpAddr src_ip;
  std::uint16_t src_port = 0;
  IpAddr dest_ip;
  std::uint16_t dest_port = 0;
  std::uint8_t proto = 6;
  std::string community_id;
};

// One unit of application data that was scanned: an HTTP message, an e-mail, a raw stream.
struct TransactionEvent {
  Timestamp ts = 0;
  DataPath path;
  AppProto app_proto = AppProto::kUnknown;
  // The account that receives the data (download: the requester; upload: the uploader's
  // account is still the actor). Empty when unknown. Already a safe string (user name or
  // keyed-hash with readable prefix).
  std::string account;
  // The client address behind a proxy (X-Forwarded-For) when configured, else path's client.
  IpAddr client_ip;
  std::uint64_t bytes = 0;  // body bytes after decoding
  match::ScanSummary pii;
  std::string detail;  // e.g. "GET api.example/v1/users?page=3 200", "MAIL FROM a@b" (masked)
};

// Bytes an inside host sent since the last report for this flow (also for encrypted flows).
struct VolumeEvent {
  Timestamp ts = 0;
  DataPath path;  // src = the sender
  std::uint64_t bytes = 0;
  std::string sni;  // TLS server name when known
  AppProto app_proto = AppProto::kUnknown;
};

struct DnsQueryEvent {
  Timestamp ts = 0;
  DataPath path;  // src = client, dest = resolver
  std::string qname;  // lower-case, no trailing dot
  std::uint16_t qtype = 0;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnTransaction(const TransactionEvent& e) = 0;
  virtual void OnVolume(const VolumeEvent& e) = 0;
  virtual void OnDnsQuery(const DnsQueryEvent& e) = 0;
};

}  // namespace vigie::track
