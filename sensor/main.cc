// vigie: command line → Config → Pipeline. Start-up errors print one line on stderr and exit 2.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/config.h"
#include "core/error.h"
#include "pipeline/pipeline.h"

namespace {

int Fail(const std::string& msg) {
  std::fprintf(stderr, "vigie: error: %s\n", msg.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Vigie: passive network sensor that detects personal-data exfiltration.\n"
               "Every option can also be set in the YAML configuration (see deploy/vigie.yaml)."};
  cli.set_version_flag("--version", "vigie " VIGIE_VERSION);
  std::vector<std::string> reads;
  std::string iface, config_path, home_net, alerts, metrics_listen, metrics_file, state_dir, bpf, flow_log,
      signatures, user;
  unsigned workers = 0, snaplen = 0;
  double replay_speed = -1;
  bool check_config = false;
  auto* read_opt = cli.add_option("--read,-r", reads, "replay a pcap or pcapng file (repeatable, in order)");
  auto* iface_opt = cli.add_option("--interface,-i", iface, "live capture on this interface (mirror port)");
  read_opt->excludes(iface_opt);
  cli.add_option("--config,-c", config_path, "YAML configuration file");
  cli.add_option("--home-net", home_net, "comma-separated inside networks (overrides config)");
  cli.add_option("--alerts", alerts, "alert output, JSON lines; '-' is stdout (default '-')");
  cli.add_option("--flow-log", flow_log, "write an event_type:flow JSON line per closed flow to this file");
  cli.add_option("--metrics-listen", metrics_listen,
                 "Prometheus endpoint ADDR:PORT (live default 127.0.0.1:9899; replay: off unless given)");
  cli.add_option("--metrics-file", metrics_file, "write Prometheus text exposition here at exit");
  cli.add_option("--state-dir", state_dir, "save and restore entity windows in this directory");
  cli.add_option("--workers", workers, "worker threads (default 1)")->check(CLI::Range(1, 64));
  cli.add_option("--bpf", bpf, "BPF filter expression for live capture");
  cli.add_option("--snaplen", snaplen, "live capture snapshot length (default 262144)")->check(CLI::Range(64, 262144));
  cli.add_option("--replay-speed", replay_speed, "replay at X times packet time (0 = as fast as possible)")
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--signatures", signatures, "PII signature file (default: signatures/pii.yaml)");
  cli.add_option("--user", user, "drop root privileges to this user once captures are open");
  cli.add_flag("--check-config", check_config, "validate the configuration (and signatures) and exit");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    return Fail(std::string(e.what()) + " (see --help)");
  }

  try {
    auto cfg = vigie::config::Defaults();
    bool metrics_listen_given = !metrics_listen.empty();
    if (!config_path.empty()) {
      cfg = vigie::config::LoadFile(config_path, cfg);
      cfg.config_path = config_path;
      // An explicit metrics endpoint in the file counts as a choice, also for replay.
      metrics_listen_given = metrics_listen_given || cfg.output.metrics_listen != vigie::config::Defaults().output.metrics_listen;
    }
    if (!reads.empty()) cfg.capture.read_files = reads;
    if (!iface.empty()) {
      cfg.capture.interface = iface;
      cfg.capture.read_files.clear();
    }
    if (!home_net.empty()) {
      std::string bad;
      auto set = vigie::CidrSet::Parse(home_net, &bad);
      if (!set) return Fail("--home-net: bad network '" + bad + "'");
      cfg.home_net = *set;
    }
    if (!alerts.empty()) cfg.output.alerts = alerts;
    if (!flow_log.empty()) cfg.output.flow_log = flow_log;
    if (!metrics_listen.empty()) cfg.output.metrics_listen = metrics_listen;
    if (!metrics_file.empty()) cfg.output.metrics_file = metrics_file;
    if (!state_dir.empty()) cfg.output.state_dir = state_dir;
    cfg.track.state_dir = cfg.output.state_dir;  // the tracker saves periodically there
    if (workers) cfg.workers = workers;
    if (!bpf.empty()) cfg.capture.bpf = bpf;
    if (snaplen) cfg.capture.snaplen = snaplen;
    if (replay_speed >= 0) cfg.capture.replay_speed = replay_speed;
    if (!signatures.empty()) cfg.signatures = signatures;
    if (!user.empty()) cfg.user = user;
    // In replay, a Prometheus endpoint is opened only when asked for (tests run many replays at once).
    if (!cfg.capture.read_files.empty() && !metrics_listen_given) cfg.output.metrics_listen.clear();

    if (check_config) {
      vigie::pipeline::CheckConfig(cfg);
      std::fprintf(stderr, "vigie: configuration OK\n");
      return 0;
    }
    if (cfg.capture.read_files.empty() && cfg.capture.interface.empty())
      return Fail("nothing to read: give --read FILE or --interface IFACE (see --help)");
    return vigie::pipeline::Run(cfg);
  } catch (const vigie::StartupError& e) {
    return Fail(e.what());
  } catch (const std::exception& e) {
    return Fail(e.what());
  }
}
