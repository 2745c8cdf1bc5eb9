#include "app/smtp/smtp_session.h"

#include <algorithm>
#include <cstring>

#include "app/mime/mime_header.h"

namespace vigie::app {

namespace smtp {
SmtpMetrics::SmtpMetrics(metrics::CounterSet& set)
    : messages(&set.Counter("vigie_smtp_messages_total", "E-mail messages seen (DATA or BDAT)")),
      attachments(&set.Counter("vigie_smtp_attachments_total", "E-mail attachments seen")),
      starttls(&set.Counter("vigie_smtp_starttls_total", "SMTP sessions switched to TLS (content no longer visible)")),
      mime(set),
      zip(set) {
  for (std::size_t i = 0; i < anomalies.size(); ++i)
    anomalies[i] = &set.Counter("vigie_smtp_anomalies_total", "SMTP oddities, by reason",
                                {{"reason", std::string(kAnomalyNames[i])}});
}
}  // namespace smtp

namespace {
using mime::EqualsIgnoreCase;

// Moves one line out of `data` into `*line` (without CR LF). Returns false when `data` ran out
// first: the partial line then waits in `buf`. Lines over `max` keep their first `max` bytes.
bool TakeLine(ByteView& data, std::string& buf, bool& overflow, std::size_t max, std::string_view* line,
              bool* too_long) {
  const void* nl = std::memchr(data.data(), '\n', data.size());
  std::size_t n = nl != nullptr ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - data.data()) : data.size();
  std::string_view piece = AsStringView(data.first(n));
  *too_long = false;
  if (nl == nullptr) {
    if (buf.size() + piece.size() > max) {
      if (!overflow) *too_long = true;
      overflow = true;
      buf.append(piece.substr(0, max - std::min(max, buf.size())));
    } else {
      buf.append(piece);
    }
    data = data.subspan(n);
    return false;
  }
  data = data.subspan(n + 1);
  if (buf.empty() && !overflow && piece.size() <= max) {
    *line = piece;
  } else {
    if (buf.size() + piece.size() > max && !overflow) *too_long = true;
    buf.append(piece.substr(0, max - std::min(max, buf.size())));
    *line = buf;
  }
  overflow = false;
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  return true;
}

std::string_view Word(std::string_view* rest) {
  std::string_view s = mime::TrimBlanks(*rest);
  std::size_t sp = s.find(' ');
  std::string_view w = s.substr(0, sp);
  *rest = sp == std::string_view::npos ? std::string_view() : s.substr(sp + 1);
  return w;
}
}  // namespace

SmtpSession::SmtpSession(const AppContext& ctx, flow::Flow& /*flow*/)
    : ctx_(ctx),
      metrics_(DecoderMetrics<smtp::SmtpMetrics>(ctx, smtp::SmtpMetrics::kSlot)),
      mime_(*this, &metrics_.mime) {}

void SmtpSession::OnData(flow::Flow& flow, flow::Direction dir, ByteView data) {
  if (tls_) return;
  if (dir == flow::Direction::kToServer) {
    ClientData(flow, data);
  } else {
    ServerData(data);
  }
}

void SmtpSession::ClientData(flow::Flow& flow, ByteView data) {
  while (!data.empty() && !tls_) {
    switch (client_) {
      case Client::kDataWait:
        // Content before the 354 was seen (one-sided capture, or reply lost): it is content.
        client_ = Client::kData;
        BeginMessage();
        [[fallthrough]];
      case Client::kData:
        data = data.subspan(DataBytes(flow, data));
        break;
      case Client::kBdat: {
        std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(bdat_left_, data.size()));
        Content(data.first(take));
        data = data.subspan(take);
        bdat_left_ -= take;
        if (bdat_left_ == 0) {
          client_ = Client::kCommand;
          Push(Cmd::kOther);
          if (bdat_last_) FinishMessage(flow);
        }
        break;
      }
      default: {
        std::string_view line;
        bool too_long = false;
        bool got = TakeLine(data, cline_, cline_overflow_, kMaxLine, &line, &too_long);
        if (too_long) metrics_.Count(smtp::Anomaly::kLineTooLong);
        if (!got) return;
        OnCommand(flow, line);
        cline_.clear();
        break;
      }
    }
  }
}

