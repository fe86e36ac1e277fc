// The file messages (PROTOCOL.md 11): uploads and their answers round-trip, and what would
// make the coordinator store something it cannot check is refused by the decoder.

#include <catch2/catch.hpp>

#include "protocol/codec.h"
#include "raw_frames.h"

using namespace fmg;
using namespace fmg::protocol;
using namespace fmg::protocol::testing;
using Catch::Matchers::Contains;

namespace {

const std::string kSha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

std::string agent_error(std::string_view frame) {
    auto decoded = decode_agent_message(frame);
    return decoded ? "decoded as " + std::string(type_name(*decoded)) : decoded.error().message;
}

std::string coordinator_error(std::string_view frame) {
    auto decoded = decode_coordinator_message(frame);
    return decoded ? "decoded as " + std::string(type_name(*decoded)) : decoded.error().message;
}

Assign assign_with(const StepSpec& step) {
    Assign assign{1, 1, "build", "file:///repo", "main", "abc", "", {}, {}, "", {}, 0, {}, {}};
    assign.steps.push_back(step);
    return assign;
}

}  // namespace

TEST_CASE("an upload chunk of the largest size round-trips byte for byte", "[protocol][codec]") {
    std::string data(kMaxLogChunkBytes, '\0');
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
    Upload upload{5, 1, 3 * kMaxLogChunkBytes, data};
    auto decoded = decode_agent_message(encode(AgentMessage{upload}));
    REQUIRE(decoded);
    CHECK(std::get<Upload>(*decoded) == upload);

    upload.data.push_back('x');
    CHECK_THAT(agent_error(encode(AgentMessage{upload})),
               Contains("longer than the 1048576-byte limit"));
}

TEST_CASE("an upload's id starts at 1", "[protocol][codec]") {
    CHECK_THAT(agent_error(encode(AgentMessage{Upload{5, 0, 0, "x"}})), Contains("'upload_id'"));
    CHECK_THAT(coordinator_error(encode(CoordinatorMessage{UploadAck{5, 0, 0}})),
               Contains("'upload_id'"));
    CHECK_THAT(coordinator_error(encode(CoordinatorMessage{UploadDone{5, 0, ""}})),
               Contains("'upload_id'"));
}

TEST_CASE("an upload_end names its digest in lowercase hex and a path", "[protocol][codec]") {
    UploadEnd end{5, 1, UploadKind::artifact, "out/app.bin", 4, kSha};
    CHECK(agent_error(encode(AgentMessage{end})) == "decoded as upload_end");

    UploadEnd upper = end;
    for (char& c : upper.sha256) c = static_cast<char>(std::toupper(c));
    CHECK_THAT(agent_error(encode(AgentMessage{upper})), Contains("64 lowercase hexadecimal"));

    UploadEnd short_digest = end;
    short_digest.sha256 = kSha.substr(1);
    CHECK_THAT(agent_error(encode(AgentMessage{short_digest})), Contains("'sha256'"));

    UploadEnd no_path = end;
    no_path.path.clear();
    CHECK_THAT(agent_error(encode(AgentMessage{no_path})), Contains("'path'"));

    std::string frame = with_field(encode(AgentMessage{end}), "kind", packed(std::string("cache")));
    CHECK_THAT(agent_error(frame), Contains("must be one of artifact"));
}

TEST_CASE("a store_artifacts step names exactly one path", "[protocol][codec]") {
    StepSpec step;
    step.kind = StepKind::store_artifacts;
    step.name = "Uploading artifacts";
    step.paths = {"out"};
    step.destination = "build";
    auto decoded = decode_coordinator_message(encode(CoordinatorMessage{assign_with(step)}));
    REQUIRE(decoded);
    CHECK(std::get<Assign>(*decoded).steps.front() == step);

    for (std::vector<std::string> paths :
         {std::vector<std::string>{}, std::vector<std::string>{""}, {"a", "b"}}) {
        step.paths = paths;
        CHECK_THAT(coordinator_error(encode(CoordinatorMessage{assign_with(step)})),
                   Contains("must hold one non-empty path for a store_artifacts step"));
    }
}

TEST_CASE("a step without paths and destination (an older coordinator's) reads as none",
          "[protocol][codec]") {
    StepSpec step;
    step.kind = StepKind::run;
    step.name = "Tests";
    step.command = "make test";
    const std::string frame = encode(CoordinatorMessage{assign_with(step)});
    std::vector<std::string> steps = elements_of(field_value(frame, "steps"));
    steps[0] = without_field(without_field(steps[0], "paths"), "destination");
    auto decoded = decode_coordinator_message(with_field(frame, "steps", array_of(steps)));
    REQUIRE(decoded);
    CHECK(std::get<Assign>(*decoded).steps.front() == step);
}

TEST_CASE("a fetch asks for 1 byte to 1 MiB of a blob named by its digest", "[protocol][codec]") {
    Fetch fetch{5, 1, kSha, 0, static_cast<uint32_t>(kMaxLogChunkBytes)};
    CHECK(agent_error(encode(AgentMessage{fetch})) == "decoded as fetch");
    fetch.length = 0;
    CHECK_THAT(agent_error(encode(AgentMessage{fetch})), Contains("'length'"));
    fetch.length = static_cast<uint32_t>(kMaxLogChunkBytes) + 1;
    CHECK_THAT(agent_error(encode(AgentMessage{fetch})), Contains("is more than 1048576"));
    fetch.length = 1;
    fetch.sha256 = "../../etc/passwd";
    CHECK_THAT(agent_error(encode(AgentMessage{fetch})), Contains("64 lowercase hexadecimal"));
}

