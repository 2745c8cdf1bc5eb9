#include "app/mime/mime_parser.h"

#include <cstring>

#include "app/mime/mime_header.h"

namespace vigie::app::mime {

MimeMetrics::MimeMetrics(metrics::CounterSet& set) {
  for (std::size_t i = 0; i < anomalies_.size(); ++i) {
    anomalies_[i] = &set.Counter("vigie_mime_anomalies_total", "MIME oddities seen while parsing, by reason",
                                 {{"reason", std::string(kAnomalyNames[i])}});
  }
}

void MimeParser::Headers::Clear() {
  content_type.clear();
  boundary.clear();
  charset.clear();
  filename.clear();
  name.clear();
  attachment = false;
  encoding = TransferEncoding::kIdentity;
}

MimeParser::MimeParser(MimeSink& sink, MimeMetrics* metrics) : sink_(sink), metrics_(metrics) {}

namespace {
std::string_view StripEol(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}
}  // namespace

void MimeParser::StartEntity() {
  line_.clear();
  long_line_ = false;
  pending_eol_ = false;
  header_.clear();
  header_truncated_ = false;
  headers_.Clear();
  in_leaf_ = false;
  depth_ = 0;
  parts_ = 0;
  decoded_bytes_ = 0;
  state_ = State::kHeaders;
}

void MimeParser::StartMultipart(std::string_view boundary) {
  StartEntity();
  if (boundary.empty() || boundary.size() > kMaxBoundary) {
    Count(Anomaly::kMissingBoundary);
    // Without a usable boundary the body is one opaque part: scan it whole.
    state_ = State::kHeaders;
    EndHeaders();
    return;
  }
  stack_[0].boundary.assign(boundary);
  depth_ = 1;
  state_ = State::kPreamble;
}

void MimeParser::Feed(ByteView data) {
  if (state_ == State::kIdle) return;
  std::size_t pos = 0;
  while (pos < data.size()) {
    const void* nl = std::memchr(data.data() + pos, '\n', data.size() - pos);
    std::size_t end = nl != nullptr ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - data.data()) + 1
                                    : data.size();
    std::string_view piece = AsStringView(data.subspan(pos, end - pos));
    bool complete = nl != nullptr;
    pos = end;
    if (long_line_) {
      OnLongPiece(piece, false, complete);
      if (complete) long_line_ = false;
      continue;
    }
    if (line_.empty() && complete && piece.size() <= kMaxLine) {
      OnLine(piece);  // the common case: a whole line inside this chunk, no copy
      continue;
    }
    if (line_.size() + piece.size() <= kMaxLine) {
      line_.append(piece);
      if (complete) {
        OnLine(line_);
        line_.clear();
      }
      continue;
    }
    // Over-long line: it cannot be a delimiter, pass what we hold and the rest through.
    long_line_ = !complete;
    if (!line_.empty()) {
      OnLongPiece(line_, true, false);
      OnLongPiece(piece, false, complete);
    } else {
      OnLongPiece(piece, true, complete);
    }
    line_.clear();
  }
}

void MimeParser::OnLongPiece(std::string_view piece, bool first, bool ends_line) {
  std::string_view text = ends_line ? StripEol(piece) : piece;
  switch (state_) {
    case State::kHeaders:
      if (first) {
        Count(Anomaly::kHeaderTooLong);
        OnHeaderLine(text.substr(0, kMaxHeader));
      }
      return;
    case State::kBody:
      if (pending_eol_) BodyBytes(AsBytes("\r\n"));
      pending_eol_ = ends_line;
      BodyBytes(AsBytes(text));
      return;
    default:
      return;
  }
}

