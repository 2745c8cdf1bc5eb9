#pragma once
// Alert → one JSON line (no trailing newline), key order exactly as ARCHITECTURE.md.
#include <string>

#include "alert/alert.h"

namespace vigie::alert {

// Strings that are not valid UTF-8 are written with U+FFFD replacements, never thrown on.
std::string ToJson(const Alert& a);

// "TCP", "UDP", "ICMP" or the protocol number.
std::string ProtoName(std::uint8_t proto);

}  // namespace vigie::alert
