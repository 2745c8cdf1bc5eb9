#include "app/http/http_framer.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "app/http/http_util.h"

namespace vigie::app::http {

std::string_view HttpHead::Get(std::string_view name) const {
  for (std::size_t i = 0; i < count; ++i)
    if (IEquals(fields[i].name, name)) return fields[i].value;
  return {};
}

bool HttpHead::Has(std::string_view name) const {
  for (std::size_t i = 0; i < count; ++i)
    if (IEquals(fields[i].name, name)) return true;
  return false;
}

void HttpHead::Join(std::string_view name, std::string* out) const {
  out->clear();
  for (std::size_t i = 0; i < count; ++i) {
    if (!IEquals(fields[i].name, name)) continue;
    if (!out->empty()) out->append(", ");
    out->append(fields[i].value);
  }
}

namespace {
constexpr std::string_view kMethods[] = {
    "GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ",
    "PROPFIND ", "PROPPATCH ", "MKCOL ", "COPY ", "MOVE ", "LOCK ", "UNLOCK ", "REPORT ", "SEARCH "};

// An HTTP/0.9 Request-URI: an absolute path or an http(s) URI, one token (no space or
// control byte). Anything else after "GET " is not taken for HTTP (e.g. a Redis "GET key").
bool IsHttp09Target(std::string_view t) {
  if (t.empty() || !(t.front() == '/' || IStartsWith(t, "http://") || IStartsWith(t, "https://"))) return false;
  for (char c : t)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  return true;
}

int PrefixMatch(std::string_view s, std::string_view want) {
  const std::size_t n = std::min(s.size(), want.size());
  if (s.substr(0, n) != want.substr(0, n)) return -1;
  return s.size() >= want.size() ? 1 : 0;
}
}  // namespace

int HttpFramer::LooksLikeRequestStart(std::string_view s) {
  bool maybe = false;
  for (auto m : kMethods) {
    const int v = PrefixMatch(s, m);
    if (v > 0) return 1;
    if (v == 0) maybe = true;
  }
  return maybe ? 0 : -1;
}

int HttpFramer::LooksLikeResponseStart(std::string_view s) { return PrefixMatch(s, "HTTP/1."); }

HttpFramer::HttpFramer(bool request_side, std::uint32_t max_header_bytes, Handler& handler)
    : request_side_(request_side), max_header_bytes_(max_header_bytes), handler_(handler) {
  head_.is_request = request_side;
}

void HttpFramer::Feed(ByteView d) {
  while (!d.empty()) {
    std::size_t n = 0;
    switch (state_) {
      case State::kStartLine:
      case State::kHeaders:
      case State::kTrailers: {
        if (state_ == State::kStartLine && !request_side_ && line_.empty() && handler_.SimpleResponseNext()) {
          state_ = State::kSimpleProbe;
          probe_len_ = 0;
          break;  // n = 0: the same bytes go to the probe
        }
        bool complete = false;
        const State before = state_;
        n = ConsumeLine(d, &complete);
        if (!complete || state_ != before) break;
        std::string_view line = line_;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (state_ == State::kStartLine) {
          if (line.empty()) head_bytes_ = 0;  // blank lines between messages are tolerated
          if (!line.empty() && !OnStartLine(line)) {
            line_.push_back('\n');
            handler_.OnUnframed(AsBytes(line_));
            handler_.OnAnomaly(Anomaly::kBadStartLine);
            StartResync(true);
            break;
          }
          if (!line.empty() && head_.http09) {  // Simple-Request: no header block, no body
            line_.clear();
            OnHeadersDone();
            break;
          }
        } else if (state_ == State::kHeaders) {
          if (line.empty()) {
            line_.clear();
            OnHeadersDone();
            break;
          }
          OnHeaderLine(line);
        } else if (line.empty()) {  // end of trailers (their fields are not used)
          EndMessage(true);
          break;
        }
        line_.clear();
        break;
      }
      case State::kBody:
      case State::kChunkData: {
        n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, d.size()));
        handler_.OnBody(d.first(n));
        remaining_ -= n;
        if (remaining_ == 0) {
          if (state_ == State::kBody) {
            EndMessage(true);
          } else {
            state_ = State::kChunkDataEnd;
            chunk_cr_ = false;
          }
        }
        break;
      }
      case State::kChunkSize:
      case State::kChunkExt:
        n = DoChunkSize(d);
        break;
      case State::kChunkDataEnd: {
        const char c = static_cast<char>(d[0]);
        n = 1;
        if (c == '\r' && !chunk_cr_) {
          chunk_cr_ = true;
        } else if (c == '\n') {
          state_ = State::kChunkSize;
          remaining_ = 0;
          chunk_digits_ = false;
        } else {
          handler_.OnAnomaly(Anomaly::kBadChunkTerminator);
          EndMessage(false);
          StartResync(true);
          n = 0;  // this byte may start the next line
        }
        break;
      }
      case State::kUntilClose:
        n = d.size();
        handler_.OnBody(d);
        break;
      case State::kTunnel:
        n = d.size();
        break;
      case State::kResync:
        n = DoResync(d);
        break;
      case State::kSimpleProbe:
        n = DoSimpleProbe(d);
        break;
    }
    d = d.subspan(n);
  }
}

