#pragma once
// Packet time. Every clock in Vigie (windows, timeouts, alert timestamps) is packet time,
// so a replay behaves exactly as live traffic did.
#include <cstdint>
#include <string>

namespace vigie {

// Nanoseconds since the Unix epoch (UTC).
using Timestamp = std::int64_t;

inline constexpr Timestamp kNanosPerSecond = 1'000'000'000;
inline constexpr Timestamp Seconds(std::int64_t s) { return s * kNanosPerSecond; }

// "2024-02-06T10:15:02.123456Z" (microsecond precision, as EVE).
std::string FormatIso8601(Timestamp ts);

}  // namespace vigie
