#pragma once
// Builds the DataPath of an event from the flow and the direction the data travelled.
#include <string>

#include "flow/flow.h"
#include "track/events.h"

namespace vigie::app {

// `sent` is the direction of the data: kToServer → src = client; kToClient → src = server.
// `community_id` is passed in so sessions compute it once per flow, not per event.
inline track::DataPath MakeDataPath(const flow::Flow& f, flow::Direction sent, const std::string& community_id) {
  track::DataPath p;
  const flow::Endpoint& src = sent == flow::Direction::kToServer ? f.client : f.server;
  const flow::Endpoint& dst = sent == flow::Direction::kToServer ? f.server : f.client;
  p.src_ip = src.ip;
  p.src_port = src.port;
  p.dest_ip = dst.ip;
  p.dest_port = dst.port;
  p.proto = f.proto;
  p.community_id = community_id;
  return p;
}

}  // namespace vigie::app
