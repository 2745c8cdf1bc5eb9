#include "app/decompress/zip_reader.h"

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace vigie::app {

namespace {
// "PK" then 3 4 (a file), 1 2 (the central directory), 5 6 (its end), 6 6 (its zip64 end).
enum class Sig : std::uint8_t { kFile, kDirectory, kOther };
Sig SignatureAt(const std::uint8_t* p) {
  if (LooksLikeZip(ByteView(p, 4))) return Sig::kFile;
  if (p[0] != 'P' || p[1] != 'K') return Sig::kOther;
  if ((p[2] == 1 && p[3] == 2) || (p[2] == 5 && p[3] == 6) || (p[2] == 6 && p[3] == 6)) return Sig::kDirectory;
  return Sig::kOther;
}

constexpr std::uint16_t kEncrypted = 1, kDescriptorFollows = 8;
constexpr std::uint16_t kStoredMethod = 0, kDeflateMethod = 8;
}  // namespace

void ZipReader::IsalDeleter::operator()(inflate_state* s) const { delete s; }

ZipReader::ZipReader() = default;
ZipReader::~ZipReader() = default;

bool ZipReader::Readable(std::string_view name) {
  if (name.empty() || name.back() == '/') return false;
  const std::size_t slash = name.find_last_of('/');
  const std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  const std::size_t dot = base.find_last_of('.');
  if (dot == std::string_view::npos || base.size() - dot > 6) return true;
  char ext[6] = {};
  for (std::size_t k = dot + 1; k < base.size(); ++k)
    ext[k - dot - 1] = static_cast<char>(base[k] >= 'A' && base[k] <= 'Z' ? base[k] + 32 : base[k]);
  const std::string_view e(ext, base.size() - dot - 1);
  // Media, fonts, archives and compiled or binary formats: nothing a scan of their bytes finds.
  static constexpr std::array<std::string_view, 40> kSkipped = {
      "png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "ico", "emf", "wmf", "webp", "heic", "svgz", "psd",
      "mp3", "mp4", "m4a", "wav", "avi", "mov", "mkv", "ogg", "webm", "pdf", "zip", "gz", "7z", "rar",
      "jar", "class", "exe", "dll", "so", "bin", "ttf", "otf", "woff", "woff2", "eot", "odttf"};
  return std::find(kSkipped.begin(), kSkipped.end(), e) == kSkipped.end();
}

void ZipReader::Reset(const DecompressLimits& limits, ZipSink* sink) {
  limits_ = limits;
  sink_ = sink;
  status_ = Status::kOk;
  st_ = St::kHeader;
  have_ = 0;
  total_in_ = total_out_ = inflated_ = 0;
  files_read_ = files_skipped_ = 0;
}

void ZipReader::Gap() {
  if (st_ != St::kEnd) Stop(Status::kUnreadable);
}

void ZipReader::Write(ByteView in) {
  total_in_ += in.size();
  Feed(in);
}

void ZipReader::Feed(ByteView in) {
  const std::uint8_t* p = in.data();
  const std::size_t n = in.size();
  std::size_t i = 0;
  while (i < n && st_ != St::kEnd) {
    switch (st_) {
      case St::kHeader: {
        const std::size_t take = std::min(sizeof(hdr_) - have_, n - i);
        std::memcpy(hdr_ + have_, p + i, take);
        const bool had_signature = have_ >= 4;
        have_ += take;
        i += take;
        if (!had_signature && have_ >= 4) {
          const Sig s = SignatureAt(hdr_);
          if (s == Sig::kDirectory) return Stop(Status::kDone);  // every file was read
          if (s != Sig::kFile) return Stop(Status::kUnreadable);
        }
        if (have_ == sizeof(hdr_)) Header();
        break;
      }
      case St::kName: {
        const std::size_t take = std::min(name_len_ - have_, n - i);
        if (name_.size() < kMaxName)
          name_.append(reinterpret_cast<const char*>(p + i), std::min(take, kMaxName - name_.size()));
        have_ += take;
        i += take;
        if (have_ == name_len_) {
          have_ = 0;
          st_ = St::kExtra;
          if (extra_len_ == 0) StartData();
        }
        break;
      }
      case St::kExtra: {
        const std::size_t take = std::min(extra_len_ - have_, n - i);
        if (have_ < sizeof(extra_)) std::memcpy(extra_ + have_, p + i, std::min(take, sizeof(extra_) - have_));
        have_ += take;
        i += take;
        if (have_ == extra_len_) StartData();
        break;
      }
      case St::kCopy: {  // to the sink when read_, else passed by
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(left_, n - i));
        left_ -= take;
        const std::size_t at = i;
        i += take;
        if (read_ && !Emit(ByteView(p + at, take))) break;
        if (left_ == 0) EndFile();
        break;
      }
      case St::kDeflate: {
        const auto avail = static_cast<std::size_t>(sized_ ? std::min<std::uint64_t>(left_, n - i) : n - i);
        const std::size_t used = Inflate(ByteView(p + i, avail));
        i += used;
        if (sized_) left_ -= used;
        if (st_ == St::kDeflate && sized_ && left_ == 0) EndFile();  // its bytes ended first: cut
        break;
      }
      case St::kDescriptor: {
        const std::size_t take = std::min(sizeof(desc_) - have_, n - i);
        std::memcpy(desc_ + have_, p + i, take);
        have_ += take;
        i += take;
        if (have_ == sizeof(desc_)) Descriptor();
        break;
      }
      case St::kEnd:
        break;
    }
  }
}