TEST_CASE("workspace steps name what they need, their layers by digest", "[protocol][codec]") {
    StepSpec persist;
    persist.kind = StepKind::persist_to_workspace;
    persist.name = "Persisting to workspace";
    persist.root = ".";
    CHECK_THAT(coordinator_error(encode(CoordinatorMessage{assign_with(persist)})),
               Contains("and root must be set for a persist_to_workspace step"));
    persist.paths = {"bin"};
    CHECK(coordinator_error(encode(CoordinatorMessage{assign_with(persist)})) ==
          "decoded as assign");

    StepSpec attach;
    attach.kind = StepKind::attach_workspace;
    attach.name = "Attaching workspace";
    CHECK_THAT(coordinator_error(encode(CoordinatorMessage{assign_with(attach)})),
               Contains("must be set for an attach_workspace step"));
    attach.at = "/tmp/ws";
    attach.layers = {kSha, "not-a-digest"};
    CHECK_THAT(coordinator_error(encode(CoordinatorMessage{assign_with(attach)})),
               Contains("must hold SHA-256 digests"));
    attach.layers = {kSha};
    auto decoded = decode_coordinator_message(encode(CoordinatorMessage{assign_with(attach)}));
    REQUIRE(decoded);
    CHECK(std::get<Assign>(*decoded).steps.front() == attach);
}

TEST_CASE("cache requests carry printable keys within CircleCI's limit", "[protocol][codec]") {
    CHECK(agent_error(encode(AgentMessage{CacheFind{5, 1, {"a", "b"}, false}})) ==
          "decoded as cache_find");
    CHECK_THAT(agent_error(encode(AgentMessage{CacheFind{5, 1, {}, false}})),
               Contains("must not be empty"));
    CHECK_THAT(agent_error(encode(AgentMessage{CacheFind{5, 1, {"a", "b"}, true}})),
               Contains("exactly one key"));
    CHECK_THAT(agent_error(encode(AgentMessage{CacheFind{5, 1, {"a\nb"}, false}})),
               Contains("control characters"));
    CHECK_THAT(agent_error(encode(AgentMessage{CacheFind{5, 1, {std::string(901, 'k')}, false}})),
               Contains("'keys[0]' is 901 bytes long"));
    CHECK_THAT(agent_error(encode(AgentMessage{CacheFind{5, 0, {"a"}, false}})),
               Contains("'request_id'"));
    CHECK(agent_error(encode(AgentMessage{CacheSave{5, 1, "deps", {1, 2}}})) ==
          "decoded as cache_save");
    CHECK_THAT(agent_error(encode(AgentMessage{CacheSave{5, 1, "deps", {}}})),
               Contains("must not be empty"));
    CHECK_THAT(agent_error(encode(AgentMessage{CacheSave{5, 1, "deps", {1, 0}}})),
               Contains("'upload_ids[1]' must be a positive integer"));
    CHECK_THAT(agent_error(encode(AgentMessage{CacheSave{5, 1, "", {1}}})), Contains("'key'"));
}

TEST_CASE("a cache answer names its parts' blobs in lowercase hex", "[protocol][codec]") {
    CacheAnswer answer{5, 1, "deps", {{"~", kSha, 10}}, false, ""};
    CHECK(coordinator_error(encode(CoordinatorMessage{answer})) == "decoded as cache_answer");
    answer.parts[0].sha256 = "../../etc/passwd";
    CHECK_THAT(coordinator_error(encode(CoordinatorMessage{answer})),
               Contains("64 lowercase hexadecimal digits"));
    answer.parts[0] = {"", kSha, 10};
    CHECK_THAT(coordinator_error(encode(CoordinatorMessage{answer})), Contains("'parts[0].path'"));
}

TEST_CASE("cache steps carry their keys, a save one key and its paths", "[protocol][codec]") {
    StepSpec save;
    save.kind = StepKind::save_cache;
    save.keys = {"deps-{{ .Branch }}"};
    save.paths = {"node_modules"};
    CHECK(coordinator_error(encode(CoordinatorMessage{assign_with(save)})) == "decoded as assign");
    save.paths.clear();
    CHECK_THAT(coordinator_error(encode(CoordinatorMessage{assign_with(save)})),
               Contains("save_cache"));
    save.paths = {"node_modules"};
    save.keys = {"a", "b"};
    CHECK_THAT(coordinator_error(encode(CoordinatorMessage{assign_with(save)})),
               Contains("save_cache"));
    StepSpec restore;
    restore.kind = StepKind::restore_cache;
    CHECK_THAT(coordinator_error(encode(CoordinatorMessage{assign_with(restore)})),
               Contains("restore_cache"));
    restore.keys = {"a", "b"};
    CHECK(coordinator_error(encode(CoordinatorMessage{assign_with(restore)})) ==
          "decoded as assign");
}
