#pragma once
// Latency of a REST request under load: GET one path at a fixed rate on its own thread and
// keep how long each answer took, the way a dashboard polling the coordinator sees it.

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.h"

namespace fmg::bench {

/// What a RequestSampler saw.
struct RequestSamples {
    std::vector<double> latencies_ms;  // of the answers with the expected status, in order
    size_t failures = 0;               // other statuses and transport errors
    std::string first_failure;         // the first of them, described
};

class RequestSampler {
  public:
    /// Starts sending `GET path` through `client` every `interval` (the next request leaves
    /// `interval` after the previous one left, or at once when it took longer), expecting
    /// status `expected_status`.
    RequestSampler(testing::HttpClient client, std::string path, std::chrono::milliseconds interval,
                   int expected_status = 200);
    ~RequestSampler();
    RequestSampler(const RequestSampler&) = delete;
    RequestSampler& operator=(const RequestSampler&) = delete;

    /// Stops after the request in flight, if any, and returns everything seen.
    RequestSamples stop();

  private:
    void run();

    testing::HttpClient client_;
    std::string path_;
    std::chrono::milliseconds interval_;
    int expected_status_;
    std::atomic<bool> running_{true};
    std::mutex mutex_;
    RequestSamples samples_;
    std::thread thread_;
};

}  // namespace fmg::bench
