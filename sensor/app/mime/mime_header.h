#pragma once
// MIME header value helpers: "type/subtype; param=value; param*0*=utf-8''a%20b" (RFC 2045,
// RFC 2231 continuations and extended values). Used by the MIME parser; HTTP may reuse them
// for its own Content-Type / Content-Disposition.
#include <string>
#include <string_view>

namespace vigie::app::mime {

std::string_view TrimBlanks(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);

struct ParsedHeader {
  std::string value;     // lower-case main value ("multipart/mixed", "attachment")
  std::string boundary;  // as sent (case matters)
  std::string charset;   // lower-case
  // The `filename` parameter family (filename=, filename*=, filename*0*= ...) and the `name`
  // family, kept apart: which one names a file depends on the header. In Content-Disposition
  // only `filename` does (`name` is a form-data field name, RFC 7578); in Content-Type `name`
  // is the legacy attachment name of mail clients (RFC 1341). Both RFC 2231 joined and
  // percent-decoded; control characters replaced by '?', at most kMaxFilename bytes.
  std::string filename;
  std::string name;
};
inline constexpr std::size_t kMaxFilename = 255;

ParsedHeader ParseHeaderValue(std::string_view value);

}  // namespace vigie::app::mime
