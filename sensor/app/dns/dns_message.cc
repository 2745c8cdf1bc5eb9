#include "app/dns/dns_message.h"

namespace vigie::app::dns {

namespace {
void AppendChar(DnsName* out, char c) {
  if (out->size < out->text.size()) out->text[out->size++] = c;
}

// What a label byte becomes when it is written as itself (lower-cased), or 0 when it is escaped
// ('.', '\\', bytes outside 0x21..0x7e).
struct PlainTable {
  char c[256];
};
constexpr PlainTable MakePlainTable() {
  PlainTable t{};
  for (int b = 0x21; b <= 0x7e; ++b)
    if (b != '.' && b != '\\') t.c[b] = static_cast<char>(b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b);
  return t;
}
constexpr PlainTable kPlain = MakePlainTable();

void AppendLabelByte(DnsName* out, std::uint8_t b) {
  if (const char c = kPlain.c[b]; c != 0) {
    AppendChar(out, c);
  } else if (b == '.' || b == '\\') {
    AppendChar(out, '\\');
    AppendChar(out, static_cast<char>(b));
  } else {
    AppendChar(out, '\\');
    AppendChar(out, static_cast<char>('0' + b / 100));
    AppendChar(out, static_cast<char>('0' + (b / 10) % 10));
    AppendChar(out, static_cast<char>('0' + b % 10));
  }
}

// The label p[0, len) appended (len <= 63): a byte at a time without the room check while the
// worst case (four characters a byte) fits, AppendLabelByte from the first escaped byte on.
void AppendLabel(DnsName* out, const std::uint8_t* p, std::size_t len) {
  std::size_t i = 0;
  if (out->size + 4 * len <= out->text.size()) {
    char* text = out->text.data() + out->size;  // (a local end: no store of size a byte)
    for (; i < len; ++i) {
      const char c = kPlain.c[p[i]];
      if (c == 0) break;
      text[i] = c;
    }
    out->size += i;
  }
  for (; i < len; ++i) AppendLabelByte(out, p[i]);
}
}  // namespace

DnsError ReadName(ByteView msg, std::size_t* offset, DnsName* out) {
  if (out != nullptr) {
    out->size = 0;
    out->labels = 0;
  }
  std::size_t pos = *offset;
  std::size_t run_start = pos;  // first byte of the label run being read
  std::size_t end = 0;          // where the name ends in the original position (0 = not yet)
  std::size_t wire = 1;         // the root label
  int jumps = 0;
  for (;;) {
    if (pos >= msg.size()) return DnsError::kTruncatedName;
    std::uint8_t len = msg[pos];
    if ((len & 0xC0) == 0xC0) {
      if (pos + 1 >= msg.size()) return DnsError::kTruncatedName;
      std::size_t target = (static_cast<std::size_t>(len & 0x3F) << 8) | msg[pos + 1];
      if (target >= pos) return DnsError::kForwardPointer;
      if (target >= run_start || ++jumps > kMaxJumps) return DnsError::kPointerLoop;
      if (end == 0) end = pos + 2;
      pos = run_start = target;
      continue;
    }
    if ((len & 0xC0) != 0) return DnsError::kBadLabel;
    if (len == 0) {
      *offset = end != 0 ? end : pos + 1;
      return DnsError::kNone;
    }
    if (pos + 1 + len > msg.size()) return DnsError::kTruncatedName;
    wire += 1u + len;
    if (wire > kMaxWireName) return DnsError::kNameTooLong;
    if (out != nullptr) {
      if (out->labels > 0) AppendChar(out, '.');
      AppendLabel(out, msg.data() + pos + 1, len);
      ++out->labels;
    }
    pos += 1u + len;
  }
}

void ParseDnsMessage(ByteView msg, DnsMessage* out) {
  out->question_count = 0;
  out->answers = 0;
  out->answer_bytes = 0;
  out->error = DnsError::kNone;
  if (msg.size() < 12) {
    out->error = DnsError::kTruncatedHeader;
    return;
  }
  const std::uint8_t* p = msg.data();
  out->id = LoadBe16(p);
  out->response = (p[2] & 0x80) != 0;
  out->opcode = (p[2] >> 3) & 0x0F;
  out->truncated = (p[2] & 0x02) != 0;
  out->rcode = p[3] & 0x0F;
  out->qdcount = LoadBe16(p + 4);
  out->ancount = LoadBe16(p + 6);
  out->nscount = LoadBe16(p + 8);
  out->arcount = LoadBe16(p + 10);

  std::size_t off = 12;
  for (std::uint32_t i = 0; i < out->qdcount; ++i) {
    DnsQuestion* q = out->question_count < DnsMessage::kMaxQuestions ? &out->questions[out->question_count] : nullptr;
    DnsError e = ReadName(msg, &off, q != nullptr ? &q->name : nullptr);
    if (e != DnsError::kNone) {
      out->error = e;
      return;
    }
    if (off + 4 > msg.size()) {
      out->error = DnsError::kTruncatedQuestion;
      return;
    }
    if (q != nullptr) {
      q->qtype = LoadBe16(p + off);
      q->qclass = LoadBe16(p + off + 2);
      ++out->question_count;
    }
    off += 4;
  }
  for (std::uint32_t i = 0; i < out->ancount; ++i) {
    DnsError e = ReadName(msg, &off, nullptr);
    if (e != DnsError::kNone) {
      out->error = e;
      return;
    }
    if (off + 10 > msg.size()) {
      out->error = DnsError::kTruncatedAnswer;
      return;
    }
    std::uint16_t rdlength = LoadBe16(p + off + 8);
    off += 10;
    if (off + rdlength > msg.size()) {
      out->error = DnsError::kTruncatedAnswer;
      return;
    }
    off += rdlength;
    ++out->answers;
    out->answer_bytes += rdlength;
  }
}

}  // namespace vigie::app::dns
