#pragma once
// Optional tap on decoded HTTP message bodies, for tools and tests (tests/tools/http_objects.cc
// compares them with `tshark --export-objects http`). Set `AppContext::http_bodies`; null (the
// default, and always in the sensor) costs one pointer test per message head and nothing per
// packet: the tap is only linked into a body's decoding chain when an observer is set.
//
// What the observer sees is the message's content as the peer meant it (the representation,
// RFC 9110 §8.1): de-chunked, then every Content-Encoding / Transfer-Encoding coding undone,
// i.e. the bytes BodyPipeline counts as decoded, except that it comes BEFORE the scan-side
// steps (percent-decoding of form bodies, MIME splitting of multipart bodies, http_body_limit).
// If a coding cannot be undone (unknown coding, invalid data) the observer gets what the body
// pipeline passes on instead (the raw bytes); after a gap inside a coded body, nothing more.
//
// Calls for one message: OnBodyBegin, OnBodyData*, OnBodyGap*, OnBodyEnd, all on the worker's
// thread. Messages of different flows interleave: (flow, direction) identifies the message in
// progress (at most one per direction of a flow). Every request gets a Begin/End pair (most
// with no data); responses without a body by definition (HEAD, 1xx, 204, 304, tunnels) get none.
// Views passed to the observer are only valid during the call.
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "flow/flow.h"

namespace vigie::app::http {

struct BodyMeta {
  flow::Direction dir = flow::Direction::kToServer;  // kToServer: a request body
  std::string_view method;        // the request's (a response's paired request; "?" if none)
  std::string_view target;        // the request target as sent (with the query string)
  std::string_view host;          // the request's Host header, as sent
  int status = 0;                 // response status; 0 for a request
  std::string_view content_type;  // the message's Content-Type value, as sent
  std::string_view codings;       // codings being undone, in the order applied ("gzip, br")
};

struct BodyEnd {
  // The framing ended the message normally (false: the connection closed, or the body was
  // abandoned, before its announced end).
  bool complete = false;
  // A coding could not be undone (unknown or too many codings, invalid compressed data, a
  // decompression bomb): the observer got the raw bytes the pipeline passed on instead, or a
  // cut body.
  bool coding_failed = false;
};

class BodyObserver {
 public:
  virtual ~BodyObserver() = default;
  virtual void OnBodyBegin(const flow::Flow& flow, const BodyMeta& meta) = 0;
  virtual void OnBodyData(const flow::Flow& flow, flow::Direction dir, ByteView decoded) = 0;
  // Input bytes of the body were lost (transport gap): the content is incomplete.
  virtual void OnBodyGap(const flow::Flow& flow, flow::Direction dir) = 0;
  virtual void OnBodyEnd(const flow::Flow& flow, flow::Direction dir, const BodyEnd& end) = 0;
};

}  // namespace vigie::app::http
