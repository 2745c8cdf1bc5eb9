#include "pipeline/flow_log.h"

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/time.h"

namespace vigie::pipeline {

FlowLog::FlowLog(const std::string& path) {
  file_ = path == "-" ? stdout : std::fopen(path.c_str(), "a");
  if (!file_) throw StartupError("cannot open flow log " + path + ": " + std::strerror(errno));
}

FlowLog::~FlowLog() {
  if (file_ && file_ != stdout) std::fclose(file_);
}

void FlowLog::Write(const flow::Flow& f, flow::CloseReason reason) {
  nlohmann::ordered_json j;
  j["timestamp"] = FormatIso8601(f.last_seen);
  j["event_type"] = "flow";
  j["src_ip"] = f.client.ip.ToString();
  j["src_port"] = f.client.port;
  j["dest_ip"] = f.server.ip.ToString();
  j["dest_port"] = f.server.port;
  j["proto"] = f.proto == 6 ? "TCP" : f.proto == 17 ? "UDP" : f.proto == 1 ? "ICMP" : f.proto == 58 ? "IPv6-ICMP" : std::to_string(f.proto);
  if (f.vlan) j["vlan"] = f.vlan;
  j["community_id"] = flow::CommunityId(f);
  j["flow"] = {{"pkts_toserver", f.packets[0]}, {"pkts_toclient", f.packets[1]},
               {"bytes_toserver", f.bytes[0]},  {"bytes_toclient", f.bytes[1]},
               {"start", FormatIso8601(f.first_seen)}, {"end", FormatIso8601(f.last_seen)},
               {"midstream", f.midstream},     {"reason", std::string(flow::CloseReasonName(reason))}};
  std::string line = j.dump() + "\n";
  std::lock_guard lock(mu_);
  std::fwrite(line.data(), 1, line.size(), file_);
}

}  // namespace vigie::pipeline
