#pragma once
// Native matchers: exact C++ equivalents of the default signature set's IBAN, e-mail and postal
// address regexes, run from their anchors instead of Hyperscan.
//
// Why: Hyperscan costs 120-580 ns per gated region whatever its length (its engines start at
// each region), and on PII-dense text (a person every 138 bytes) those three kinds made a
// region every ~40 bytes. Walking forward from the anchor costs tens of ns.
//
// The regex stays the specification. The loader recognises a pattern by its exact text, flags
// and anchor kind (RecognizeNative); a pattern written any other way simply stays with
// Hyperscan. A gated group whose patterns are all recognised runs natively; the patterns are
// still compiled (syntax errors are reported the same way) but their database is dropped.
// tests/match/native_finder_test.cc checks each matcher against Hyperscan running the same
// regex on generated texts (every end, every chunking), and that the default set is recognised.
//
// Semantics reproduced: Hyperscan reports each (pattern, end) once, whatever the number of
// starts; \b is relative to [A-Za-z0-9_]; the start and the end of the data are \b. Each
// matcher reports the ends of the matches whose anchor (anchor_finder.h) is at d[a]; every
// match has exactly one such anchor, so the union over anchors is every match.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace vigie::match {

struct NativePattern {
  enum class Kind : std::uint8_t {
    kNone,
    kIbanCompact,      // \b(?:CC|..)[0-9]{2}[0-9A-Z]{min,max}\b
    kIbanGrouped,      // \b(?:CC|..)[0-9]{2}(?: [0-9A-Z]{4}){groups}( [0-9A-Z]{last})?\b
    kEmail,            // the default e-mail regex
    kAddressField,     // the default address regex ending on a field terminator
    kAddressPostcode,  // the default address regex ending on ", 75002 P"
  };
  Kind kind = Kind::kNone;
  std::uint8_t min_len = 0, max_len = 0;  // kIbanCompact
  std::uint8_t groups = 0, last = 0;      // kIbanGrouped
  std::array<std::uint64_t, 11> countries{};  // IBAN country codes accepted: bit (c0 - 'A') * 26 + c1 - 'A'

  // Whether deciding a match ending at e reads the byte at e (a final \b).
  unsigned lookahead() const { return kind == Kind::kAddressField || kind == Kind::kAddressPostcode ? 0 : 1; }
};

// The patterns of one gated group (one anchor kind), each with its Hyperscan expression id.
using NativeGroup = std::vector<std::pair<unsigned, NativePattern>>;

// The native matcher of `regex` (Hyperscan flags `hs_flags`, declared anchor kind `anchor`,
// an AnchorKind), or kind kNone when there is none.
NativePattern RecognizeNative(std::string_view regex, unsigned hs_flags, unsigned anchor);

// What a matcher sees around one anchor.
struct NativeInput {
  const std::uint8_t* d = nullptr;
  std::size_t n = 0;        // bytes available: d[0, n)
  std::size_t a = 0;        // the anchor's offset (a < n); the caller gives >= kNativeBack bytes before it
                            // unless the data starts less than that before it
  bool data_start = false;  // d[0] is the first byte of the data (a \b before it)
  bool data_end = false;    // the data ends at n (a \b there); otherwise bytes from n on are unknown
  std::size_t limit = 0;    // ends beyond this are not reported (the anchor's `after` bound)
};
inline constexpr std::size_t kNativeBack = 16;  // bytes before the anchor a matcher may read

struct NativeEnd {
  std::uint32_t end;  // offset in d, one past the match
  unsigned id;        // the pattern's expression id
  unsigned lookahead;
};
// Appends to `ends`, pattern by pattern in increasing end order, the match ends of the group's
// patterns whose anchor is at d[a] that the available bytes decide (those needing bytes at or
// past n are not reported). Returns true when no further end can exist (false: call again once
// more bytes are known; the ends already reported are reported again).
bool NativeEnds(const NativeGroup& group, const NativeInput& in, std::vector<NativeEnd>& ends);
// The same, walking byte by byte only (NativeEnds classifies 16 bytes per step where 16 are
// readable): the reference the tests compare NativeEnds with.
bool NativeEndsByteByByte(const NativeGroup& group, const NativeInput& in, std::vector<NativeEnd>& ends);

}  // namespace vigie::match
