#pragma once
// AnchorFinder: the vectorised gate in front of the Hyperscan pattern database.
//
// Every regex of the default signature set has a short, rare byte shape that any of its matches
// must contain (its ANCHOR), at a bounded distance from the match's start and end. One pass
// over the data (AVX-512 VBMI: 64 bytes per step; AVX2: 32 bytes per step, a nibble prefilter
// then the definition at the few positions it passes; a scalar loop elsewhere, for tests:
// without AVX2 the scanner leaves the gate off) finds the anchor positions; the
// scanner then runs Hyperscan only on the regions around them ([anchor - before, anchor +
// after]) instead of over every byte. Text without anchors (binary, encrypted-looking data,
// most API JSON) never reaches Hyperscan. A signature declares each pattern's anchor
// (`anchor: {kind, before, after}` in the YAML); a pattern without one disables the gate.
//
// Anchor kinds (position i is the anchor's offset; each condition is on single bytes):
//   iban       i-1 not in [A-Za-z0-9_] (\b); i, i+1 in [A-Z]; i+2, i+3 in [0-9]  (country, check)
//   at_sign    i-1 in [A-Za-z0-9._%+-]; i = '@'; i+1 in [A-Za-z0-9-]
//   plus33     i-1 in {'+', '0'}; i = '3'; i+1 = '3'                (+33 and 0033)
//   street     i-1 in [0-9,sSrR]; i = ' '; i+1 in [rabcipqsv] any case (number [bis|ter][,] type);
//              and its head: the bytes before i, less an optional ',', end with a digit or with
//              "bis" / "ter" any case (i-2 .. i-4: not a table condition, checked where the
//              tables pass; those before the data but `before` are unknown and satisfy it)
//   date_sep   i-1 in [0-9]; i in {'-', '/'}; i+1, i+2 in [0-9]; i+3 in {'-', '/'}  (9-05-, 12/05/)
//   midnight   i-1 in [0-9]; i = 'T'; i+1, i+2 = '0'; i+3 = ':'   (a date written as a datetime at
//              midnight, 1985-05-12T00:00:00: .NET's DateTime; rare elsewhere, unlike any timestamp)
// A kind also bounds what follows its anchor (its TAIL): every byte of a match after the anchor
// is in the tail class, except at most `extra` bytes from the first byte outside it on; so a
// region can end `extra` bytes after that first byte (instead of `after` bytes past the anchor):
//   iban [A-Z0-9 ] +0, at_sign [A-Za-z0-9.-] +0 (the domain), plus33 [0-9 .()-] +0 ("(0)"),
//   date_sep [0-9/-] +0, midnight [0-9:Z] +0, street [0-9A-Za-z\x80-\xff' .-] +9 (type and name; then a terminator
//   [",;\r\n<] or ", 75011 P").
// A pattern declaring a kind promises this too (tests/match/gate_test.cc checks the default set).
// Bytes before the data: given by the caller (`before`, the byte at -1), or unknown (-1: a
// condition on it is false — the pattern needs that byte — except iban's \b, true at the
// start). Bytes after the data are unknown and count as satisfying every condition (the finder
// over-approximates at the end of a chunk; the scanner's region then simply covers the next
// chunk's start).
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace vigie::match {

enum AnchorKind : std::uint8_t {
  kAnchorIban = 1,
  kAnchorAtSign = 2,
  kAnchorPlus33 = 4,
  kAnchorStreet = 8,
  kAnchorDateSep = 16,
  kAnchorMidnight = 32,
};
inline constexpr unsigned kAnchorAll = 63;
inline constexpr unsigned kAnchorKinds = 6;

std::optional<AnchorKind> AnchorKindFromName(std::string_view name);
inline constexpr const char* kAnchorKindNames = "iban, at_sign, plus33, street, date_sep, midnight";

class AnchorFinder {
 public:
  enum class Impl : std::uint8_t { kAuto, kScalar, kAvx2, kAvx512 };  // kAvx512: AVX-512 VBMI
  // Largest n for Find(): entries pack the offset with the kinds.
  static constexpr std::size_t kMaxBytes = std::size_t{1} << 26;
  explicit AnchorFinder(unsigned kinds = kAnchorAll, Impl impl = Impl::kAuto);
  unsigned kinds() const { return kinds_; }
  Impl impl() const { return impl_; }
  // Appends, in increasing offset order, one entry per i in [0, n) where an enabled anchor is
  // (see above): Entry(i, kinds there). REQUIRES: n <= kMaxBytes.
  void Find(const std::uint8_t* data, std::size_t n, int before, std::vector<std::uint32_t>& out) const;
  static std::uint32_t Entry(std::size_t offset, unsigned kinds) { return static_cast<std::uint32_t>(offset << 6 | kinds); }
  static std::size_t Offset(std::uint32_t entry) { return entry >> 6; }
  static unsigned Kinds(std::uint32_t entry) { return entry & kAnchorAll; }

  // The definition at one position (bit set = kind's conditions hold; `before` is the byte
  // preceding data[0], or -1 when unknown); used for the scalar path and tests.
  unsigned KindsAt(const std::uint8_t* data, std::size_t n, std::size_t i, int before) const;
  // The same but street's head (the vector paths: Find checks it on their entries).
  unsigned TableKindsAt(const std::uint8_t* data, std::size_t n, std::size_t i, int before) const;
  // Per relative position -1..3 (index 0..4): kinds whose condition an ASCII byte satisfies,
  // and the kinds without a condition there (what bytes >= 0x80 and unknown bytes before get).
  const std::array<std::array<std::uint8_t, 128>, 5>& tables() const { return tables_; }
  const std::array<std::uint8_t, 5>& any() const { return any_; }
  // The vector path's prefilter: three conditions of each kind on three consecutive bytes j,
  // j + 1, j + 2 (bit set = kind's condition holds there; ASCII bytes only, no kind accepts a
  // byte >= 0x80 there). The kPreShifted kinds (at_sign, plus33, street: their conditions all lie
  // on i - 1 .. i + 1; date_sep: its digit, separator, digit, which text's "SKU-502" or a UUID's
  // "e-4b1c" fail, where its separator and two digits pass) are tested at j = i - 1 with their
  // conditions at -1, 0, 1, the others (iban, midnight) at j = i with those at 0, 1, 2: every
  // anchor at i passes the prefilter at j = i or i - 1, and all but ~0.07 % of random-byte
  // positions fail it (~4 % of 64-byte blocks; positions i, i + 1, i + 2 for every kind:
  // ~0.17 %, most of them at_sign's '@' then a domain byte).
  static constexpr unsigned kPreShifted = kAnchorAtSign | kAnchorPlus33 | kAnchorStreet | kAnchorDateSep;
  const std::array<std::array<std::uint8_t, 128>, 3>& pre_tables() const { return pre_tables_; }
  bool pre_usable() const { return pre_usable_; }  // false: some byte >= 0x80 passes (no prefilter)
  // The AVX2 path's prefilter: pre_tables() widened to what two 16-entry lookups can say, for
  // each of the three bytes, bits(lo nibble) & bits(hi nibble); a position passes where some
  // bit holds at all three bytes. Bits 0..5 are the kinds, each condition widened to the
  // smallest rectangle of nibbles covering it; bits 6 and 7 copies of a kind whose condition at
  // one byte is several rectangles, holding one of them (the kind's own bit the others): every
  // triple pre_tables() passes passes here (bytes >= 0x80 get the kinds that accept them).
  // Positions passing it are then checked by the definition (KindsAt).
  const std::array<std::array<std::uint8_t, 16>, 3>& pre_lo_nibble() const { return pre_lo_nibble_; }
  const std::array<std::array<std::uint8_t, 16>, 3>& pre_hi_nibble() const { return pre_hi_nibble_; }
  // The AVX2 path's second stage, on the blocks the prefilter passed: the definition's five
  // conditions (relative positions -1..3) by nibble lookups. A byte's bit b is set when its lo
  // nibble's and its hi nibble's entries both have it: each bit is a rectangle of bytes (hi
  // nibbles x lo nibbles). Bits 0..5 are the kinds; bits 6 and 7 (spare[0], spare[1]: the kind
  // they stand for, or 0) add a rectangle to one kind where its condition is not one (a digit,
  // ',' or "rRsS" before a street's blank: three), chosen for the text they let through (see
  // the constructor). The kinds of a position are a superset of KindsAt's.
  struct NibbleRule {
    std::array<std::uint8_t, 16> lo{}, hi{};
    std::array<std::uint8_t, 2> spare{};
  };
  const std::array<NibbleRule, 5>& nibble_rules() const { return nibble_rules_; }
  // The tail of one kind (a single AnchorKind bit): class and extra bytes (see above).
  struct TailRule {
    std::array<bool, 256> in{};
    std::uint32_t extra = 0;
  };
  const TailRule& Tail(unsigned kind) const {
    return tails_[static_cast<std::size_t>(__builtin_ctz(kind | (1u << (kAnchorKinds - 1))))];
  }

 private:
  unsigned kinds_;
  Impl impl_;
  std::array<std::array<std::uint8_t, 128>, 5> tables_{};
  std::array<std::uint8_t, 5> any_{};
  std::array<std::array<std::uint8_t, 128>, 3> pre_tables_{};
  bool pre_usable_ = true;
  std::array<std::array<std::uint8_t, 16>, 3> pre_lo_nibble_{};
  std::array<std::array<std::uint8_t, 16>, 3> pre_hi_nibble_{};
  std::array<NibbleRule, 5> nibble_rules_{};
  std::array<TailRule, kAnchorKinds> tails_{};  // by kind bit index
};

}  // namespace vigie::match
