#pragma once
// The whole configuration, parsed and validated once (YAML file, then command-line overrides)
// into an immutable object. Every default lives in the member initialisers below or in the
// stage config structs they embed; deploy/vigie.yaml documents each key.
#include <cstdint>
#include <string>
#include <vector>

#include "app/app_config.h"
#include "core/ip_addr.h"
#include "decode/ip_defrag.h"
#include "flow/flow_config.h"
#include "match/scanner.h"
#include "track/track_config.h"

namespace vigie::config {

struct CaptureConfig {
  std::vector<std::string> read_files;  // replayed in order
  std::string interface;                // live capture
  std::string bpf;                      // optional BPF filter
  std::uint32_t snaplen = 262144;
  std::uint32_t buffer_mib = 256;       // kernel ring size per live handle
  double replay_speed = 0;              // 0 = as fast as possible; 1 = real time
};

struct OutputConfig {
  std::string alerts = "-";             // JSON lines; "-" = stdout
  std::string flow_log;                 // event_type:"flow" JSON lines on flow close (empty = off)
  std::string syslog;                   // "udp://host:514" or "tcp://host:601" (empty = off)
  std::string metrics_listen = "127.0.0.1:9899";  // empty = no HTTP exporter
  std::string metrics_file;             // Prometheus text written at exit
  std::string state_dir;                // entity windows persisted here (empty = off)
};

struct Config {
  std::string config_path;              // the YAML file this came from (re-read on SIGHUP)
  CaptureConfig capture;
  OutputConfig output;
  CidrSet home_net;                     // default: RFC 1918 + RFC 4193
  std::uint32_t workers = 1;
  std::string user;                     // drop privileges to this user after opening captures
  std::string signatures;               // PII signature file
  match::PiiEngineOptions pii;
  app::AppConfig app;
  decode::DefragConfig defrag;
  flow::FlowConfig flow;  // flow table and TCP reassembly
  track::TrackConfig track;
};

Config Defaults();

// Parses a YAML file over the defaults. Throws StartupError("FILE:LINE: key.path: problem").
Config LoadFile(const std::string& path, Config base);

}  // namespace vigie::config