void ZipReader::Header() {
  flags_ = LoadLe16(hdr_ + 6);
  method_ = LoadLe16(hdr_ + 8);
  csize_ = LoadLe32(hdr_ + 18);
  name_len_ = LoadLe16(hdr_ + 26);
  extra_len_ = LoadLe16(hdr_ + 28);
  name_.clear();
  have_ = 0;
  st_ = St::kName;
  if (name_len_ == 0) {
    st_ = St::kExtra;
    if (extra_len_ == 0) StartData();
  }
}

void ZipReader::StartData() {
  have_ = 0;
  if (csize_ == 0xFFFFFFFFu) {  // zip64: the sizes are in the extra field (tag 1: size, then compressed size)
    bool found = false;
    const std::size_t kept = std::min(extra_len_, sizeof(extra_));
    for (std::size_t k = 0; k + 4 <= kept;) {
      const std::uint32_t tag = LoadLe16(extra_ + k), len = LoadLe16(extra_ + k + 2);
      if (tag == 1 && len >= 16 && k + 20 <= kept) {
        csize_ = LoadLe64(extra_ + k + 12);
        found = true;
        break;
      }
      k += 4 + len;
    }
    if (!found) return Stop(Status::kUnreadable);
  }
  const bool descriptor = (flags_ & kDescriptorFollows) != 0;
  sized_ = !descriptor || csize_ != 0;
  left_ = csize_;
  const bool encrypted = (flags_ & kEncrypted) != 0;
  const bool known = method_ == kStoredMethod || method_ == kDeflateMethod;
  read_ = Readable(name_) && !encrypted && known;
  if (!read_ && !name_.empty() && name_.back() != '/') ++files_skipped_;
  if (read_) {
    ++files_read_;
    sink_->OnFile(name_);
  }
  if (sized_ && (!read_ || method_ == kStoredMethod)) {  // stored, or skipped unread: its bytes copied or passed by
    st_ = St::kCopy;
  } else if (method_ == kDeflateMethod && !encrypted) {  // read, or inflated only to find its end
    if (!isal_) isal_.reset(new inflate_state);
    if (!out_) out_ = std::make_unique<std::uint8_t[]>(kOutputBytes);
    isal_inflate_init(isal_.get());
    isal_->crc_flag = ISAL_DEFLATE;
    tail_len_ = 0;
    st_ = St::kDeflate;
  } else {
    return Stop(Status::kUnreadable);  // stored, encrypted or unknown, and its end not given
  }
  if (sized_ && left_ == 0) EndFile();
}

