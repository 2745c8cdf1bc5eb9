#pragma once
// Start-up errors (bad config, unreadable file, bad signature). main() prints what() as one
// line on stderr and exits 2. Untrusted packet input never throws: it counts anomalies instead.
#include <stdexcept>
#include <string>

namespace vigie {

class StartupError : public std::runtime_error {
 public:
  explicit StartupError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace vigie