void MimeParser::OnLine(std::string_view line) {
  std::string_view text = StripEol(line);
  if (depth_ > 0 && text.size() >= 2 && text[0] == '-' && text[1] == '-') {
    bool close = false;
    int level = MatchBoundary(text, &close);
    if (level >= 0) {
      if (state_ == State::kHeaders) {
        ProcessHeader(header_);
        header_.clear();
      }
      if (in_leaf_) EndLeaf();
      if (level < depth_ - 1) Count(Anomaly::kMissingCloseBoundary);  // inner multipart left open
      if (close) {
        depth_ = level;
        state_ = State::kEpilogue;
      } else {
        depth_ = level + 1;
        headers_.Clear();
        header_.clear();
        header_truncated_ = false;
        state_ = State::kHeaders;
      }
      return;
    }
  }
  switch (state_) {
    case State::kHeaders:
      OnHeaderLine(text);
      if (state_ == State::kBody && !text.empty()) {
        // A non-header line ended the header block: it is body content.
        BodyBytes(AsBytes(text));
        pending_eol_ = true;
      }
      return;
    case State::kBody:
      if (pending_eol_) BodyBytes(AsBytes("\r\n"));
      BodyBytes(AsBytes(text));
      pending_eol_ = true;
      return;
    default:
      return;  // preamble, epilogue: not content
  }
}

void MimeParser::OnHeaderLine(std::string_view line) {
  if (line.empty()) {
    ProcessHeader(header_);
    header_.clear();
    EndHeaders();
    return;
  }
  if (line[0] == ' ' || line[0] == '\t') {  // folded continuation
    if (header_.size() + line.size() > kMaxHeader) {
      if (!header_truncated_) Count(Anomaly::kHeaderTooLong), header_truncated_ = true;
      header_.append(line.substr(0, kMaxHeader - std::min(kMaxHeader, header_.size())));
    } else {
      header_.append(line);
    }
    return;
  }
  ProcessHeader(header_);
  header_.clear();
  header_truncated_ = false;
  if (line.find(':') == std::string_view::npos) {
    // Not a header: the block ended without its blank line. Body starts here.
    EndHeaders();
    return;
  }
  if (line.size() > kMaxHeader) {
    Count(Anomaly::kHeaderTooLong);
    header_truncated_ = true;
    line = line.substr(0, kMaxHeader);
  }
  header_.assign(line);
}

void MimeParser::ProcessHeader(std::string_view header) {
  std::size_t colon = header.find(':');
  if (colon == std::string_view::npos) return;
  std::string_view name = TrimBlanks(header.substr(0, colon));
  std::string_view value = header.substr(colon + 1);
  if (EqualsIgnoreCase(name, "content-type")) {
    ParsedHeader p = ParseHeaderValue(value);
    headers_.content_type = std::move(p.value);
    headers_.boundary = std::move(p.boundary);
    headers_.charset = std::move(p.charset);
    // Legacy mail clients name attachments here (Content-Type: ...; name="x.pdf").
    if (!p.name.empty()) headers_.name = std::move(p.name);
  } else if (EqualsIgnoreCase(name, "content-transfer-encoding")) {
    std::string v = ToLower(TrimBlanks(value));
    if (v == "base64") {
      headers_.encoding = TransferEncoding::kBase64;
    } else if (v == "quoted-printable") {
      headers_.encoding = TransferEncoding::kQuotedPrintable;
    } else {
      headers_.encoding = TransferEncoding::kIdentity;
    }
  } else if (EqualsIgnoreCase(name, "content-disposition")) {
    ParsedHeader p = ParseHeaderValue(value);
    headers_.attachment = p.value == "attachment";
    // Only filename= names a file here: `form-data; name="comment"` is a form field, not a file.
    if (!p.filename.empty()) headers_.filename = std::move(p.filename);
  }
}

void MimeParser::EndHeaders() {
  const bool multipart = headers_.content_type.starts_with("multipart/");
  if (multipart) {
    if (headers_.boundary.empty() || headers_.boundary.size() > kMaxBoundary) {
      Count(Anomaly::kMissingBoundary);
    } else if (depth_ >= kMaxDepth) {
      Count(Anomaly::kDepthExceeded);
    } else {
      stack_[static_cast<std::size_t>(depth_)].boundary = headers_.boundary;
      ++depth_;
      state_ = State::kPreamble;
      return;
    }
  }
  BeginLeaf();
  state_ = State::kBody;
}