std::size_t ZipReader::Inflate(ByteView in) {
  inflate_state* s = isal_.get();
  IsalSetInput(s, in);
  for (;;) {
    int r = 0;
    const std::size_t produced = IsalInflateInto(s, out_.get(), kOutputBytes, r);
    if (r < 0) {
      Stop(Status::kUnreadable);
      return in.size();
    }
    // (A file skipped unread is inflated to find its end: its output counts for the limits too.)
    if (produced > 0 && !Emit(ByteView(out_.get(), produced))) return in.size();
    if (s->block_state == ISAL_BLOCK_FINISH) {
      // The input read past the stream's end: what ISA-L did not take, and the whole bytes
      // still in its bit buffer (it reads ahead; a raw stream's end is not given back), some
      // maybe from the previous input (kept in tail_).
      const std::size_t unread = s->avail_in + static_cast<std::size_t>(std::max(s->read_in_length, 0) / 8);
      const std::size_t used = in.size() - std::min(unread, in.size());
      const std::size_t earlier = std::min(unread - std::min(unread, in.size()), tail_len_);
      if (sized_ && left_ > used) {  // bytes left in the file after its stream: passed by
        left_ -= used;
        read_ = false;
        st_ = St::kCopy;
        return used;
      }
      EndFile();
      if (earlier > 0) {
        std::uint8_t back[sizeof(tail_)];
        std::memcpy(back, tail_ + tail_len_ - earlier, earlier);
        Feed(ByteView(back, earlier));
      }
      return used;
    }
    if (s->avail_in == 0 && produced < kOutputBytes) {
      KeepTail(in);
      return in.size();
    }
  }
}

void ZipReader::KeepTail(ByteView in) {
  if (in.size() >= sizeof(tail_)) {
    std::memcpy(tail_, in.data() + in.size() - sizeof(tail_), sizeof(tail_));
    tail_len_ = sizeof(tail_);
    return;
  }
  const std::size_t keep = std::min(tail_len_, sizeof(tail_) - in.size());
  std::memmove(tail_, tail_ + tail_len_ - keep, keep);
  std::memcpy(tail_ + keep, in.data(), in.size());
  tail_len_ = keep + in.size();
}

bool ZipReader::Emit(ByteView data) {
  inflated_ += data.size();
  if (limits_.OverOutput(inflated_) || limits_.OverRatio(inflated_, total_in_)) {
    Stop(Status::kBomb);
    return false;
  }
  if (!read_) return true;
  total_out_ += data.size();
  sink_->OnFileData(data);
  return true;
}

void ZipReader::EndFile() {
  have_ = 0;
  left_ = 0;
  st_ = (flags_ & kDescriptorFollows) != 0 ? St::kDescriptor : St::kHeader;
}

// The descriptor (an optional "PK\7\8", the CRC, then the sizes on 4 or 8 bytes each) is 12, 16,
// 20 or 24 bytes: the next header is found at the offset where a signature is.
void ZipReader::Descriptor() {
  const bool signed_desc = desc_[0] == 'P' && desc_[1] == 'K' && desc_[2] == 7 && desc_[3] == 8;
  const std::size_t offsets[2] = {signed_desc ? 16u : 12u, signed_desc ? 24u : 20u};
  for (const std::size_t o : offsets) {
    if (SignatureAt(desc_ + o) == Sig::kOther) continue;
    std::uint8_t rest[sizeof(desc_)];
    const std::size_t len = sizeof(desc_) - o;
    std::memcpy(rest, desc_ + o, len);
    have_ = 0;
    st_ = St::kHeader;
    Feed(ByteView(rest, len));
    return;
  }
  Stop(Status::kUnreadable);
}

}  // namespace vigie::app
