#include "core/time.h"

#include <cstdio>
#include <ctime>

namespace vigie {

std::string FormatIso8601(Timestamp ts) {
  std::int64_t secs = ts / kNanosPerSecond;
  std::int64_t nanos = ts % kNanosPerSecond;
  if (nanos < 0) { nanos += kNanosPerSecond; --secs; }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(nanos / 1000));
  return buf;
}

}  // namespace vigie
