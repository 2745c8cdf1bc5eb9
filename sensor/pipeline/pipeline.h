#pragma once
// The only place that knows every stage and thread. Run() replays files or captures live until
// the input ends or SIGINT/SIGTERM, then flushes flows, saves state, writes metrics and prints
// a one-line summary on stderr. Returns the process exit code.
#include "config/config.h"

namespace vigie::pipeline {

// Validates what --check-config can: signature file compiles, outputs are writable paths.
// Throws StartupError.
void CheckConfig(const config::Config& cfg);

int Run(const config::Config& cfg);

}  // namespace vigie::pipeline
