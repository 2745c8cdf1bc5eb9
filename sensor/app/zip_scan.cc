#include "app/zip_scan.h"

#include <algorithm>
#include <cstring>

namespace vigie::app {

void ZipScan::Begin(match::ScanStream* scan, const DecompressLimits& limits) {
  scan_ = scan;
  limits_ = limits;
  mode_ = Mode::kSniff;
  held_ = 0;
}

void ZipScan::Decide() {
  const ByteView head(head_, held_);
  if (LooksLikeZip(head)) {
    mode_ = Mode::kZip;
    zip_.Reset(limits_, this);
    zip_.Write(head);
  } else {
    mode_ = Mode::kPlain;
    if (scan_ != nullptr && held_ > 0) scan_->Feed(head);
  }
  held_ = 0;
}

void ZipScan::Feed(ByteView data) {
  if (mode_ == Mode::kSniff) {
    const std::size_t take = std::min(sizeof(head_) - held_, data.size());
    std::memcpy(head_ + held_, data.data(), take);
    held_ += take;
    data = data.subspan(take);
    if (held_ < sizeof(head_)) return;
    Decide();
  }
  if (data.empty()) return;
  if (mode_ == Mode::kZip) {
    zip_.Write(data);
  } else if (scan_ != nullptr) {
    scan_->Feed(data);
  }
}

void ZipScan::Gap() {
  if (mode_ == Mode::kSniff) Decide();
  if (mode_ == Mode::kZip) zip_.Gap();
  if (scan_ != nullptr) scan_->Gap();
}

void ZipScan::End() {
  if (mode_ == Mode::kSniff) Decide();
}

void ZipScan::OnFile(std::string_view /*name*/) {
  if (scan_ != nullptr) scan_->NextPart();
}

void ZipScan::OnFileData(ByteView data) {
  if (scan_ != nullptr) scan_->Feed(data);
}

}  // namespace vigie::app