std::size_t HttpFramer::ConsumeLine(ByteView d, bool* complete) {
  const void* nl = std::memchr(d.data(), '\n', d.size());
  const std::size_t take = nl ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - d.data()) : d.size();
  head_bytes_ += take + (nl ? 1 : 0);
  if (head_bytes_ > max_header_bytes_) {
    // The whole offending line is unframed: what is held of it, this piece, and (through the
    // resync below) the rest up to its '\n'. Which line overflows does not depend on chunking.
    if (!line_.empty()) handler_.OnUnframed(AsBytes(line_));
    handler_.OnUnframed(d.first(take + (nl ? 1 : 0)));
    handler_.OnAnomaly(Anomaly::kHeaderTooLarge);
    EndMessage(false);
    StartResync(false);
    // The rest of this oversized line cannot be a start line.
    probe_skip_ = !nl;
    return take + (nl ? 1 : 0);
  }
  line_.append(reinterpret_cast<const char*>(d.data()), take);
  *complete = nl != nullptr;
  return take + (nl ? 1 : 0);
}

bool HttpFramer::OnStartLine(std::string_view line) {
  head_.count = 0;
  head_.http09 = false;
  pending_field_ = false;
  if (request_side_) {
    const auto sp1 = line.find(' ');
    if (sp1 == std::string_view::npos || sp1 == 0 || sp1 > 20) return false;
    for (std::size_t i = 0; i < sp1; ++i)
      if (!((line[i] >= 'A' && line[i] <= 'Z') || line[i] == '-' || line[i] == '_')) return false;
    const auto sp2 = line.rfind(' ');
    const std::string_view version = sp2 == sp1 ? std::string_view{} : line.substr(sp2 + 1);
    if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." || (version[7] != '0' && version[7] != '1')) {
      // HTTP/0.9 Simple-Request: "GET" SP Request-URI, the URI in one token.
      if (line.substr(0, sp1) != "GET" || !IsHttp09Target(Trim(line.substr(sp1 + 1)))) return false;
      head_.method.assign("GET");
      head_.target.assign(Trim(line.substr(sp1 + 1)));
      head_.version_minor = 9;
      head_.http09 = true;
      head_.status = 0;
      state_ = State::kHeaders;
      return true;
    }
    std::string_view target = Trim(line.substr(sp1 + 1, sp2 - sp1 - 1));
    if (target.empty()) return false;
    head_.method.assign(line.substr(0, sp1));
    head_.target.assign(target);
    head_.version_minor = version[7] - '0';
    head_.status = 0;
  } else {
    if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || (line[7] != '0' && line[7] != '1') || line[8] != ' ')
      return false;
    int status = 0;
    for (int i = 9; i < 12; ++i) {
      if (line[i] < '0' || line[i] > '9') return false;
      status = status * 10 + (line[i] - '0');
    }
    if (line.size() > 12 && line[12] != ' ') return false;
    if (status < 100) return false;
    head_.status = status;
    head_.version_minor = line[7] - '0';
    head_.method.clear();
    head_.target.clear();
  }
  state_ = State::kHeaders;
  return true;
}

void HttpFramer::OnHeaderLine(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') {
    if (!pending_field_) {
      handler_.OnAnomaly(Anomaly::kBadHeaderLine);
      return;
    }
    handler_.OnAnomaly(Anomaly::kObsFold);
    auto& v = head_.fields[head_.count - 1].value;
    const auto more = Trim(line);
    if (!more.empty()) {
      if (!v.empty()) v.push_back(' ');
      v.append(more);
    }
    return;
  }
  const auto colon = line.find(':');
  const std::string_view name = colon == std::string_view::npos ? std::string_view{} : line.substr(0, colon);
  if (name.empty() || name.find_first_of(" \t") != std::string_view::npos) {
    handler_.OnAnomaly(Anomaly::kBadHeaderLine);
    pending_field_ = false;
    return;
  }
  if (head_.count == head_.fields.size()) head_.fields.emplace_back();
  auto& f = head_.fields[head_.count++];
  f.name.assign(name);
  f.value.assign(Trim(line.substr(colon + 1)));
  pending_field_ = true;
}