void SmtpSession::OnCommand(flow::Flow& flow, std::string_view line) {
  switch (client_) {
    case Client::kAuthPlain:
      if (line != "*") SetAuthUser(line, true);
      client_ = Client::kCommand;
      return;
    case Client::kAuthLoginUser:
      if (line == "*") {
        client_ = Client::kCommand;
        return;
      }
      SetAuthUser(line, false);
      client_ = Client::kAuthLoginPass;
      return;
    case Client::kAuthLoginPass:  // the password: never looked at
      client_ = Client::kCommand;
      return;
    default:
      break;
  }
  std::string_view args = line;
  std::string_view verb = Word(&args);
  if (verb.empty()) return;
  auto is = [&](std::string_view v) { return EqualsIgnoreCase(verb, v); };
  if (is("MAIL")) {
    if (in_message_) FinishMessage(flow);
    ResetEnvelope();
    sender_ = smtp::MaskAddress(smtp::PathArgument(args));
    Push(Cmd::kOther);
  } else if (is("RCPT")) {
    ++rcpts_;
    Push(Cmd::kOther);
  } else if (is("DATA")) {
    Push(Cmd::kData);
    client_ = Client::kDataWait;
    dot_ = Dot::kLineStart;
  } else if (is("BDAT")) {
    auto b = smtp::ParseBdat(args);
    if (!b) {
      metrics_.Count(smtp::Anomaly::kBadBdat);
      Push(Cmd::kOther);
      return;
    }
    if (!in_message_) BeginMessage();
    bdat_left_ = b->size;
    bdat_last_ = b->last;
    if (b->size > 0) {
      client_ = Client::kBdat;
    } else {
      Push(Cmd::kOther);
      if (b->last) FinishMessage(flow);
    }
  } else if (is("RSET")) {
    if (in_message_) FinishMessage(flow);  // the bytes went over the wire all the same
    ResetEnvelope();
    Push(Cmd::kOther);
  } else if (is("STARTTLS")) {
    Push(Cmd::kStartTls);
  } else if (is("AUTH")) {
    std::string_view mech = Word(&args);
    std::string_view initial = Word(&args);
    Push(Cmd::kAuth);
    if (EqualsIgnoreCase(mech, "PLAIN")) {
      if (initial.empty()) {
        client_ = Client::kAuthPlain;
      } else if (initial != "=") {
        SetAuthUser(initial, true);
      }
    } else if (EqualsIgnoreCase(mech, "LOGIN")) {
      if (initial.empty()) {
        client_ = Client::kAuthLoginUser;
      } else {
        SetAuthUser(initial, false);
        client_ = Client::kAuthLoginPass;
      }
    }
  } else if (is("EHLO") || is("HELO") || is("LHLO") || is("QUIT") || is("NOOP") || is("VRFY") || is("EXPN") ||
             is("HELP") || is("ETRN") || is("XCLIENT") || is("XFORWARD") || is("TURN") || is("ATRN")) {
    Push(Cmd::kOther);
  } else {
    metrics_.Count(smtp::Anomaly::kUnknownCommand);
    Push(Cmd::kOther);
  }
}

void SmtpSession::SetAuthUser(std::string_view base64_user, bool plain) {
  auto decoded = smtp::DecodeBase64(base64_user);
  if (!decoded) {
    metrics_.Count(smtp::Anomaly::kBadAuth);
    return;
  }
  std::string_view user = *decoded;
  if (plain) {
    // authzid NUL authcid NUL passwd: the account is authcid. The password is dropped here.
    std::size_t a = user.find('\0');
    std::size_t b = a == std::string_view::npos ? a : user.find('\0', a + 1);
    if (b == std::string_view::npos) {
      metrics_.Count(smtp::Anomaly::kBadAuth);
      return;
    }
    user = user.substr(a + 1, b - a - 1);
  }
  account_ = smtp::SafeAccount(user);
}

void SmtpSession::Push(Cmd c) {
  if (pending_count_ == kMaxPending) {
    metrics_.Count(smtp::Anomaly::kReplyQueueOverflow);
    pending_head_ = (pending_head_ + 1) % kMaxPending;  // forget the oldest
    --pending_count_;
  }
  pending_[(pending_head_ + pending_count_) % kMaxPending] = c;
  ++pending_count_;
}

