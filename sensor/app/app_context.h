#pragma once
// What every application decoder of one worker shares: configuration, the PII scanner, the
// tracker's event sink and the worker's counters. Owned by the pipeline; outlives all flows.
#include <array>
#include <memory>

#include "app/app_config.h"
#include "app/decompress/decompressor.h"
#include "core/hash.h"
#include "match/scanner.h"
#include "metrics/counters.h"
#include "track/events.h"

namespace vigie::app {

namespace http {
class BodyObserver;
}

struct AppContext {
  const AppConfig* config = nullptr;
  match::Scanner* scanner = nullptr;
  track::EventSink* events = nullptr;
  metrics::CounterSet* metrics = nullptr;
  // Keyed hash for account tokens (HTTP bearer/cookie/header values). Null in unit tests: an
  // unkeyed hash is used then.
  const KeyedHasher* hasher = nullptr;
  // Optional tap on every decoded HTTP body (app/http/body_observer.h), for tools and tests.
  // Null in the sensor: no cost beyond one pointer test per HTTP message.
  http::BodyObserver* http_bodies = nullptr;
  // Per-worker counter handles of the decoders, built on first use (DecoderMetrics below) so
  // that sessions, created per flow, never register cells on the hot path. Slot per decoder:
  // 0 smtp, 1 dns, 2 tls, 3 http, 4 raw, 5 router; 6..7 free. Opaque to everyone but the decoder owning the slot.
  mutable std::array<std::shared_ptr<void>, 8> metric_slots{};
};

// The decompression limits of a body or archive: the configuration's (the defaults without one).
inline DecompressLimits DecompressLimitsOf(const AppContext& ctx) {
  DecompressLimits limits;
  if (ctx.config != nullptr) {
    limits.max_output = ctx.config->decompress_max_output;
    limits.max_ratio = ctx.config->decompress_max_ratio;
  }
  return limits;
}

// Returns the context's T for `slot`, constructing T(CounterSet&) on first call. When the
// context has no CounterSet (unit tests), cells live in a private set owned by the slot.
// REQUIRES: single thread per context (one context per worker), one T type per slot.
template <typename T>
T& DecoderMetrics(const AppContext& ctx, std::size_t slot) {
  struct Holder {
    std::unique_ptr<metrics::CounterSet> own;
    std::unique_ptr<T> value;
  };
  auto& p = ctx.metric_slots[slot];
  if (!p) {
    auto h = std::make_shared<Holder>();
    metrics::CounterSet* set = ctx.metrics;
    if (set == nullptr) {
      h->own = std::make_unique<metrics::CounterSet>();
      set = h->own.get();
    }
    h->value = std::make_unique<T>(*set);
    p = h;
  }
  return *static_cast<Holder*>(p.get())->value;
}

}  // namespace vigie::app