void HttpFramer::OnHeadersDone() {
  in_message_ = true;
  head_bytes_ = 0;
  const BodyPlan plan = handler_.OnHead(head_);
  switch (plan.kind) {
    case BodyKind::kNone:
      EndMessage(true);
      break;
    case BodyKind::kLength:
      if (plan.length == 0) {
        EndMessage(true);
      } else {
        remaining_ = plan.length;
        state_ = State::kBody;
      }
      break;
    case BodyKind::kChunked:
      state_ = State::kChunkSize;
      remaining_ = 0;
      chunk_digits_ = false;
      break;
    case BodyKind::kUntilClose:
      state_ = State::kUntilClose;
      break;
    case BodyKind::kTunnel:
      EndMessage(true);
      state_ = State::kTunnel;
      break;
    case BodyKind::kAwaitResync:
      EndMessage(true);
      StartResync(false);
      break;
  }
}

std::size_t HttpFramer::DoChunkSize(ByteView d) {
  for (std::size_t i = 0; i < d.size(); ++i) {
    const char c = static_cast<char>(d[i]);
    if (state_ == State::kChunkExt) {
      if (c == '\n') goto size_done;
      if (++head_bytes_ > max_header_bytes_) {
        handler_.OnAnomaly(Anomaly::kHeaderTooLarge);
        EndMessage(false);
        StartResync(false);
        probe_skip_ = true;
        return i + 1;
      }
      continue;
    }
    {
      const int v = HexValue(c);
      if (v >= 0) {
        if (remaining_ > (std::numeric_limits<std::uint64_t>::max() >> 4)) {
          handler_.OnAnomaly(Anomaly::kChunkSizeOverflow);
          EndMessage(false);
          StartResync(false);
          probe_skip_ = true;  // the rest of the size line is not a start line
          return i + 1;
        }
        remaining_ = (remaining_ << 4) | static_cast<std::uint64_t>(v);
        chunk_digits_ = true;
        continue;
      }
      if (c == '\r') continue;
      if (chunk_digits_ && (c == ';' || c == ' ' || c == '\t')) {
        state_ = State::kChunkExt;
        head_bytes_ = 0;
        continue;
      }
      if (c == '\n' && chunk_digits_) goto size_done;
      handler_.OnAnomaly(Anomaly::kBadChunkSize);
      EndMessage(false);
      StartResync(true);
      return i;  // the offending byte may start a new line
    }
  size_done:
    head_bytes_ = 0;
    if (remaining_ == 0) {
      state_ = State::kTrailers;
      line_.clear();
    } else {
      state_ = State::kChunkData;
    }
    return i + 1;
  }
  return d.size();
}

std::size_t HttpFramer::DoResync(ByteView d) {
  // Every byte consumed here is either the start of the next start line (kept in line_) or
  // unframed (reported). The probe may straddle calls: `held` of its bytes came with earlier
  // calls and sit in probe_ only; the others are also in d. d[run, i) is not yet reported.
  std::size_t held = probe_len_;
  bool held_live = held > 0;  // the held bytes are still the current probe
  std::size_t run = 0;
  std::size_t i = 0;
  const auto report = [&](std::size_t end) {  // held bytes (if no longer live), then d[run, end)
    if (held > 0 && !held_live) {
      handler_.OnUnframed(ByteView(reinterpret_cast<const std::uint8_t*>(probe_), held));
      held = 0;
    }
    if (end > run) handler_.OnUnframed(d.subspan(run, end - run));
    run = end;
  };
  while (i < d.size()) {
    if (probe_skip_) {
      const void* nl = std::memchr(d.data() + i, '\n', d.size() - i);
      if (!nl) {
        i = d.size();
        break;
      }
      i = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - d.data()) + 1;
      probe_skip_ = false;
      continue;
    }
    const char c = static_cast<char>(d[i++]);
    if (c == '\n') {
      probe_len_ = 0;
      if (held_live) {  // the held probe was garbage: report it before probe_ is reused
        held_live = false;
        report(i);
      }
      continue;
    }
    if (c == '\r' && probe_len_ == 0) continue;
    probe_[probe_len_++] = c;
    const std::string_view probe(probe_, probe_len_);
    const int v = request_side_ ? LooksLikeRequestStart(probe) : LooksLikeResponseStart(probe);
    if (v > 0) {
      const std::size_t in_d = held_live ? probe_len_ - held : probe_len_;
      if (held_live) held = 0;  // part of the start line, not garbage
      report(i - in_d);
      state_ = State::kStartLine;
      line_.assign(probe);
      head_bytes_ = probe_len_;
      probe_len_ = 0;
      return i;
    }
    if (v < 0 || probe_len_ == sizeof probe_) {
      probe_skip_ = true;
      probe_len_ = 0;
      if (held_live) {
        held_live = false;
        report(i);
      }
    }
  }
  // Bytes of a probe still undecided stay held (in probe_); everything before them is garbage.
  const std::size_t in_d = held_live ? probe_len_ - held : probe_len_;
  if (held_live) held = 0;
  report(i - in_d);
  return i;
}

