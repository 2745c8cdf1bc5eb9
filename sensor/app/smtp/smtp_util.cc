#include "app/smtp/smtp_util.h"

#include "app/mime/mime_decoders.h"
#include "app/mime/mime_header.h"
#include "core/bytes.h"

namespace vigie::app::smtp {

namespace {
char Safe(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c; }
}  // namespace

std::string MaskAddress(std::string_view address) {
  if (address.empty() || address == "<>") return "<>";
  std::size_t at = address.rfind('@');
  std::string out(1, Safe(address[0]));
  out += "***";
  if (at != std::string_view::npos) {
    out += '@';
    std::string_view domain = address.substr(at + 1, 64);
    for (char c : domain) out += Safe((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

std::string_view PathArgument(std::string_view args) {
  std::size_t colon = args.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view v = mime::TrimBlanks(args.substr(colon + 1));
  if (!v.empty() && v[0] == '<') {
    std::size_t close = v.find('>');
    return close == std::string_view::npos ? v.substr(1) : v.substr(1, close - 1);
  }
  return v.substr(0, v.find(' '));
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  mime::Base64Decoder d;
  std::string out;
  auto sink = [&out](ByteView v) { out.append(AsStringView(v)); };
  d.Feed(AsBytes(text), sink);
  d.Flush(sink);
  if (d.errors() > 0) return std::nullopt;
  return out;
}

std::string SafeAccount(std::string_view user) {
  std::string out(user.substr(0, 128));
  for (char& c : out) c = Safe(c);
  return out;
}

std::optional<BdatArgs> ParseBdat(std::string_view args) {
  args = mime::TrimBlanks(args);
  BdatArgs b;
  std::size_t i = 0;
  if (args.empty()) return std::nullopt;
  for (; i < args.size() && args[i] >= '0' && args[i] <= '9'; ++i) {
    if (i >= 15) return std::nullopt;  // beyond any sane chunk
    b.size = b.size * 10 + static_cast<std::uint64_t>(args[i] - '0');
  }
  if (i == 0) return std::nullopt;
  std::string_view rest = mime::TrimBlanks(args.substr(i));
  if (rest.empty()) return b;
  if (!mime::EqualsIgnoreCase(rest, "LAST")) return std::nullopt;
  b.last = true;
  return b;
}

}  // namespace vigie::app::smtp
