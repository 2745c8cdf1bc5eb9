#pragma once
// DNS message parser (RFC 1035 section 4): header, questions, and a walk over the answer
// section. Bounded and allocation-free: names land in fixed buffers.
//
// Name compression is hostile ground: a pointer must point strictly before the start of the
// label run that contains it (so every jump moves backward and the walk terminates), at most
// kMaxJumps jumps are followed, the wire name is at most 255 bytes, and labels are 1..63 bytes
// (length bytes 0x40..0xBF are invalid). Violations end parsing with a named error.
#include <array>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"

namespace vigie::app::dns {

enum class DnsError : std::uint8_t {
  kNone,
  kTruncatedHeader,    // fewer than 12 bytes
  kTruncatedName,      // a name runs past the end of the message
  kBadLabel,           // label length byte 0x40..0xBF (label > 63 or reserved type)
  kForwardPointer,     // compression pointer to itself or further on
  kPointerLoop,        // pointer back into the run already read, or too many jumps
  kNameTooLong,        // wire name over 255 bytes
  kTruncatedQuestion,  // qtype/qclass missing
  kTruncatedAnswer,    // an answer record runs past the end of the message
  kCount
};
inline constexpr std::array<std::string_view, static_cast<std::size_t>(DnsError::kCount)> kDnsErrorNames = {
    "none",          "truncated_header", "truncated_name",     "bad_label",       "forward_pointer",
    "pointer_loop", "name_too_long",    "truncated_question", "truncated_answer"};

inline constexpr int kMaxJumps = 16;
inline constexpr std::size_t kMaxWireName = 255;
// Presentation form: lower-case, no trailing dot, '.' and '\' inside labels escaped as "\.",
// "\\", bytes outside 0x21..0x7E as "\DDD" (as dig prints them). Worst case 4 chars per byte.
inline constexpr std::size_t kMaxTextName = 4 * kMaxWireName;

struct DnsName {
  std::array<char, kMaxTextName> text{};
  std::size_t size = 0;
  std::uint8_t labels = 0;
  std::string_view view() const { return {text.data(), size}; }
};

// Reads the name at `*offset`; on success `*offset` is just past it (past the first pointer
// when compressed). out == nullptr: the name is checked (the same errors) but not written (the
// answers' owner names, questions past kMaxQuestions).
DnsError ReadName(ByteView msg, std::size_t* offset, DnsName* out);

struct DnsQuestion {
  DnsName name;
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
};

struct DnsMessage {
  static constexpr std::size_t kMaxQuestions = 4;  // more are counted, not kept

  std::uint16_t id = 0;
  bool response = false;
  std::uint8_t opcode = 0;
  std::uint8_t rcode = 0;
  bool truncated = false;  // TC bit
  std::uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  std::array<DnsQuestion, kMaxQuestions> questions;
  std::size_t question_count = 0;  // parsed and kept (<= kMaxQuestions)
  std::uint32_t answers = 0;       // answer records walked successfully
  std::uint32_t answer_bytes = 0;  // sum of their RDATA lengths
  DnsError error = DnsError::kNone;  // first problem met; fields before it are valid
};

// REQUIRES: `out` is reused by the caller (it is large); it is reset here.
void ParseDnsMessage(ByteView msg, DnsMessage* out);

}  // namespace vigie::app::dns