int MimeParser::MatchBoundary(std::string_view text, bool* close) const {
  std::string_view rest = text.substr(2);
  for (int i = depth_ - 1; i >= 0; --i) {
    const std::string& b = stack_[static_cast<std::size_t>(i)].boundary;
    if (!rest.starts_with(b)) continue;
    std::string_view tail = rest.substr(b.size());
    bool is_close = tail.starts_with("--");
    if (is_close) tail.remove_prefix(2);
    if (!TrimBlanks(tail).empty()) continue;  // "--b" is a prefix of a longer token
    *close = is_close;
    return i;
  }
  return -1;
}

void MimeParser::BeginLeaf() {
  if (++parts_ == kMaxParts + 1) Count(Anomaly::kTooManyParts);
  part_.content_type = headers_.content_type.empty() ? "text/plain" : headers_.content_type;
  part_.charset = headers_.charset;
  part_.filename = !headers_.filename.empty() ? headers_.filename : headers_.name;
  part_.attachment = headers_.attachment || !part_.filename.empty();
  part_.encoding = headers_.encoding;
  part_.depth = depth_;
  b64_.Reset();
  qp_.Reset();
  part_size_ = 0;
  pending_eol_ = false;
  in_leaf_ = true;
  sink_.OnPartBegin(part_);
}

void MimeParser::EndLeaf() {
  auto out = [this](ByteView v) { Emit(v); };
  if (part_.encoding == TransferEncoding::kBase64) {
    b64_.Flush(out);
    if (b64_.errors() > 0) Count(Anomaly::kBadBase64);
  } else if (part_.encoding == TransferEncoding::kQuotedPrintable) {
    qp_.Flush(out);
    if (qp_.errors() > 0) Count(Anomaly::kBadQuotedPrintable);
  }
  in_leaf_ = false;
  pending_eol_ = false;
  sink_.OnPartEnd(part_, part_size_);
}

void MimeParser::BodyBytes(ByteView data) {
  if (!in_leaf_ || data.empty()) return;
  auto out = [this](ByteView v) { Emit(v); };
  switch (part_.encoding) {
    case TransferEncoding::kBase64: b64_.Feed(data, out); break;
    case TransferEncoding::kQuotedPrintable: qp_.Feed(data, out); break;
    default: Emit(data); break;
  }
}

void MimeParser::Emit(ByteView decoded) {
  part_size_ += decoded.size();
  decoded_bytes_ += decoded.size();
  sink_.OnPartData(decoded);
}

void MimeParser::Gap() {
  if (state_ == State::kIdle) return;
  line_.clear();
  long_line_ = false;
  pending_eol_ = false;
  if (state_ == State::kHeaders) header_.clear();
  if (in_leaf_) {
    // Hand out what was decoded before the hole; the next bytes start a fresh quantum.
    auto out = [this](ByteView v) { Emit(v); };
    if (part_.encoding == TransferEncoding::kBase64) b64_.Flush(out);
    if (part_.encoding == TransferEncoding::kQuotedPrintable) qp_.Flush(out);
    sink_.OnPartGap();
  }
}

void MimeParser::Finish() {
  if (state_ == State::kIdle) return;
  if (!line_.empty()) {
    std::string last;
    last.swap(line_);
    OnLine(last);
  }
  if (state_ == State::kHeaders) {
    ProcessHeader(header_);
    header_.clear();
  }
  if (in_leaf_) EndLeaf();
  if (depth_ > 0) Count(Anomaly::kMissingCloseBoundary);
  depth_ = 0;
  state_ = State::kIdle;
}

}  // namespace vigie::app::mime
