#pragma once
// The HTTP server's limits (docs/security.md, "HTTP server"). Each answers a client that is
// slow, silent or numerous: such a client may cost a file descriptor in the gate
// (http/gate.h), never a worker thread that others need.

#include <chrono>
#include <cstddef>

namespace fmg::coordinator::http {

/// Worker threads for complete requests (webhooks, the API, /metrics). A worker only ever
/// gets a request whose head (and small body) has arrived, so idle and slow clients cannot
/// take one.
constexpr int kHttpWorkers = 32;
/// Complete requests waiting for a worker when all are busy; beyond this the gate answers
/// 503 at once instead of letting a flood queue without bound.
constexpr int kHttpQueuedRequests = 64;
/// Live-log followers (`follow=1`) and artifact downloads run on a pool of their own, since
/// each holds its thread until its job ends or its file is sent: this many at once, more get
/// 503. They never take a worker.
constexpr int kMaxLogFollowers = 64;
/// Open connections from one client address (an IPv6 client: its /64), from accept until the
/// request is answered: an address holding this many gets 503 for the next, so one host
/// cannot use up the total.
constexpr int kMaxConnectionsPerAddress = 32;
/// Open connections in all (also clamped to half the process's file descriptor limit): a
/// flood from many addresses gets 503 instead of exhausting descriptors.
constexpr int kMaxConnections = 1024;
/// A client must send its whole request head (and a body of at most kMaxHeldBodyBytes) within
/// this long of connecting, else it gets 408 and is closed: silent and slow-header clients.
constexpr std::chrono::seconds kRequestHeadDeadline{10};
/// A request head larger than this gets 431: the gate reads heads by peeking at the socket's
/// receive buffer, which must hold all of it (Poco refuses header lines over 8 KiB anyway).
constexpr size_t kMaxRequestHeadBytes = 16 * 1024;
/// A body of at most this many bytes must have arrived whole before a worker takes the
/// request, and a larger one at least this much of it: slow-body clients then wait in the gate
/// too. It fits the receive window the accepted sockets get (kReceiveBufferBytes) with the
/// head, so a client is never stalled by the window while the gate waits for its body.
constexpr size_t kMaxHeldBodyBytes = 64 * 1024;
/// SO_RCVBUF of accepted sockets (the kernel doubles it for its bookkeeping): large enough
/// that a head and kMaxHeldBodyBytes of body always fit unread.
constexpr int kReceiveBufferBytes = 256 * 1024;
/// A worker's socket reads and writes time out after this (Poco's per-operation timeout).
constexpr std::chrono::seconds kWorkerSocketTimeout{20};
/// Connections the kernel holds before the gate accepts them (listen backlog).
constexpr int kListenBacklog = 256;
/// Retry-After of every 503 the gate sends.
constexpr int kRetryAfterSeconds = 2;
/// At shutdown, requests in progress get this long to finish before their sockets are shut.
constexpr std::chrono::milliseconds kShutdownGrace{2000};
/// After accept() fails for lack of descriptors, the gate stops accepting for this long
/// rather than spinning on a listening socket that stays readable.
constexpr std::chrono::milliseconds kAcceptPauseAfterEmfile{100};

}  // namespace fmg::coordinator::http
