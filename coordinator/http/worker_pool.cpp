#include "coordinator/http/worker_pool.h"

#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include "coordinator/http/constants.h"
#include "coordinator/http/request_head.h"

namespace fmg::coordinator::http {
namespace {

/// Poco's HTTP connection, released in ConnectionLimits when it is destroyed, and telling
/// the log API whether this thread may follow a log.
class CountedConnection : public Poco::Net::HTTPServerConnection {
  public:
    CountedConnection(const Poco::Net::StreamSocket& socket,
                      Poco::Net::HTTPServerParams::Ptr params,
                      Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, ConnectionLimits& limits,
                      PoolKind kind)
        : HTTPServerConnection(socket, params, handlers),
          limits_(limits),
          ticket_(limits.claim(socket.impl()->sockfd())),
          kind_(kind) {}

    ~CountedConnection() override { limits_.release_ticket(ticket_); }

    void run() override {
        set_on_follower_thread(kind_ == PoolKind::followers);
        HTTPServerConnection::run();
        set_on_follower_thread(false);
    }

  private:
    ConnectionLimits& limits_;
    uint64_t ticket_;
    PoolKind kind_;
};

class CountedConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
  public:
    CountedConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                             Poco::Net::HTTPRequestHandlerFactory::Ptr handlers,
                             ConnectionLimits& limits, PoolKind kind)
        : params_(params), handlers_(handlers), limits_(limits), kind_(kind) {}

    Poco::Net::TCPServerConnection* createConnection(
        const Poco::Net::StreamSocket& socket) override {
        return new CountedConnection(socket, params_, handlers_, limits_, kind_);
    }

  private:
    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
    ConnectionLimits& limits_;
    PoolKind kind_;
};

}  // namespace

WorkerPool::WorkerPool(PoolKind kind, int threads, int max_queued,
                       Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, ConnectionLimits& limits)
    : capacity_(threads + max_queued),
      threads_(kind == PoolKind::workers ? "http-worker" : "http-follower", 1, threads) {
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(threads);
    // Poco's own bound counts only the queue, which briefly holds requests that threads still
    // starting will take: it is set high enough never to drop one unanswered; full() is the
    // bound the gate enforces (and answers with 503).
    params->setMaxQueued(threads + max_queued);
    // One request a connection: a kept-alive idle connection would hold its thread between
    // requests, which is what the gate exists to prevent.
    params->setKeepAlive(false);
    params->setTimeout(Poco::Timespan(kWorkerSocketTimeout.count(), 0));
    dispatcher_ = new Poco::Net::TCPServerDispatcher(
        new CountedConnectionFactory(params, handlers, limits, kind), threads_, params);
}

WorkerPool::~WorkerPool() {
    stop();
    join();
    dispatcher_->release();
}

bool WorkerPool::full() const {
    return busy() >= capacity_;
}

void WorkerPool::hand_over(const Poco::Net::StreamSocket& socket) {
    dispatcher_->enqueue(socket);
}

int WorkerPool::busy() const {
    return dispatcher_->currentConnections() + dispatcher_->queuedConnections();
}

void WorkerPool::stop() {
    if (stopped_) return;
    stopped_ = true;
    dispatcher_->stop();
}

void WorkerPool::join() {
    threads_.joinAll();
}

}  // namespace fmg::coordinator::http
