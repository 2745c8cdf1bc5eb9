// State snapshot: <dir>/vigie-state.bin
//   header (32 bytes): magic "VIGIESTA", u32 version, u32 flags(0), u64 body length, u64 xxh3(body)
//   body: tracker clock, then every entity (least recently active first) with its windows.
// Only ids (account names, IPs), counters, record fingerprints and masked excerpts are
// written: no clear personal value. DNS-tunnel state (1 h) is not persisted.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "track/tracker_internal.h"

namespace vigie::track {

namespace {

constexpr char kMagic[8] = {'V', 'I', 'G', 'I', 'E', 'S', 'T', 'A'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderSize = 32;
constexpr const char* kFileName = "vigie-state.bin";

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void SaveRecent(ByteWriter& w, const std::unique_ptr<Recent>& r) {
  w.Put<std::uint8_t>(r ? 1 : 0);
  if (!r) return;
  w.PutBytes(r->path.src_ip.bytes.data(), 16);
  w.Put(r->path.src_port);
  w.PutBytes(r->path.dest_ip.bytes.data(), 16);
  w.Put(r->path.dest_port);
  w.Put(r->path.proto);
  w.PutString(r->path.community_id);
  w.Put(static_cast<std::uint8_t>(r->app_proto));
  w.Put<std::uint8_t>(static_cast<std::uint8_t>(r->excerpts.size()));
  for (const auto& x : r->excerpts) w.PutString(x);
  w.PutString(r->sni);
  w.PutString(r->detail);
  w.Put<std::uint8_t>(r->as_sender ? 1 : 0);
}

bool LoadRecent(ByteReader& rd, std::unique_ptr<Recent>& out) {
  std::uint8_t present = 0;
  if (!rd.Get(present) || present > 1) return false;
  if (!present) return true;
  out = std::make_unique<Recent>();
  Recent& r = *out;
  std::uint8_t app = 0, nx = 0, sender = 0;
  if (!rd.GetBytes(r.path.src_ip.bytes.data(), 16) || !rd.Get(r.path.src_port) ||
      !rd.GetBytes(r.path.dest_ip.bytes.data(), 16) || !rd.Get(r.path.dest_port) || !rd.Get(r.path.proto) ||
      !rd.GetString(r.path.community_id) || !rd.Get(app) || app > static_cast<std::uint8_t>(AppProto::kRaw) ||
      !rd.Get(nx) || nx > 64)
    return false;
  r.app_proto = static_cast<AppProto>(app);
  r.excerpts.resize(nx);
  for (auto& x : r.excerpts)
    if (!rd.GetString(x)) return false;
  if (!rd.GetString(r.sni) || !rd.GetString(r.detail) || !rd.Get(sender) || sender > 1) return false;
  r.as_sender = sender != 0;
  return true;
}

std::string StatePath(const std::string& dir) { return dir + "/" + kFileName; }

void MoveAside(const std::string& path, const std::string& why) {
  std::string dest;
  for (int n = 1; n < 10000; ++n) {
    dest = path + ".corrupt-" + std::to_string(n);
    struct stat st;
    if (::stat(dest.c_str(), &st) != 0) break;
  }
  if (::rename(path.c_str(), dest.c_str()) == 0) {
    std::fprintf(stderr, "vigie: refusing state snapshot %s: %s; moved aside to %s, starting with empty state\n",
                 path.c_str(), why.c_str(), dest.c_str());
  } else {
    std::fprintf(stderr, "vigie: refusing state snapshot %s: %s; could not move it aside (%s), starting with empty state\n",
                 path.c_str(), why.c_str(), std::strerror(errno));
  }
}

}  // namespace

bool WriteSnapshotFile(const std::string& dir, const std::string& body) {
  std::string header(kHeaderSize, '\0');
  std::memcpy(header.data(), kMagic, 8);
  std::uint32_t flags = 0;
  std::uint64_t len = body.size(), sum = XXH3_64bits(body.data(), body.size());
  std::memcpy(header.data() + 8, &kVersion, 4);
  std::memcpy(header.data() + 12, &flags, 4);
  std::memcpy(header.data() + 16, &len, 8);
  std::memcpy(header.data() + 24, &sum, 8);

  const std::string path = StatePath(dir), tmp = path + ".tmp";
  auto fail = [&](const char* what) {
    std::fprintf(stderr, "vigie: cannot save state snapshot %s: %s: %s\n", path.c_str(), what, std::strerror(errno));
    ::unlink(tmp.c_str());
    return false;
  };
  {
    Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
    if (f.fd < 0) return fail("open");
    const std::string* parts[] = {&header, &body};
    for (const std::string* part : parts) {
      const char* p = part->data();
      std::size_t left = part->size();
      while (left > 0) {
        ssize_t n = ::write(f.fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("write");
        p += n;
        left -= static_cast<std::size_t>(n);
      }
    }
    if (::fsync(f.fd) != 0) return fail("fsync");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename");
  Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd >= 0) ::fsync(d.fd);  // make the rename durable; failure here is not fatal
  return true;
}

std::string Tracker::SerializeLocked() const {
  ByteWriter w;
  w.Put(now_);
  w.Put(first_ts_);
  w.Put(last_sweep_hour_);
  w.Put<std::uint64_t>(entities_.size());
  for (const Entity* e : lru_) {
    w.Put(static_cast<std::uint8_t>(e->kind));
    w.PutString(e->kind == alert::EntityKind::kAccount ? e->id : std::string());
    w.PutBytes(e->ip.bytes.data(), 16);
    w.Put(e->last_active);
    w.Put(e->ewma_daily_out);
    w.Put(e->baseline_days);
    w.Put<std::uint8_t>(e->has_out ? 1 : 0);
    w.Put<std::uint8_t>(e->throttle ? 1 : 0);
    if (e->throttle) {
      for (const auto& t : *e->throttle) {
        w.Put(t.last_count);
        w.Put(t.last_ts);
        w.Put<std::uint8_t>(t.fired ? 1 : 0);
      }
    }
    SaveRecent(w, e->rec);
    SaveRecent(w, e->out);
    e->win.Save(w);
  }
  return std::move(w.data());
}

bool Tracker::SaveSnapshot(const std::string& dir) {
  std::string body;
  {
    std::lock_guard lock(mu_);
    body = SerializeLocked();
    if (now_ != EntityWindows::kNever) last_snapshot_ts_ = now_;
  }
  bool ok = WriteSnapshotFile(dir, body);
  std::lock_guard lock(mu_);  // cells have one writer at a time: whoever holds mu_
  (ok ? cells_->snapshots_saved : cells_->snapshot_errors).Inc();
  return ok;
}

bool Tracker::ParseSnapshot(std::string_view body, std::string& why) {
  ByteReader r(body);
  Timestamp now = 0, first = 0;
  std::int64_t sweep = 0;
  std::uint64_t count = 0;
  if (!r.Get(now) || !r.Get(first) || !r.Get(sweep) || !r.Get(count)) {
    why = "truncated header fields";
    return false;
  }
  std::unordered_map<std::string, std::unique_ptr<Entity>> entities;
  std::list<Entity*> lru;
  for (std::uint64_t i = 0; i < count; ++i) {
    auto e = std::make_unique<Entity>();
    std::uint8_t kind = 0, has_out = 0, has_th = 0;
    if (!r.Get(kind) || kind > 1 || !r.GetString(e->id) || !r.GetBytes(e->ip.bytes.data(), 16) ||
        !r.Get(e->last_active) || !r.Get(e->ewma_daily_out) || !r.Get(e->baseline_days) || !r.Get(has_out) ||
        has_out > 1 || !r.Get(has_th) || has_th > 1) {
      why = "bad entity " + std::to_string(i);
      return false;
    }
    e->kind = static_cast<alert::EntityKind>(kind);
    e->has_out = has_out != 0;
    if (e->kind == alert::EntityKind::kIp) {
      e->id = e->ip.ToString();
      e->inside = home_net_.Contains(e->ip);
    }
    if (has_th) {
      e->throttle = std::make_unique<std::array<Throttle, kThCount>>();
      for (auto& t : *e->throttle) {
        std::uint8_t fired = 0;
        if (!r.Get(t.last_count) || !r.Get(t.last_ts) || !r.Get(fired) || fired > 1) {
          why = "bad throttle state";
          return false;
        }
        t.fired = fired != 0;
      }
    }
    if (!LoadRecent(r, e->rec) || !LoadRecent(r, e->out) || !e->win.Load(r) || e->win.cur_slot() > SlotOf(now)) {
      why = "bad windows of entity " + std::to_string(i);
      return false;
    }
    std::string key = EntityKey(e->kind, e->id, e->ip);
    e->lru = lru.insert(lru.end(), e.get());
    if (!entities.emplace(std::move(key), std::move(e)).second) {
      why = "duplicate entity";
      return false;
    }
  }
  if (r.remaining() != 0) {
    why = "trailing bytes";
    return false;
  }
  // Keep the most recently active if the configured cap shrank since the save.
  while (entities.size() > cfg_.max_entities) {
    Entity* victim = lru.front();
    lru.pop_front();
    entities.erase(EntityKey(victim->kind, victim->id, victim->ip));
  }
  entities_ = std::move(entities);
  lru_ = std::move(lru);
  now_ = now;
  first_ts_ = first;
  last_sweep_hour_ = sweep;
  last_snapshot_ts_ = now;
  return true;
}

bool Tracker::LoadSnapshot(const std::string& dir) {
  const std::string path = StatePath(dir);
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;  // no snapshot yet: a fresh start
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string data = std::move(ss).str();
  in.close();

  std::string why;
  if (data.size() < kHeaderSize || std::memcmp(data.data(), kMagic, 8) != 0) {
    why = "not a Vigie state file (bad magic)";
  } else {
    std::uint32_t version = 0;
    std::uint64_t len = 0, sum = 0;
    std::memcpy(&version, data.data() + 8, 4);
    std::memcpy(&len, data.data() + 16, 8);
    std::memcpy(&sum, data.data() + 24, 8);
    if (version != kVersion) {
      why = "unsupported version " + std::to_string(version);
    } else if (len != data.size() - kHeaderSize) {
      why = "length mismatch (truncated?)";
    } else if (XXH3_64bits(data.data() + kHeaderSize, len) != sum) {
      why = "checksum mismatch";
    }
  }
  if (why.empty()) {
    std::lock_guard lock(mu_);
    if (ParseSnapshot(std::string_view(data).substr(kHeaderSize), why)) {
      UpdateGauges();
      return true;
    }
  }
  {
    std::lock_guard lock(mu_);
    cells_->snapshot_errors.Inc();
  }
  MoveAside(path, why);
  return false;
}

}  // namespace vigie::track
