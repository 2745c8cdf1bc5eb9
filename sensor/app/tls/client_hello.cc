#include "app/tls/client_hello.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

namespace vigie::app::tls {

namespace {

// Bounds-checked cursor over untrusted bytes: every read fails softly past the end.
class Reader {
 public:
  explicit Reader(ByteView b) : b_(b) {}
  bool U8(std::uint8_t* v) {
    if (left() < 1) return false;
    *v = b_[pos_++];
    return true;
  }
  bool U16(std::uint16_t* v) {
    if (left() < 2) return false;
    *v = LoadBe16(b_.data() + pos_);
    pos_ += 2;
    return true;
  }
  bool Bytes(std::size_t n, ByteView* out) {
    if (left() < n) return false;
    *out = b_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  std::size_t left() const { return b_.size() - pos_; }

 private:
  ByteView b_;
  std::size_t pos_ = 0;
};

bool ParseSni(ByteView ext, std::string* sni) {
  Reader r(ext);
  std::uint16_t list_len;
  ByteView list;
  if (!r.U16(&list_len) || !r.Bytes(list_len, &list)) return false;
  Reader l(list);
  while (l.left() > 0) {
    std::uint8_t type;
    std::uint16_t len;
    ByteView name;
    if (!l.U8(&type) || !l.U16(&len) || !l.Bytes(len, &name)) return false;
    if (type == 0 && sni->empty()) {
      for (std::size_t i = 0; i < name.size() && i < kMaxSni; ++i) {
        char c = static_cast<char>(name[i]);
        sni->push_back(name[i] < 0x21 || name[i] > 0x7e ? '?' : c);
      }
    }
  }
  return true;
}

bool ParseAlpn(ByteView ext, std::vector<std::string>* alpn) {
  Reader r(ext);
  std::uint16_t list_len;
  ByteView list;
  if (!r.U16(&list_len) || !r.Bytes(list_len, &list)) return false;
  Reader l(list);
  while (l.left() > 0) {
    std::uint8_t len;
    ByteView proto;
    if (!l.U8(&len) || !l.Bytes(len, &proto)) return false;
    if (alpn->size() < kMaxAlpn) alpn->emplace_back(AsStringView(proto));
  }
  return true;
}

bool ParseU16List(ByteView ext, bool one_byte_length, std::vector<std::uint16_t>* out) {
  Reader r(ext);
  std::size_t n;
  if (one_byte_length) {
    std::uint8_t l;
    if (!r.U8(&l)) return false;
    n = l;
  } else {
    std::uint16_t l;
    if (!r.U16(&l)) return false;
    n = l;
  }
  ByteView list;
  if (!r.Bytes(n, &list) || n % 2 != 0) return false;
  for (std::size_t i = 0; i + 1 < list.size(); i += 2) out->push_back(LoadBe16(list.data() + i));
  return true;
}

// The digest is fetched once and its context reused, per thread: EVP_Digest(EVP_sha256()) looked
// the implementation up in the provider on every call (~19 000 instructions a hash of a JA4
// list, ~3 300 now: valgrind on the mixed capture, bench/README.md "Session 23").
std::string Sha256Prefix12(const std::string& text) {
  if (text.empty()) return "000000000000";
  struct Digest {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    Digest() = default;
    Digest(const Digest&) = delete;
    Digest& operator=(const Digest&) = delete;
    ~Digest() {
      EVP_MD_CTX_free(ctx);
      EVP_MD_free(md);
    }
  };
  thread_local Digest d;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (d.md == nullptr || d.ctx == nullptr || EVP_DigestInit_ex2(d.ctx, d.md, nullptr) != 1 ||
      EVP_DigestUpdate(d.ctx, text.data(), text.size()) != 1 || EVP_DigestFinal_ex(d.ctx, md, &len) != 1)
    return "000000000000";
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 6; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string HexList(const std::vector<std::uint16_t>& v) {
  std::string out;
  char buf[8];
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%04x", i == 0 ? "" : ",", v[i]);
    out += buf;
  }
  return out;
}

std::string VersionCode(std::uint16_t v) {
  switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    case 0xfeff: return "d1";
    case 0xfefd: return "d2";
    case 0xfefc: return "d3";
    default: return "00";
  }
}

bool IsAlnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

std::optional<ClientHello> ParseClientHello(ByteView body, bool* partial) {
  *partial = false;
  Reader r(body);
  ClientHello h;
  ByteView random, session, ciphers, compression;
  std::uint8_t sid_len, comp_len;
  std::uint16_t cs_len;
  if (!r.U16(&h.legacy_version) || !r.Bytes(32, &random) || !r.U8(&sid_len) || !r.Bytes(sid_len, &session) ||
      !r.U16(&cs_len) || !r.Bytes(cs_len, &ciphers) || !r.U8(&comp_len) || !r.Bytes(comp_len, &compression)) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i + 1 < ciphers.size(); i += 2) h.ciphers.push_back(LoadBe16(ciphers.data() + i));
  if (r.left() == 0) return h;  // no extensions (SSLv3-style hello)
  std::uint16_t ext_len;
  ByteView exts;
  if (!r.U16(&ext_len)) {
    *partial = true;
    return h;
  }
  if (!r.Bytes(ext_len, &exts)) {
    *partial = true;
    exts = body.subspan(body.size() - r.left());
  }
  Reader e(exts);
  while (e.left() > 0) {
    std::uint16_t type, len;
    ByteView data;
    if (!e.U16(&type) || !e.U16(&len) || !e.Bytes(len, &data)) {
      *partial = true;
      break;
    }
    h.extensions.push_back(type);
    bool ok = true;
    switch (type) {
      case 0x0000: h.has_sni_extension = true; ok = ParseSni(data, &h.sni); break;
      case 0x0010: ok = ParseAlpn(data, &h.alpn); break;
      case 0x002b: ok = ParseU16List(data, true, &h.supported_versions); break;
      case 0x000d: ok = ParseU16List(data, false, &h.signature_algorithms); break;
      default: break;
    }
    if (!ok) *partial = true;
  }
  return h;
}

std::uint16_t NegotiableVersion(const ClientHello& h) {
  std::uint16_t best = 0;
  bool any = false;
  for (std::uint16_t v : h.supported_versions) {
    if (IsGrease(v)) continue;
    // DTLS numbers count down (0xfefc is 1.3); TLS ones up. Compare within TLS only.
    if (!any || v > best) best = v;
    any = true;
  }
  return any ? best : h.legacy_version;
}

std::string Ja4(const ClientHello& h, char transport) {
  std::vector<std::uint16_t> ciphers, exts, sigs;
  for (auto c : h.ciphers)
    if (!IsGrease(c)) ciphers.push_back(c);
  std::size_t ext_count = 0;
  for (auto x : h.extensions) {
    if (IsGrease(x)) continue;
    ++ext_count;
    if (x != 0x0000 && x != 0x0010) exts.push_back(x);
  }
  for (auto s : h.signature_algorithms)
    if (!IsGrease(s)) sigs.push_back(s);

  std::string a;
  a += transport;
  a += VersionCode(NegotiableVersion(h));
  a += h.has_sni_extension ? 'd' : 'i';
  char counts[8];
  std::snprintf(counts, sizeof counts, "%02zu%02zu", std::min<std::size_t>(ciphers.size(), 99),
                std::min<std::size_t>(ext_count, 99));
  a += counts;
  if (h.alpn.empty() || h.alpn[0].empty()) {
    a += "00";
  } else {
    const std::string& p = h.alpn[0];
    unsigned char first = static_cast<unsigned char>(p.front()), last = static_cast<unsigned char>(p.back());
    if (IsAlnum(first) && IsAlnum(last)) {
      a += static_cast<char>(first);
      a += static_cast<char>(last);
    } else {
      static const char kHex[] = "0123456789abcdef";
      a += kHex[first >> 4];
      a += kHex[last & 15];
    }
  }

  std::sort(ciphers.begin(), ciphers.end());
  std::sort(exts.begin(), exts.end());
  std::string c_text = exts.empty() ? std::string() : HexList(exts);
  if (!c_text.empty() && !sigs.empty()) c_text += "_" + HexList(sigs);
  return a + "_" + Sha256Prefix12(HexList(ciphers)) + "_" + Sha256Prefix12(c_text);
}

}  // namespace vigie::app::tls
