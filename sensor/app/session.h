#pragma once
// One application-protocol decoder attached to a TCP flow (both directions). The router
// (app/router.h) detects the protocol from the first bytes and creates the session; the
// session lives in Flow::app and dies with the flow.
#include <cstdint>

#include "core/bytes.h"
#include "flow/flow.h"
#include "track/events.h"

namespace vigie::app {

class AppSession : public flow::FlowAppState {
 public:
  // In-order bytes of one direction; any chunking (1 byte at a time == one buffer).
  virtual void OnData(flow::Flow& flow, flow::Direction dir, ByteView data) = 0;
  // `length` bytes of `dir` are missing; the session resynchronises or degrades to volume.
  virtual void OnGap(flow::Flow& flow, flow::Direction dir, std::uint64_t length) = 0;
  // End of flow: finish pending units (emit their TransactionEvents).
  virtual void OnClose(flow::Flow& flow) = 0;
  virtual track::AppProto proto() const = 0;
  // TLS server name when known (for volume alerts), else empty.
  virtual std::string_view server_name() const { return {}; }
};

}  // namespace vigie::app
