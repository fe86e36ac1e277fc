#include "agent/docker/run_exec.h"

#include <algorithm>
#include <thread>

namespace fmg::agent::docker {
namespace {

constexpr size_t kMaxCollectedOutput = 64 * 1024;

}  // namespace

Result<int> wait_exec_exit(const DockerClient& client, const std::string& exec_id,
                           SteadyTime deadline) {
    // Docker has no way to wait for an exec; the stream usually ends after the state is
    // recorded, so the first inspection nearly always answers.
    Millis pause{5};
    for (;;) {
        auto state = client.inspect_exec(exec_id);
        if (!state) return state.error();
        if (!state->running) return state->exit_code;
        if (std::chrono::steady_clock::now() + pause > deadline) {
            return Error{"exec " + exec_id.substr(0, 12) + " still running after its output ended"};
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, Millis(200));
    }
}

Result<ExecOutcome> run_exec(const DockerClient& client, const std::string& container_id,
                             const ExecSpec& spec, Millis timeout) {
    SteadyTime deadline = std::chrono::steady_clock::now() + timeout;
    auto exec_id = client.create_exec(container_id, spec);
    if (!exec_id) return exec_id.error();
    auto stream = client.start_exec(*exec_id);
    if (!stream) return stream.error();
    ExecOutcome outcome;
    for (;;) {
        std::string chunk;
        auto next = stream->next(chunk, deadline, -1);
        if (!next) return next.error();
        if (*next == ExecStream::Next::ended) break;
        if (*next == ExecStream::Next::timed_out) {
            return Error{"`" + spec.cmd.front() + "` did not finish within " +
                         std::to_string(timeout.count()) + " ms"};
        }
        size_t room = kMaxCollectedOutput - std::min(kMaxCollectedOutput, outcome.output.size());
        outcome.output.append(chunk, 0, std::min(room, chunk.size()));
    }
    auto code = wait_exec_exit(client, *exec_id, deadline);
    if (!code) return code.error();
    outcome.exit_code = *code;
    return outcome;
}

}  // namespace fmg::agent::docker
