#include "alert/alert_json.h"

#include <nlohmann/json.hpp>

namespace vigie::alert {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "medium";
}

std::string_view EntityKindName(EntityKind k) { return k == EntityKind::kAccount ? "account" : "ip"; }

std::string ProtoName(std::uint8_t proto) {
  switch (proto) {
    case 6: return "TCP";
    case 17: return "UDP";
    case 1: return "ICMP";
    case 58: return "IPv6-ICMP";
    default: return std::to_string(proto);
  }
}

std::string ToJson(const Alert& a) {
  using J = nlohmann::ordered_json;
  J j;
  j["timestamp"] = FormatIso8601(a.ts);
  j["event_type"] = "alert";
  j["rule"] = a.rule;
  j["severity"] = SeverityName(a.severity);
  j["src_ip"] = a.src_ip.ToString();
  j["src_port"] = a.src_port;
  j["dest_ip"] = a.dest_ip.ToString();
  j["dest_port"] = a.dest_port;
  j["proto"] = ProtoName(a.proto);
  j["app_proto"] = a.app_proto;
  j["community_id"] = a.community_id;
  J entity;
  entity["kind"] = EntityKindName(a.entity.kind);
  entity["id"] = a.entity.id;
  j["entity"] = std::move(entity);
  j["window"] = a.window;
  J pii;
  pii["records"] = a.pii.records;
  J by_type = J::object();
  for (const auto& [name, n] : a.pii.by_type) by_type[name] = n;
  pii["by_type"] = std::move(by_type);
  j["pii"] = std::move(pii);
  j["bytes"] = a.bytes;
  j["evidence"] = a.evidence;
  j["mitre"] = a.mitre;
  j["message"] = a.message;
  if (a.threshold != 0) j["threshold"] = a.threshold;
  if (!a.sni.empty()) j["sni"] = a.sni;
  if (!a.dns_domain.empty()) j["dns"] = J{{"domain", a.dns_domain}};
  if (!a.http_detail.empty()) j["http"] = J{{"detail", a.http_detail}};
  // replace: alert text comes partly from the wire; invalid UTF-8 must not throw.
  return j.dump(-1, ' ', false, J::error_handler_t::replace);
}

}  // namespace vigie::alert
