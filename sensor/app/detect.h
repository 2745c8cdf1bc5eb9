#pragma once
// Protocol detection by content (the port is only a hint): the first bytes a TCP flow carries
// in one direction decide which decoder gets it.
#include <cstddef>
#include <cstdint>

#include "core/bytes.h"
#include "flow/flow.h"
#include "track/events.h"

namespace vigie::app {

// Bytes the router buffers per direction before giving up and choosing raw.
inline constexpr std::size_t kDetectMaxBytes = 64;

// Returns the protocol, kUnknown when `first_bytes` is too short to decide yet (the caller
// buffers up to kDetectMaxBytes), or kRaw when it matches nothing.
//   HTTP: request line (known method + space) or "HTTP/1." status line
//   TLS:  record 0x16 0x03 {0x00..0x04}, handshake type 1 (ClientHello) or 2 (ServerHello,
//         midstream pickup)
//   SMTP: server "220 "/"220-" banner with "SMTP" on the line (or any 220 banner on 25/587/465/2525),
//         client "EHLO "/"HELO "
//   DNS over TCP: server port 53 and a plausible length-prefixed header
track::AppProto DetectTcp(ByteView first_bytes, flow::Direction dir, std::uint16_t server_port);

// A UDP datagram that looks like a DNS message (used when neither port is 53): a query with
// one question whose name parses.
bool LooksLikeDnsDatagram(ByteView d);

}  // namespace vigie::app
