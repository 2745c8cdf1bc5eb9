#pragma once
// SMTP / submission (RFC 5321, 6409; CHUNKING RFC 3030; STARTTLS RFC 3207; AUTH RFC 4954).
//
// Client→server: commands, then message content from DATA (until CRLF.CRLF, dot-unstuffed,
// resumable at any byte) or BDAT chunks. Server→client: replies, matched in order against the
// commands sent (PIPELINING-safe), to know when DATA is accepted (354), STARTTLS accepted (220:
// from then on the flow is volume-only), or AUTH refused (the account is forgotten).
//
// Every message goes through the MIME parser; decoded part bodies (not the headers, which hold
// the correspondents' addresses) are fed to one match::ScanStream per message, JSON parts
// (IsJsonPart: JSON media type or .json/.jsonl/.ndjson file name; or sniffed, JsonSniff) JSON-unescaped first
// (JsonUnescaper, app/json_text.h). At the end of a message (or RSET/close) one
// track::TransactionEvent: src = client, dest = server, account = the AUTH PLAIN/LOGIN user
// (never the MAIL FROM address), bytes = MIME-decoded bytes of all parts (before the JSON
// unescaping, so that it is the sum of the part sizes), detail = "mail from j***@example.fr to 3 rcpt; attachments: export.csv (12345 B)".
//
// Metrics: vigie_smtp_messages_total, vigie_smtp_attachments_total, vigie_smtp_starttls_total,
//          vigie_smtp_anomalies_total{reason}, and vigie_mime_anomalies_total{reason}.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/app_context.h"
#include "app/json_text.h"
#include "app/mime/mime_parser.h"
#include "app/session.h"
#include "app/smtp/smtp_util.h"
#include "app/zip_scan.h"
#include "match/scanner.h"

namespace vigie::app {

namespace smtp {
enum class Anomaly : std::uint8_t {
  kLineTooLong,        // command or reply line over kMaxLine
  kUnknownCommand,     // verb not in the SMTP/ESMTP set we know
  kBadBdat,            // BDAT without a valid size
  kBadAuth,            // AUTH response that is not valid base64 / PLAIN layout
  kGap,                // bytes lost in the client stream
  kTruncatedMessage,   // flow ended inside DATA or BDAT
  kReplyQueueOverflow, // more than kMaxPending commands awaiting replies
  kCount
};
inline constexpr std::array<std::string_view, static_cast<std::size_t>(Anomaly::kCount)> kAnomalyNames = {
    "line_too_long", "unknown_command", "bad_bdat", "bad_auth", "gap", "truncated_message", "reply_queue_overflow"};

class SmtpMetrics {
 public:
  static constexpr std::size_t kSlot = 0;  // AppContext::metric_slots index
  explicit SmtpMetrics(metrics::CounterSet& set);
  metrics::Cell* messages;
  metrics::Cell* attachments;
  metrics::Cell* starttls;
  std::array<metrics::Cell*, static_cast<std::size_t>(Anomaly::kCount)> anomalies{};
  mime::MimeMetrics mime;
  ZipMetrics zip;
  void Count(Anomaly a) { anomalies[static_cast<std::size_t>(a)]->Inc(); }
};
}  // namespace smtp

class SmtpSession : public AppSession, private mime::MimeSink {
 public:
  static constexpr std::size_t kMaxLine = 2048;
  static constexpr std::size_t kMaxPending = 64;
  static constexpr std::size_t kMaxAttachmentNames = 8;  // in `detail`; all are counted

  SmtpSession(const AppContext& ctx, flow::Flow& flow);
  void OnData(flow::Flow& flow, flow::Direction dir, ByteView data) override;
  void OnGap(flow::Flow& flow, flow::Direction dir, std::uint64_t length) override;
  void OnClose(flow::Flow& flow) override;
  track::AppProto proto() const override { return track::AppProto::kSmtp; }

  bool tls_started() const { return tls_; }
  std::string_view account() const { return account_; }

 private:
  enum class Client : std::uint8_t { kCommand, kDataWait, kData, kBdat, kAuthPlain, kAuthLoginUser, kAuthLoginPass };
  enum class Cmd : std::uint8_t { kOther, kData, kDataEnd, kStartTls, kAuth };
  enum class Dot : std::uint8_t { kLineStart, kMid, kCr, kDot, kDotCr };
  struct Attachment {
    std::string name;
    std::uint64_t size = 0;
  };

  void ClientData(flow::Flow& flow, ByteView data);
  void ServerData(ByteView data);
  void OnCommand(flow::Flow& flow, std::string_view line);
  void OnReply(std::string_view line);
  // Returns bytes consumed; ends the message when the terminating CRLF.CRLF is seen.
  std::size_t DataBytes(flow::Flow& flow, ByteView data);
  void Content(ByteView data);
  void BeginMessage();
  void FinishMessage(flow::Flow& flow);
  void ResetEnvelope();
  void Push(Cmd c);
  void SetAuthUser(std::string_view base64_user, bool plain);

  // mime::MimeSink
  void OnPartBegin(const mime::PartInfo& part) override;
  void OnPartData(ByteView decoded) override;
  void OnPartEnd(const mime::PartInfo& part, std::uint64_t decoded_size) override;
  void OnPartGap() override;
  // The scan of part bytes (after the JSON-part unescaper).
  void ScanPart(ByteView data);

  const AppContext& ctx_;
  smtp::SmtpMetrics& metrics_;
  mime::MimeParser mime_;
  std::optional<match::ScanStream> scan_;

  Client client_ = Client::kCommand;
  bool tls_ = false;
  std::string cline_, sline_;
  bool cline_overflow_ = false, sline_overflow_ = false;
  std::array<Cmd, kMaxPending> pending_{};
  std::size_t pending_head_ = 0, pending_count_ = 0;
  Dot dot_ = Dot::kLineStart;
  std::uint64_t bdat_left_ = 0;
  bool bdat_last_ = false;

  std::string account_;
  std::string sender_;  // masked
  std::uint32_t rcpts_ = 0;
  bool in_message_ = false;
  JsonUnescaper json_part_;
  ZipScan zip_;  // the part's scan: a ZIP attachment's files, each a part of the unit
  std::uint64_t decoded_ = 0;  // MIME-decoded part bytes (event `bytes`), not JSON-unescaped
  std::uint32_t attachment_count_ = 0;
  std::vector<Attachment> attachments_;
};

}  // namespace vigie::app
