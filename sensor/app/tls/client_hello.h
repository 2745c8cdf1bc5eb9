#pragma once
// TLS ClientHello body parser (RFC 8446 4.1.2) and JA4 fingerprint
// (https://github.com/FoxIO-LLC/ja4, technical_details/JA4.md).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"

namespace vigie::app::tls {

// GREASE values (RFC 8701): 0x?A?A with both bytes equal.
inline bool IsGrease(std::uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

struct ClientHello {
  std::uint16_t legacy_version = 0;
  std::vector<std::uint16_t> ciphers;             // as sent (GREASE included)
  std::vector<std::uint16_t> extensions;          // types, as sent
  std::vector<std::uint16_t> supported_versions;  // extension 43, as sent
  std::vector<std::uint16_t> signature_algorithms;  // extension 13, as sent
  std::string sni;                                // host_name; control bytes replaced by '?'
  std::vector<std::string> alpn;                  // protocol names, in order (raw bytes)
  bool has_sni_extension = false;
};

inline constexpr std::size_t kMaxAlpn = 16;
inline constexpr std::size_t kMaxSni = 255;

// `body` is the handshake message body (after the 4-byte handshake header). Returns nullopt when
// the fixed part is truncated or a length field overruns its container; a truncated or
// malformed extension block keeps what was parsed before it and sets `*partial`.
std::optional<ClientHello> ParseClientHello(ByteView body, bool* partial);

// "t13d1516h2_8daaf6152771_b186095e22b6". `transport` is 't' (TCP), 'q' (QUIC) or 'd' (DTLS).
std::string Ja4(const ClientHello& hello, char transport = 't');

// Highest non-GREASE supported_versions entry, else legacy_version.
std::uint16_t NegotiableVersion(const ClientHello& hello);

}  // namespace vigie::app::tls
