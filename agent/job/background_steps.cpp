#include "agent/job/background_steps.h"

namespace fmg::agent {

void LineOutput::write(std::string_view bytes) {
    held_.append(bytes);
    const size_t end = held_.rfind('\n');
    if (end != std::string::npos) {
        sink_(std::string_view(held_).substr(0, end + 1));
        held_.erase(0, end + 1);
    }
    while (held_.size() >= kMaxHeldBytes) {
        sink_(std::string_view(held_).substr(0, kMaxHeldBytes));
        held_.erase(0, kMaxHeldBytes);
    }
}

void LineOutput::flush() {
    if (held_.empty()) return;
    held_ += '\n';
    sink_(held_);
    held_.clear();
}

BackgroundSteps::~BackgroundSteps() {
    stop_and_join();
}

void BackgroundSteps::start(uint32_t index, RunStep step, JobExecution& execution,
                            OutputSink output, Ended ended) {
    auto running = std::make_unique<Running>();
    step.stop_fd = running->stop.fd();
    running->thread = std::thread([index, step = std::move(step), &execution,
                                   output = std::move(output), ended = std::move(ended)] {
        LineOutput lines(output);
        OutputSink sink = [&lines](std::string_view bytes) { lines.write(bytes); };
        StepExit exit = execution.run(step, sink);
        lines.flush();
        ended(index, exit);
    });
    std::lock_guard lock(mutex_);
    running_.push_back(std::move(running));
}

void BackgroundSteps::stop_all() {
    std::lock_guard lock(mutex_);
    for (auto& running : running_) running->stop.signal();
}

void BackgroundSteps::stop_and_join() {
    std::vector<std::unique_ptr<Running>> stopping;
    {
        std::lock_guard lock(mutex_);
        for (auto& running : running_) running->stop.signal();
        stopping.swap(running_);
    }
    for (auto& running : stopping) {
        if (running->thread.joinable()) running->thread.join();
    }
}

}  // namespace fmg::agent
