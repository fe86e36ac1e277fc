#pragma once
// A pool of threads that serve complete HTTP requests the gate hands over: Poco's
// TCPServerDispatcher and HTTPServerConnection (so Poco still parses each request and the
// handlers stay as they are), with each connection counted in ConnectionLimits until its
// connection object is destroyed. The server has two: workers and log followers.

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/ThreadPool.h>

#include <chrono>
#include <string>

#include "coordinator/http/connection_limits.h"

namespace fmg::coordinator::http {

enum class PoolKind { workers, followers };

class WorkerPool {
  public:
    /// A pool of `threads` threads with room for `max_queued` requests waiting for one.
    /// Requests are answered by `handlers`; connections are released in `limits`.
    WorkerPool(PoolKind kind, int threads, int max_queued,
               Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, ConnectionLimits& limits);
    /// Stops and joins (stop(), then join()).
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// True when every thread is taken and `max_queued` requests wait: a request handed over
    /// now would wait beyond the bound.
    bool full() const;
    /// Queues a connection whose request has arrived; the socket must be blocking.
    void hand_over(const Poco::Net::StreamSocket& socket);
    /// Connections being served now or waiting for a thread.
    int busy() const;

    /// Takes no more connections; those waiting are closed unanswered (only at shutdown, after
    /// the gate stopped handing any over).
    void stop();
    /// Waits for every thread to finish its connection. Call after stop().
    void join();

  private:
    const int capacity_;  // threads + max_queued
    Poco::ThreadPool threads_;
    Poco::Net::TCPServerDispatcher* dispatcher_;  // reference counted by Poco
    bool stopped_ = false;
};

}  // namespace fmg::coordinator::http
