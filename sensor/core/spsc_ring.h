#pragma once
// Bounded single-producer/single-consumer ring of variable-length records (packets handed
// from the replay reader to one worker). Memory is allocated once; Push copies the record in,
// the consumer reads it in place with Front() and releases it with Pop().
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace vigie {

class SpscRing {
 public:
  // REQUIRES: capacity is a power of two, >= 2 * the largest record + 16.
  explicit SpscRing(std::size_t capacity) : cap_(capacity), buf_(new std::uint8_t[capacity]) {}

  // Producer: false when the record does not fit now (caller waits and retries).
  bool Push(std::span<const std::uint8_t> head, std::span<const std::uint8_t> body) {
    const std::size_t len = head.size() + body.size();
    const std::size_t need = Align(kHdr + len);
    std::size_t w = write_.load(std::memory_order_relaxed);
    const std::size_t r = read_.load(std::memory_order_acquire);
    std::size_t off = w & (cap_ - 1);
    std::size_t tail_room = cap_ - off;
    std::size_t total = need;
    if (tail_room < need) total += tail_room;  // skip to the start, leaving a wrap marker
    if (cap_ - (w - r) < total) return false;
    if (tail_room < need) {
      StoreLen(off, kWrap);
      w += tail_room;
      off = 0;
    }
    StoreLen(off, static_cast<std::uint32_t>(len));
    if (!head.empty()) std::memcpy(buf_.get() + off + kHdr, head.data(), head.size());
    if (!body.empty()) std::memcpy(buf_.get() + off + kHdr + head.size(), body.data(), body.size());
    write_.store(w + need, std::memory_order_release);
    return true;
  }

  // Consumer: the oldest record, or an empty span when the ring is empty.
  std::span<const std::uint8_t> Front() {
    std::size_t r = read_.load(std::memory_order_relaxed);
    const std::size_t w = write_.load(std::memory_order_acquire);
    if (r == w) return {};
    std::size_t off = r & (cap_ - 1);
    std::uint32_t len = LoadLen(off);
    if (len == kWrap) {
      r += cap_ - off;
      read_.store(r, std::memory_order_release);
      if (r == w) return {};
      off = 0;
      len = LoadLen(0);
    }
    front_size_ = Align(kHdr + len);
    return {buf_.get() + off + kHdr, len};
  }
  void Pop() { read_.store(read_.load(std::memory_order_relaxed) + front_size_, std::memory_order_release); }
  bool Empty() const { return read_.load(std::memory_order_acquire) == write_.load(std::memory_order_acquire); }

 private:
  static constexpr std::size_t kHdr = 8;
  static constexpr std::uint32_t kWrap = 0xffffffffu;
  static std::size_t Align(std::size_t n) { return (n + 7) & ~std::size_t{7}; }
  void StoreLen(std::size_t off, std::uint32_t len) { std::memcpy(buf_.get() + off, &len, 4); }
  std::uint32_t LoadLen(std::size_t off) const {
    std::uint32_t v;
    std::memcpy(&v, buf_.get() + off, 4);
    return v;
  }

  const std::size_t cap_;
  std::unique_ptr<std::uint8_t[]> buf_;
  alignas(64) std::atomic<std::size_t> write_{0};
  alignas(64) std::atomic<std::size_t> read_{0};
  std::size_t front_size_ = 0;  // consumer-only
};

}  // namespace vigie
