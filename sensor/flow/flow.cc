#include "flow/flow.h"

#include <openssl/evp.h>

#include <cstring>

#include "core/bytes.h"
#include "flow/flow_config.h"
#include "flow/icmp_map.h"

namespace vigie::flow {

std::string_view CloseReasonName(CloseReason r) {
  switch (r) {
    case CloseReason::kFin: return "fin";
    case CloseReason::kRst: return "rst";
    case CloseReason::kTimeout: return "timeout";
    case CloseReason::kEviction: return "eviction";
    case CloseReason::kEndOfCapture: return "end_of_capture";
  }
  return "unknown";
}

std::optional<OverlapPolicy> ParseOverlapPolicy(std::string_view n) {
  if (n == "first" || n == "vista") return OverlapPolicy::kFirst;
  if (n == "last") return OverlapPolicy::kLast;
  if (n == "linux") return OverlapPolicy::kLinux;
  if (n == "windows") return OverlapPolicy::kWindows;
  if (n == "bsd" || n == "macos") return OverlapPolicy::kBsd;
  return std::nullopt;
}

std::string_view OverlapPolicyName(OverlapPolicy p) {
  switch (p) {
    case OverlapPolicy::kFirst: return "first";
    case OverlapPolicy::kLast: return "last";
    case OverlapPolicy::kLinux: return "linux";
    case OverlapPolicy::kWindows: return "windows";
    case OverlapPolicy::kBsd: return "bsd";
  }
  return "first";
}

IcmpPorts MapIcmp(std::uint8_t proto, std::uint8_t type, std::uint8_t code) {
  int other = -1;
  if (proto == 1) {
    switch (type) {
      case 8: other = 0; break;    // echo ↔ echo reply
      case 0: other = 8; break;
      case 13: other = 14; break;  // timestamp
      case 14: other = 13; break;
      case 15: other = 16; break;  // information
      case 16: other = 15; break;
      case 10: other = 9; break;   // router solicitation ↔ advertisement
      case 9: other = 10; break;
      case 17: other = 18; break;  // address mask
      case 18: other = 17; break;
      default: break;
    }
  } else {
    switch (type) {
      case 128: other = 129; break;  // echo
      case 129: other = 128; break;
      case 133: other = 134; break;  // router solicitation/advertisement
      case 134: other = 133; break;
      case 135: other = 136; break;  // neighbor solicitation/advertisement
      case 136: other = 135; break;
      case 130: other = 131; break;  // MLD query/report
      case 131: other = 130; break;
      case 139: other = 140; break;  // node information
      case 140: other = 139; break;
      case 144: other = 145; break;  // home agent address discovery
      case 145: other = 144; break;
      default: break;
    }
  }
  if (other < 0) return {type, code, true};
  return {type, static_cast<std::uint16_t>(other), false};
}

namespace {

// Address bytes as they appear on the wire: 4 for IPv4, 16 for IPv6.
ByteView WireAddr(const IpAddr& a) {
  if (a.IsV4()) return {a.bytes.data() + 12, 4};
  return {a.bytes.data(), 16};
}

}  // namespace

std::string CommunityId(const Flow& f, std::uint16_t seed) {
  ByteView saddr = WireAddr(f.client.ip), daddr = WireAddr(f.server.ip);
  std::uint16_t sport = f.client.port, dport = f.server.port;
  bool has_ports = false, one_way = false;
  switch (f.proto) {
    case 6: case 17: case 132:
      has_ports = true;
      break;
    case 1: case 58: {
      // The flow table stores ICMP as client.port = type and server.port = code (or the
      // counterpart type, which maps back to the same pair).
      IcmpPorts m = MapIcmp(f.proto, static_cast<std::uint8_t>(sport), static_cast<std::uint8_t>(dport));
      sport = m.sport;
      dport = m.dport;
      one_way = m.one_way;
      has_ports = true;
      break;
    }
    default:
      break;
  }
  if (!one_way) {
    int c = std::memcmp(saddr.data(), daddr.data(), std::min(saddr.size(), daddr.size()));
    bool ordered = c < 0 || (c == 0 && (!has_ports || sport <= dport));
    if (!ordered) {
      std::swap(saddr, daddr);
      std::swap(sport, dport);
    }
  }
  std::uint8_t buf[2 + 16 + 16 + 4 + 4];
  std::size_t n = 0;
  StoreBe16(buf, seed);
  n = 2;
  std::memcpy(buf + n, saddr.data(), saddr.size());
  n += saddr.size();
  std::memcpy(buf + n, daddr.data(), daddr.size());
  n += daddr.size();
  buf[n++] = f.proto;
  buf[n++] = 0;
  if (has_ports) {
    StoreBe16(buf + n, sport);
    StoreBe16(buf + n + 2, dport);
    n += 4;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest(buf, n, md, &md_len, EVP_sha1(), nullptr) != 1 || md_len != 20) return {};
  unsigned char b64[32];
  int len = EVP_EncodeBlock(b64, md, 20);
  return "1:" + std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(len));
}

}  // namespace vigie::flow
