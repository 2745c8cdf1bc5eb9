#pragma once
// HTTP/1.0 and 1.1 over one TCP connection: requests and responses paired in order (FIFO of
// pending request metadata: keep-alive and pipelining), bodies decoded and scanned, one
// TransactionEvent per message that carried a body (or a request target with PII).
// The account is attributed from the request and applied to its response.
//
// Bytes the framer cannot frame (a non-HTTP reply to an HTTP-looking request, garbage skipped
// while resynchronising, bodies skipped after a bad Transfer-Encoding or while awaiting a
// CONNECT/Upgrade answer) are scanned as raw content, like app/raw/ does for unknown protocols:
// each run of them is one unit per direction (cut every RawSession::kUnitBytes), reported as a
// kRaw TransactionEvent when the next message of that direction starts, at close, or at the cut,
// and counted as vigie_http_anomalies_total{reason="unframed_data"}. Honours scan_raw_streams.
// HTTP/0.9 exchanges are decoded: the Simple-Response is the response's body, up to the close.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "app/app_context.h"
#include "app/http/body_pipeline.h"
#include "app/http/http_framer.h"
#include "app/http/http_metrics.h"
#include "app/session.h"

namespace vigie::app::http {

class HttpSession final : public AppSession {
 public:
  static constexpr std::size_t kMaxPending = 64;  // pipelined requests awaiting a response

  HttpSession(const AppContext& ctx, flow::Flow& flow);
  void OnData(flow::Flow& flow, flow::Direction dir, ByteView data) override;
  void OnGap(flow::Flow& flow, flow::Direction dir, std::uint64_t length) override;
  void OnClose(flow::Flow& flow) override;
  track::AppProto proto() const override { return track::AppProto::kHttp; }

 private:
  struct Pending {
    std::string method;
    std::string where;  // host + path, without the query string
    std::string account;
    IpAddr client_ip;
    std::string target, host;  // as sent; only kept for a BodyObserver (ctx.http_bodies)
    bool http09 = false;       // a Simple-Request: its response may be a Simple-Response
  };
  // One direction: its framer, its body pipeline and the message in progress.
  class Side final : public HttpFramer::Handler {
   public:
    Side(HttpSession& s, flow::Direction dir);
    BodyPlan OnHead(const HttpHead& head) override;
    void OnBody(ByteView wire) override { body.Body(wire); }
    void OnBodyGap(std::uint64_t) override;
    void OnMessageEnd(bool complete) override;
    void OnAnomaly(Anomaly a) override { s.metrics_.anomalies[static_cast<std::size_t>(a)]->Inc(); }
    void OnUnframed(ByteView bytes) override;
    bool SimpleResponseNext() override;

    HttpSession& s;
    const flow::Direction dir;
    HttpFramer framer;
    BodyPipeline body;
    bool active = false;  // a unit was begun for the current message
    Pending meta;         // request: its own; response: the popped request
    std::string detail;
    // The raw unit of unframed bytes (allocated on the first one, reused by later units).
    std::optional<match::ScanStream> raw_scan;
    std::uint64_t raw_bytes = 0;  // bytes in the open raw unit (0: none open)
    bool raw_run = false;         // unframed bytes since the last message head of this side
  };

  BodyPlan OnRequestHead(Side& side, const HttpHead& head);
  BodyPlan OnResponseHead(Side& side, const HttpHead& head);
  void BeginUnit(Side& side, const HttpHead& head);
  void Emit(Side& side);
  void EmitRaw(Side& side);

  const AppContext& ctx_;
  flow::Flow& flow_;
  HttpMetrics& metrics_;
  std::deque<Pending> pending_;
  std::string scratch_;       // percent-decoded target, joined header values
  Side sides_[2];
};

}  // namespace vigie::app::http
