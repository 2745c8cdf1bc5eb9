#include "app/zip_scan.h"

#include <algorithm>
#include <cstring>

namespace vigie::app {

ZipMetrics::ZipMetrics(metrics::CounterSet& set)
    : read_(&set.Counter("vigie_archive_files_total", "Files inside ZIP archives (bodies, parts, attachments)",
                         {{"result", "read"}})),
      skipped_(&set.Counter("vigie_archive_files_total", "Files inside ZIP archives (bodies, parts, attachments)",
                            {{"result", "skipped"}})) {
  // By ZipReader::Status: cut (the body ended first), complete, unreadable, bomb.
  static constexpr std::array<const char*, 4> kOutcomes = {"cut", "complete", "unreadable", "bomb"};
  for (std::size_t i = 0; i < kOutcomes.size(); ++i)
    outcomes_[i] = &set.Counter("vigie_archives_total", "ZIP archives read, by how their reading ended",
                                {{"outcome", kOutcomes[i]}});
}

void ZipMetrics::Count(const ZipReader& archive) {
  read_->Inc(archive.files_read());
  skipped_->Inc(archive.files_skipped());
  outcomes_[static_cast<std::size_t>(archive.status())]->Inc();
}

void ZipScan::Begin(match::ScanStream* scan, const DecompressLimits& limits, ZipMetrics* metrics) {
  Count();  // an archive a Begin cuts short (a part without its end)
  scan_ = scan;
  limits_ = limits;
  metrics_ = metrics;
  mode_ = Mode::kSniff;
  held_ = 0;
  counted_ = false;
}

void ZipScan::NextPart() { Begin(scan_, limits_, metrics_); }

void ZipScan::Count() {
  if (mode_ != Mode::kZip || counted_) return;
  counted_ = true;
  if (metrics_ != nullptr) metrics_->Count(zip_);
}

void ZipScan::Start(bool zip) {
  mode_ = zip ? Mode::kZip : Mode::kPlain;
  if (zip) zip_.Reset(limits_, this);
}

void ZipScan::Pass(ByteView data) {
  if (data.empty()) return;
  if (mode_ == Mode::kZip) {
    zip_.Write(data);
  } else if (scan_ != nullptr) {
    scan_->Feed(data);
  }
}

void ZipScan::Decide() {
  const ByteView head(head_, held_);
  Start(LooksLikeZip(head));
  held_ = 0;
  Pass(head);
}

void ZipScan::Feed(ByteView data) {
  if (mode_ == Mode::kSniff) {
    if (held_ == 0 && data.size() >= sizeof(head_)) {
      Start(LooksLikeZip(data));  // decided on the data itself: no separate feed of its first bytes
    } else {  // the first bytes come a few at a time: held until 4
      const std::size_t take = std::min(sizeof(head_) - held_, data.size());
      std::memcpy(head_ + held_, data.data(), take);
      held_ += take;
      data = data.subspan(take);
      if (held_ < sizeof(head_)) return;
      Decide();
    }
  }
  Pass(data);
}

void ZipScan::Gap() {
  if (mode_ == Mode::kSniff) Decide();
  if (mode_ == Mode::kZip) zip_.Gap();
  if (scan_ != nullptr) scan_->Gap();
}

void ZipScan::End() {
  if (mode_ == Mode::kSniff) Decide();
  Count();
}

void ZipScan::OnFile(std::string_view /*name*/) {
  if (scan_ != nullptr) scan_->NextPart();
}

void ZipScan::OnFileData(ByteView data) {
  if (scan_ != nullptr) scan_->Feed(data);
}

}  // namespace vigie::app
