#pragma once
// Builds the DataPath of an event from the flow and the direction the data travelled.
#include <string>

#include "flow/flow.h"
#include "track/events.h"

namespace vigie::app {

// `sent` is the direction of the data: kToServer → src = client; kToClient → src = server.
// The Community ID stays empty: it costs a SHA-1 per flow, and the tracker derives it from the
// path for the rare alert that needs it (Tracker::Emit; it is symmetric in the endpoints).
inline track::DataPath MakeDataPath(const flow::Flow& f, flow::Direction sent) {
  track::DataPath p;
  const flow::Endpoint& src = sent == flow::Direction::kToServer ? f.client : f.server;
  const flow::Endpoint& dst = sent == flow::Direction::kToServer ? f.server : f.client;
  p.src_ip = src.ip;
  p.src_port = src.port;
  p.dest_ip = dst.ip;
  p.dest_port = dst.port;
  p.proto = f.proto;
  return p;
}

}  // namespace vigie::app
