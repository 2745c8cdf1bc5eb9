#pragma once
// What every application decoder of one worker shares: configuration, the PII scanner, the
// tracker's event sink and the worker's counters. Owned by the pipeline; outlives all flows.
#include "app/app_config.h"
#include "match/scanner.h"
#include "metrics/counters.h"
#include "track/events.h"

namespace vigie::app {

struct AppContext {
  const AppConfig* config = nullptr;
  match::Scanner* scanner = nullptr;
  track::EventSink* events = nullptr;
  metrics::CounterSet* metrics = nullptr;
};

}  // namespace vigie::app
