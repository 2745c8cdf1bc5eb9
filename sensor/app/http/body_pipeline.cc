#include "app/http/body_pipeline.h"

#include <algorithm>

#include "app/mime/mime_header.h"

namespace vigie::app::http {

BodyPipeline::BodyPipeline(match::Scanner* scanner, HttpMetrics& metrics) : scanner_(scanner), metrics_(metrics) {}

void BodyPipeline::SetObserver(BodyObserver* observer, const flow::Flow* flow, flow::Direction dir) {
  tap_.observer = observer;
  tap_.flow = flow;
  tap_.dir = dir;
}

void BodyPipeline::TapSink::Write(ByteView data) {
  observer->OnBodyData(*flow, dir, data);
  next->Write(data);
}

void BodyPipeline::Begin(std::string_view codings, std::string_view content_type, const DecompressLimits& limits,
                         std::uint64_t body_limit) {
  if (scanner_ && !scan_) scan_.emplace(*scanner_);
  decoded_ = wire_ = 0;
  skip_ = false;
  body_limit_ = body_limit;
  nlayers_ = 0;
  entry_ = this;
  mime_active_ = false;
  parts_ = named_parts_ = 0;
  nnames_ = 0;

  const std::string_view full_type = content_type;
  content_type = Trim(content_type.substr(0, content_type.find(';')));
  unscanned_ = IStartsWith(content_type, "image/") || IStartsWith(content_type, "audio/") ||
               IStartsWith(content_type, "video/") || IStartsWith(content_type, "font/");
  if (IStartsWith(content_type, "multipart/")) {
    const mime::ParsedHeader ct = mime::ParseHeaderValue(full_type);
    if (ct.boundary.empty()) {
      metrics_.mime.Count(mime::Anomaly::kMissingBoundary);  // scanned raw below
    } else {
      if (!mime_) mime_ = std::make_unique<mime::MimeParser>(static_cast<mime::MimeSink&>(*this), &metrics_.mime);
      mime_->StartMultipart(ct.boundary);
      mime_active_ = true;
      metrics_.multipart.Inc();
    }
  }
  form_active_ = IEquals(content_type, "application/x-www-form-urlencoded");
  // JSON bodies: labelled (IsJsonMediaType), or sniffed under a type that may hide JSON.
  json_active_ = !form_active_ && !mime_active_ && !unscanned_ && json_.decoder.Begin(content_type, "");
  zip_.Begin(scan_ ? &*scan_ : nullptr, limits, &metrics_.zip);
  ByteSink* post = this;
  if (form_active_) {
    form_.decoder.Reset();
    form_.next = this;
    post = &form_;
  } else if (json_active_) {
    json_.next = this;
    post = &json_;
  }
  if (tap_.observer != nullptr) {  // sees the decompressed body, before the text decoders
    tap_.next = post;
    post = &tap_;
  }

  // Collect the codings; any unknown one means we cannot decode: scan the raw bytes.
  Encoding encs[kMaxLayers];
  std::size_t n = 0;
  bool unknown = false, too_many = false;
  while (!codings.empty()) {
    const auto comma = codings.find(',');
    const std::string_view tok = Trim(codings.substr(0, comma));
    codings = comma == std::string_view::npos ? std::string_view{} : codings.substr(comma + 1);
    if (tok.empty()) continue;
    const auto enc = ParseEncoding(tok);
    if (!enc) {
      unknown = true;
      continue;
    }
    if (*enc == Encoding::kIdentity) continue;
    if (n == kMaxLayers) {
      too_many = true;
      continue;
    }
    encs[n++] = *enc;
  }
  if (unknown) metrics_.anomalies[static_cast<std::size_t>(Anomaly::kUnknownEncoding)]->Inc();
  if (too_many) metrics_.anomalies[static_cast<std::size_t>(Anomaly::kTooManyEncodings)]->Inc();
  if (unknown || too_many) n = 0;
  coding_failed_ = unknown || too_many;

  ByteSink* next = post;
  for (std::size_t i = 0; i < n; ++i) {  // encs[0] was applied first, so it is decoded last
    if (!layers_[i]) layers_[i] = std::make_unique<Decompressor>();
    layers_[i]->Reset(encs[i], limits, next);
    metrics_.decoded[static_cast<std::size_t>(encs[i])]->Inc();
    next = layers_[i].get();
  }
  nlayers_ = n;
  entry_ = next;
}

void BodyPipeline::ScanExtra(std::string_view text) {
  if (!scan_ || text.empty()) return;
  scan_->Feed(AsBytes(text));
  scan_->NextPart();  // the body is read from its own start (a CSV upload's header, a page's markup)
}

void BodyPipeline::Body(ByteView wire) {
  wire_ += wire.size();
  if (skip_) return;
  if (body_limit_ > 0 && decoded_ >= body_limit_) return;
  entry_->Write(wire);
}

void BodyPipeline::BodyGap() {
  if (tap_.observer != nullptr) tap_.observer->OnBodyGap(*tap_.flow, tap_.dir);
  // A partial escape held before the hole is passed on verbatim now: the bytes after the hole
  // must not complete it.
  if (form_active_) form_.Flush();
  if (json_active_) json_.Flush();
  // Same for the open MIME part's JSON unescaper (mime_->Gap() below may not be reached).
  if (mime_active_) json_part_.Flush([this](ByteView d) { ScanPart(d); });
  zip_.Gap();  // (the body's scan, or the open part's)
  // A hole in a compressed stream cannot be decoded past; plain bodies just continue.
  if (nlayers_ > 0) skip_ = true;
  if (mime_active_ && !skip_) mime_->Gap();
}

void BodyPipeline::Write(ByteView data) {
  if (body_limit_ > 0) {
    if (decoded_ >= body_limit_) return;
    data = data.first(static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), body_limit_ - decoded_)));
  }
  decoded_ += data.size();
  if (mime_active_) {
    mime_->Feed(data);
    return;
  }
  if (!unscanned_) zip_.Feed(data);
}