void SmtpSession::ServerData(ByteView data) {
  while (!data.empty() && !tls_) {
    std::string_view line;
    bool too_long = false;
    bool got = TakeLine(data, sline_, sline_overflow_, kMaxLine, &line, &too_long);
    if (too_long) metrics_.Count(smtp::Anomaly::kLineTooLong);
    if (!got) return;
    OnReply(line);
    sline_.clear();
  }
}

void SmtpSession::OnReply(std::string_view line) {
  if (line.size() < 3 || line[0] < '1' || line[0] > '5') return;
  if (line.size() > 3 && line[3] == '-') return;  // not the last line of a multi-line reply
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (pending_count_ == 0) return;  // greeting, or a reply we cannot pair
  Cmd c = pending_[pending_head_];
  if (c == Cmd::kAuth && code == 334) return;  // challenge: the exchange goes on
  pending_head_ = (pending_head_ + 1) % kMaxPending;
  --pending_count_;
  switch (c) {
    case Cmd::kData:
      if (code == 354 && client_ == Client::kDataWait) {
        client_ = Client::kData;
        BeginMessage();
      } else if (code != 354 && client_ == Client::kDataWait) {
        client_ = Client::kCommand;  // refused: no content follows
      }
      break;
    case Cmd::kStartTls:
      if (code == 220) {
        tls_ = true;
        metrics_.starttls->Inc();
        cline_.clear();
        sline_.clear();
      }
      break;
    case Cmd::kAuth:
      if (code >= 400) account_.clear();
      if (client_ == Client::kAuthPlain || client_ == Client::kAuthLoginUser || client_ == Client::kAuthLoginPass)
        client_ = Client::kCommand;
      break;
    default:
      break;
  }
}

std::size_t SmtpSession::DataBytes(flow::Flow& flow, ByteView data) {
  static constexpr std::uint8_t kCr[1] = {'\r'};
  std::size_t run = 0;  // start of the bytes not yet handed on
  for (std::size_t i = 0; i < data.size(); ++i) {
    const std::uint8_t c = data[i];
    switch (dot_) {
      case Dot::kMid:
        if (c == '\r') dot_ = Dot::kCr;
        break;
      case Dot::kCr:
        dot_ = c == '\n' ? Dot::kLineStart : c == '\r' ? Dot::kCr : Dot::kMid;
        break;
      case Dot::kLineStart:
        if (c == '.') {
          Content(data.subspan(run, i - run));
          run = i + 1;
          dot_ = Dot::kDot;
        } else {
          dot_ = c == '\r' ? Dot::kCr : Dot::kMid;
        }
        break;
      case Dot::kDot:
        if (c == '\r') {
          run = i + 1;
          dot_ = Dot::kDotCr;
        } else if (c == '\n') {  // bare ".\n": lenient end of data
          FinishMessage(flow);
          Push(Cmd::kDataEnd);
          client_ = Client::kCommand;
          return i + 1;
        } else {
          run = i;  // the dot was stuffing; this byte is content
          dot_ = Dot::kMid;
        }
        break;
      case Dot::kDotCr:
        if (c == '\n') {
          FinishMessage(flow);
          Push(Cmd::kDataEnd);
          client_ = Client::kCommand;
          return i + 1;
        }
        Content(ByteView(kCr, 1));  // ".\rX": the dot was stuffing, the CR is content
        run = i;
        dot_ = c == '\r' ? Dot::kCr : Dot::kMid;
        break;
    }
  }
  if (run < data.size() && dot_ != Dot::kDot && dot_ != Dot::kDotCr) Content(data.subspan(run));
  return data.size();
}

void SmtpSession::Content(ByteView data) {
  if (!data.empty()) mime_.Feed(data);
}

void SmtpSession::BeginMessage() {
  // Opened on the first message only: most SMTP flows carry none, or are STARTTLS.
  if (!scan_ && ctx_.scanner != nullptr) scan_.emplace(*ctx_.scanner);
  in_message_ = true;
  decoded_ = 0;
  attachment_count_ = 0;
  attachments_.clear();
  mime_.StartEntity();
}