void HttpFramer::FlushProbe() {
  if (probe_len_ > 0) handler_.OnUnframed(ByteView(reinterpret_cast<const std::uint8_t*>(probe_), probe_len_));
  probe_len_ = 0;
}

std::size_t HttpFramer::DoSimpleProbe(ByteView d) {
  std::size_t i = 0;
  while (i < d.size()) {
    probe_[probe_len_++] = static_cast<char>(d[i++]);
    const int v = LooksLikeResponseStart(std::string_view(probe_, probe_len_));
    if (v > 0) {  // an HTTP/1.x status line after all
      state_ = State::kStartLine;
      line_.assign(probe_, probe_len_);
      head_bytes_ = probe_len_;
      probe_len_ = 0;
      return i;
    }
    if (v < 0) {
      StartSimpleResponse();
      return i;
    }
  }
  return i;
}

void HttpFramer::StartSimpleResponse() {
  head_.count = 0;
  head_.http09 = true;
  head_.status = 0;
  head_.version_minor = 9;
  head_.method.clear();
  head_.target.clear();
  pending_field_ = false;
  char held[sizeof probe_];
  const std::size_t n = probe_len_;
  std::memcpy(held, probe_, n);
  probe_len_ = 0;
  OnHeadersDone();  // the handler plans kUntilClose: the held bytes are the body's first
  if (n > 0) Feed(ByteView(reinterpret_cast<const std::uint8_t*>(held), n));
}

void HttpFramer::StartResync(bool count) {
  if (count) handler_.OnAnomaly(Anomaly::kResync);
  state_ = State::kResync;
  probe_len_ = 0;
  probe_skip_ = false;
  line_.clear();
  head_bytes_ = 0;
}

void HttpFramer::EndMessage(bool complete) {
  state_ = State::kStartLine;
  line_.clear();
  head_bytes_ = 0;
  if (in_message_) {
    in_message_ = false;
    handler_.OnMessageEnd(complete);
  }
}

void HttpFramer::Gap(std::uint64_t length) {
  switch (state_) {
    case State::kBody:
    case State::kChunkData:
      if (length <= remaining_) {
        handler_.OnBodyGap(length);
        remaining_ -= length;
        if (remaining_ == 0) {
          if (state_ == State::kBody) {
            EndMessage(false);
          } else {
            state_ = State::kChunkDataEnd;
            chunk_cr_ = false;
          }
        }
        return;
      }
      handler_.OnBodyGap(remaining_);
      break;
    case State::kUntilClose:
      handler_.OnBodyGap(length);
      return;
    case State::kTunnel:
      return;
    case State::kResync:
      FlushProbe();
      probe_skip_ = false;
      return;
    case State::kSimpleProbe:  // not a status line so far: a Simple-Response with a hole
      StartSimpleResponse();
      Gap(length);
      return;
    case State::kStartLine:
      if (line_.empty() && !in_message_) {  // between messages: resync at the next byte
        StartResync(false);
        handler_.OnAnomaly(Anomaly::kGap);
        return;
      }
      if (!in_message_) handler_.OnUnframed(AsBytes(line_));  // a line cut by the hole
      break;
    default:
      break;
  }
  handler_.OnAnomaly(Anomaly::kGap);
  EndMessage(false);
  StartResync(false);
}

void HttpFramer::Close() {
  if (state_ == State::kSimpleProbe) StartSimpleResponse();  // a short Simple-Response
  if (state_ == State::kUntilClose) {
    EndMessage(true);
  } else if (in_message_) {
    handler_.OnAnomaly(Anomaly::kTruncatedBody);
    EndMessage(false);
  } else if (state_ == State::kResync) {
    FlushProbe();
  } else if (state_ == State::kStartLine && !line_.empty()) {  // an unterminated last line
    handler_.OnUnframed(AsBytes(line_));
    line_.clear();
  }
}

void HttpFramer::EnterTunnel() {
  if (state_ == State::kResync) FlushProbe();  // bytes sent while awaiting the answer
  EndMessage(true);
  state_ = State::kTunnel;
}

}  // namespace vigie::app::http
