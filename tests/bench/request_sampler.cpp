#include "tests/bench/request_sampler.h"

namespace fmg::bench {

RequestSampler::RequestSampler(testing::HttpClient client, std::string path,
                               std::chrono::milliseconds interval, int expected_status)
    : client_(std::move(client)),
      path_(std::move(path)),
      interval_(interval),
      expected_status_(expected_status),
      thread_([this] { run(); }) {}

RequestSampler::~RequestSampler() {
    stop();
}

RequestSamples RequestSampler::stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    return samples_;
}

void RequestSampler::run() {
    using Clock = std::chrono::steady_clock;
    auto next = Clock::now();
    while (running_) {
        const auto sent = Clock::now();
        const testing::HttpResponse response = client_.get(path_);
        const double took_ms =
            std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
        {
            std::lock_guard lock(mutex_);
            if (response.status == expected_status_) {
                samples_.latencies_ms.push_back(took_ms);
            } else {
                if (samples_.failures++ == 0) samples_.first_failure = response.describe();
            }
        }
        next += interval_;
        // Sleep in short steps so stop() does not wait for a whole interval.
        while (running_ && Clock::now() < next) {
            std::this_thread::sleep_for(
                std::min<Clock::duration>(next - Clock::now(), std::chrono::milliseconds(20)));
        }
        if (Clock::now() > next + interval_) next = Clock::now();  // fell behind: no burst
    }
}

}  // namespace fmg::bench