void SmtpSession::FinishMessage(flow::Flow& flow) {
  if (!in_message_) return;
  mime_.Finish();
  in_message_ = false;
  metrics_.messages->Inc();
  metrics_.attachments->Inc(attachment_count_);
  track::TransactionEvent e;
  e.ts = flow.last_seen;
  e.path.src_ip = flow.client.ip;
  e.path.src_port = flow.client.port;
  e.path.dest_ip = flow.server.ip;
  e.path.dest_port = flow.server.port;
  e.path.proto = 6;
  e.app_proto = track::AppProto::kSmtp;
  e.account = account_;
  e.client_ip = flow.client.ip;
  e.bytes = decoded_;
  if (scan_) e.pii = scan_->Finish();
  e.detail = "mail from " + (sender_.empty() ? std::string("?") : sender_) + " to " + std::to_string(rcpts_) + " rcpt";
  if (attachment_count_ > 0) {
    e.detail += "; attachments: ";
    for (std::size_t i = 0; i < attachments_.size(); ++i) {
      if (i > 0) e.detail += ", ";
      e.detail += attachments_[i].name + " (" + std::to_string(attachments_[i].size) + " B)";
    }
    if (attachment_count_ > attachments_.size())
      e.detail += ", +" + std::to_string(attachment_count_ - attachments_.size()) + " more";
  }
  if (ctx_.events != nullptr) ctx_.events->OnTransaction(e);
  attachments_.clear();
  ResetEnvelope();
}

void SmtpSession::ResetEnvelope() {
  sender_.clear();
  rcpts_ = 0;
}

void SmtpSession::OnPartBegin(const mime::PartInfo& part) {
  // Each part is read from its start as a unit is (a CSV attachment's header types its columns,
  // an HTML part is markup); matches do not join the end of what came before to it.
  if (scan_) scan_->NextPart();
  json_part_.Begin(part.content_type, part.filename);
  zip_.Begin(scan_ ? &*scan_ : nullptr, DecompressLimitsOf(ctx_), &metrics_.zip);
}

void SmtpSession::ScanPart(ByteView data) { zip_.Feed(data); }

void SmtpSession::OnPartData(ByteView decoded) {
  decoded_ += decoded.size();  // MIME-decoded bytes, before the JSON-part unescaping
  json_part_.Feed(decoded, [this](ByteView d) { ScanPart(d); });
}

void SmtpSession::OnPartEnd(const mime::PartInfo& part, std::uint64_t decoded_size) {
  json_part_.Flush([this](ByteView d) { ScanPart(d); });
  zip_.End();
  if (!part.attachment) return;
  ++attachment_count_;
  if (attachments_.size() < kMaxAttachmentNames)
    attachments_.push_back({part.filename.empty() ? std::string("(unnamed)") : part.filename, decoded_size});
}

void SmtpSession::OnPartGap() {
  json_part_.Flush([this](ByteView d) { ScanPart(d); });  // never completed across the hole
  zip_.Gap();
}

void SmtpSession::OnGap(flow::Flow& flow, flow::Direction dir, std::uint64_t length) {
  if (tls_) return;
  if (dir == flow::Direction::kToClient) {
    sline_.clear();
    sline_overflow_ = false;
    pending_count_ = 0;
    return;
  }
  metrics_.Count(smtp::Anomaly::kGap);
  switch (client_) {
    case Client::kData:
      mime_.Gap();
      dot_ = Dot::kMid;
      break;
    case Client::kBdat:
      mime_.Gap();
      if (length < bdat_left_) {
        bdat_left_ -= length;
      } else {
        // The hole swallowed the end of the chunk and maybe commands: resume on commands.
        bdat_left_ = 0;
        client_ = Client::kCommand;
        if (bdat_last_) FinishMessage(flow);
      }
      break;
    default:
      cline_.clear();
      cline_overflow_ = false;
      if (client_ != Client::kDataWait) client_ = Client::kCommand;
      break;
  }
}

void SmtpSession::OnClose(flow::Flow& flow) {
  if (in_message_) {
    metrics_.Count(smtp::Anomaly::kTruncatedMessage);
    FinishMessage(flow);
  }
}

}  // namespace vigie::app
