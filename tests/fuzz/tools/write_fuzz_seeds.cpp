// Writes the seeds of two fuzz targets into tests/fuzz/corpus (committed; rerun it when the
// messages or payloads change, then review and commit what changed; the payloads' timestamps
// are the time of the run):
//   protocol_codec_fuzz/   one frame per sample message of the protocol tests, both directions
//   webhook_events_fuzz/   the GitHub payloads of the integration tests, after the byte that
//                          picks the event (see webhook_events_fuzz.cpp)
// Usage: build-fuzz/tests/write_fuzz_seeds tests/fuzz/corpus

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "protocol/codec.h"
#include "tests/support/webhook.h"
#include "tests/unit/protocol/samples.h"

namespace {

namespace fs = std::filesystem;

void write(const fs::path& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out) throw std::runtime_error("cannot write " + file.string());
}

// "07_job_finished.bin": the sample's place keeps two samples of one type apart.
std::string numbered(size_t index, std::string_view type) {
    char number[8];
    std::snprintf(number, sizeof(number), "%02zu_", index);
    return std::string(number) + std::string(type) + ".bin";
}

void write_protocol_seeds(const fs::path& dir) {
    namespace protocol = fmg::protocol;
    fs::create_directories(dir);
    const auto agent = protocol::testing::sample_agent_messages();
    for (size_t i = 0; i < agent.size(); ++i) {
        write(dir / ("agent_" + numbered(i, protocol::type_name(agent[i]))),
              protocol::encode(agent[i]));
    }
    const auto coordinator = protocol::testing::sample_coordinator_messages();
    for (size_t i = 0; i < coordinator.size(); ++i) {
        write(dir / ("coordinator_" + numbered(i, protocol::type_name(coordinator[i]))),
              protocol::encode(coordinator[i]));
    }
}

void write_webhook_seeds(const fs::path& dir) {
    using fmg::testing::PullRequestEvent;
    using fmg::testing::PushEvent;
    fs::create_directories(dir);
    // The selector bytes of webhook_events_fuzz.cpp.
    const std::string push(1, '\x00'), pull_request(1, '\x01'), ping(1, '\x02');
    const std::string issues(1, '\x03'), no_event(1, '\x07');
    const std::string sha = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";

    PushEvent branch;
    branch.after = sha;
    write(dir / "push_branch.json", push + push_payload(branch));
    PushEvent tag = branch;
    tag.ref = "refs/tags/v1.2.0";
    tag.before = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    write(dir / "push_tag.json", push + push_payload(tag));
    PushEvent deleted = branch;
    deleted.deleted = true;
    write(dir / "push_deleted.json", push + push_payload(deleted));
    write(dir / "issues_event.json", issues + push_payload(branch));
    write(dir / "no_event_header.json", no_event + push_payload(branch));

    PullRequestEvent own;
    own.head_sha = sha;
    write(dir / "pull_request_opened.json", pull_request + pull_request_payload(own));
    PullRequestEvent fork = own;
    fork.action = "synchronize";
    fork.head_owner = "forker";
    fork.user = "forker";
    fork.head_clone_url = "https://github.com/forker/demo.git";
    write(dir / "pull_request_fork.json", pull_request + pull_request_payload(fork));
    PullRequestEvent gone = fork;
    gone.action = "reopened";
    gone.head_deleted = true;
    write(dir / "pull_request_deleted_fork.json", pull_request + pull_request_payload(gone));
    PullRequestEvent closed = own;
    closed.action = "closed";
    write(dir / "pull_request_closed.json", pull_request + pull_request_payload(closed));

    write(dir / "ping.json", ping + fmg::testing::ping_payload("octo", "demo"));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR (tests/fuzz/corpus)\n", argv[0]);
        return 2;
    }
    const fs::path corpus = argv[1];
    write_protocol_seeds(corpus / "protocol_codec_fuzz");
    write_webhook_seeds(corpus / "webhook_events_fuzz");
    return 0;
}