void BodyPipeline::OnPartBegin(const mime::PartInfo& part) {
  // Each part is read from its start as a unit is (a CSV attachment's header types its columns,
  // an HTML part is markup); matches do not join the end of what came before to it.
  if (scan_) scan_->NextPart();
  json_part_.Begin(part.content_type, part.filename);
  zip_.NextPart();
}

void BodyPipeline::ScanPart(ByteView data) { zip_.Feed(data); }

void BodyPipeline::OnPartData(ByteView decoded) {
  json_part_.Feed(decoded, [this](ByteView d) { ScanPart(d); });
}

void BodyPipeline::OnPartEnd(const mime::PartInfo& part, std::uint64_t decoded_size) {
  json_part_.Flush([this](ByteView d) { ScanPart(d); });
  zip_.End();
  ++parts_;
  if (!part.attachment) return;  // nameless parts are scanned, not listed
  ++named_parts_;
  if (nnames_ == names_.size()) return;
  PartName& n = names_[nnames_++];
  if (part.filename.empty()) {
    n.name.assign("(unnamed)");
  } else {
    n.name.assign(part.filename);
  }
  n.size = decoded_size;
}

void BodyPipeline::OnPartGap() {
  json_part_.Flush([this](ByteView d) { ScanPart(d); });
  zip_.Gap();
}

void BodyPipeline::AppendParts(std::string* detail) const {
  if (named_parts_ == 0) return;
  detail->append("; parts: ");
  for (std::size_t i = 0; i < nnames_; ++i) {
    if (i > 0) detail->append(", ");
    detail->append(names_[i].name);
    detail->append(" (");
    detail->append(std::to_string(names_[i].size));
    detail->append(" B)");
  }
  if (named_parts_ > nnames_) detail->append(", +" + std::to_string(named_parts_ - nnames_) + " more");
}

match::ScanSummary BodyPipeline::End() {
  // Finish in decoding order (outermost layer first) so replayed raw bytes flow downstream.
  for (std::size_t i = nlayers_; i-- > 0;) {
    Decompressor& d = *layers_[i];
    if (!skip_) d.Finish();
    const auto idx = static_cast<std::size_t>(d.encoding());
    if (d.status() == Decompressor::Status::kBomb) {
      metrics_.bombs.Inc();
      coding_failed_ = true;
    }
    if (d.status() == Decompressor::Status::kError) {
      metrics_.errors[idx]->Inc();
      coding_failed_ = true;
    }
  }
  if (form_active_) form_.Flush();
  if (json_active_) json_.Flush();
  if (mime_active_) {
    // Flushes and closes an open part; a missing closing boundary is counted by the parser.
    mime_->Finish();
    mime_active_ = false;
  }
  zip_.End();
  metrics_.wire_bytes.Inc(wire_);
  metrics_.decoded_bytes.Inc(decoded_);
  if (unscanned_ && decoded_ > 0) metrics_.media_skipped.Inc();
  nlayers_ = 0;
  entry_ = this;
  if (!scan_) {
    match::ScanSummary s;
    s.bytes_scanned = 0;
    return s;
  }
  return scan_->Finish();
}

}  // namespace vigie::app::http
