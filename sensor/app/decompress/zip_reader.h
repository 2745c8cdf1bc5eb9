#pragma once
// The files of a ZIP archive as its bytes stream by (an .xlsx, .docx or .ods export, a .zip of
// CSV files: the form an advisor tool's "export" most often takes, invisible to a scan of the
// compressed bytes). Reads the local file headers in order (the central directory at the end is
// not needed, nor waited for): stored files pass through, deflated ones are inflated (ISA-L, raw
// deflate), each file's bytes handed to a ZipSink with its name. A file whose compressed size is
// only given after it (general purpose flag bit 3, a data descriptor: streaming writers such as
// Java's ZipOutputStream) is read to its deflate stream's end, then the next header is found
// after the descriptor (12 to 24 bytes). Media and binary files (by extension) are skipped
// unread; encrypted ones and unknown methods are skipped when their size is known.
//
// Untrusted input never throws: what cannot be followed (a stored file with a data descriptor,
// a bad signature, invalid deflate data) ends the reading (kUnreadable), the files read so far
// stay read. Memory is bounded: the inflate state and a 64 KiB output buffer, allocated on the
// first deflated file and reused; a name is kept to kMaxName bytes. Limits: the bytes inflated
// over the whole archive, files skipped unread included (DecompressLimits: max_output, and
// max_ratio to the archive's bytes once past 1 MiB) stop it as a bomb (kBomb).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "app/decompress/decompressor.h"
#include "core/bytes.h"

struct inflate_state;

namespace vigie::app {

class ZipSink {
 public:
  virtual ~ZipSink() = default;
  virtual void OnFile(std::string_view name) = 0;  // a file to read starts (its name, cut to kMaxName)
  virtual void OnFileData(ByteView data) = 0;      // its bytes, stored or inflated, in order
};

// "PK\3\4": the bytes a ZIP archive (its first local file header) starts with.
inline bool LooksLikeZip(ByteView head) {
  return head.size() >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
}

class ZipReader {
 public:
  enum class Status : std::uint8_t { kOk, kDone, kUnreadable, kBomb };
  static constexpr std::size_t kMaxName = 256;
  static constexpr std::size_t kOutputBytes = 64 * 1024;

  ZipReader();
  ~ZipReader();
  ZipReader(const ZipReader&) = delete;
  ZipReader& operator=(const ZipReader&) = delete;

  // A new archive. REQUIRES: sink outlives it.
  void Reset(const DecompressLimits& limits, ZipSink* sink);
  void Write(ByteView data);  // the archive's next bytes (any chunking)
  void Gap();                 // bytes were lost: the archive is not followed further

  Status status() const { return status_; }
  std::uint32_t files_read() const { return files_read_; }        // handed to the sink
  std::uint32_t files_skipped() const { return files_skipped_; }  // media, encrypted, unknown method
  std::uint64_t total_out() const { return total_out_; }           // bytes handed to the sink

  // Whether a file of this name is read (not media or a binary format by its extension, not a
  // directory).
  static bool Readable(std::string_view name);

 private:
  // kCopy: a file's bytes of known size, to the sink (read_) or passed by (skipped unread, or
  // left after its deflate stream).
  enum class St : std::uint8_t { kHeader, kName, kExtra, kCopy, kDeflate, kDescriptor, kEnd };
  void Header();                          // the 30-byte local header is in hdr_
  void StartData();                       // after the name and extra field
  void Feed(ByteView in);                 // Write() without counting the bytes in
  std::size_t Inflate(ByteView in);       // returns the input bytes used; may end the file
  void KeepTail(ByteView in);             // the last bytes given to the inflater (read ahead)
  void EndFile();
  bool Emit(ByteView data);               // false once the limits are exceeded
  void Descriptor();                      // desc_ holds the bytes after a deflate stream
  void Stop(Status s) { status_ = s; st_ = St::kEnd; }

  DecompressLimits limits_;
  ZipSink* sink_ = nullptr;
  Status status_ = Status::kOk;
  St st_ = St::kHeader;
  std::uint8_t hdr_[30] = {};
  std::size_t have_ = 0;  // bytes of hdr_ / desc_ / the name or extra read so far
  std::uint16_t flags_ = 0, method_ = 0;
  std::uint64_t csize_ = 0;       // compressed size (when known)
  bool sized_ = false;            // csize_ is known (no data descriptor)
  std::size_t name_len_ = 0, extra_len_ = 0;
  std::string name_;
  std::uint8_t extra_[32] = {};   // the extra field's first bytes (a zip64 size)
  bool read_ = false;             // the current file's bytes go to the sink
  std::uint64_t left_ = 0;        // compressed bytes of the file still to come (sized_)
  std::uint8_t desc_[28] = {};
  std::uint8_t tail_[8] = {};     // the inflater's last input bytes (its bit buffer may hold them)
  std::size_t tail_len_ = 0;
  std::uint64_t total_in_ = 0, total_out_ = 0;
  std::uint64_t inflated_ = 0;    // every byte produced, read or skipped (what the limits bound)
  std::uint32_t files_read_ = 0, files_skipped_ = 0;

  struct IsalDeleter {
    void operator()(inflate_state* s) const;
  };
  std::unique_ptr<inflate_state, IsalDeleter> isal_;
  std::unique_ptr<std::uint8_t[]> out_;
};

}  // namespace vigie::app
