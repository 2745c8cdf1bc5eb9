#pragma once
// Small SMTP helpers, kept apart so they can be tested alone.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigie::app::smtp {

// "j.dupont@Example.FR" → "j***@example.fr"; "<>" stays "<>"; control bytes become '?'.
// At most 1 + 3 + 1 + 64 characters.
std::string MaskAddress(std::string_view address);

// The address inside "FROM:<a@b> SIZE=12" / "TO: <a@b>" (after the colon, brackets removed).
std::string_view PathArgument(std::string_view args);

// Whole base64 text (no line breaks) → bytes; nullopt when it is not valid base64.
std::optional<std::string> DecodeBase64(std::string_view text);

// A user name made safe for logs and alerts: control bytes → '?', at most 128 bytes.
std::string SafeAccount(std::string_view user);

// Parses "BDAT <size> [LAST]" arguments.
struct BdatArgs {
  std::uint64_t size = 0;
  bool last = false;
};
std::optional<BdatArgs> ParseBdat(std::string_view args);

}  // namespace vigie::app::smtp
