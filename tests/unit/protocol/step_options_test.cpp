// A step's OPTIONAL fields (shell, background, max_auto_reruns, auto_rerun_delay_ms): they
// round-trip, an assign without them (an older coordinator's) reads as the defaults, and
// values past the limits are refused.

#include <catch2/catch.hpp>

#include "protocol/codec.h"
#include "raw_frames.h"

using namespace fmg;
using namespace fmg::protocol;
using namespace fmg::protocol::testing;

namespace {

Assign assign_with(const StepSpec& step) {
    Assign assign{1, 1, "build", "file:///repo", "main", "abc", "", {}, {}, "", {}, 0, {}, {}};
    assign.steps.push_back(step);
    return assign;
}

StepSpec optioned_step() {
    StepSpec step;
    step.kind = StepKind::run;
    step.name = "Tests";
    step.command = "make test";
    step.shell = "/bin/sh -eu";
    step.background = true;
    step.max_auto_reruns = 5;
    step.auto_rerun_delay_ms = kMaxAutoRerunDelayMs;
    return step;
}

// The assign frame with each step map changed by `edit`.
template <typename Edit>
std::string with_steps_edited(const std::string& frame, Edit edit) {
    std::vector<std::string> steps;
    for (const std::string& step : elements_of(field_value(frame, "steps"))) {
        steps.push_back(edit(step));
    }
    return with_field(frame, "steps", array_of(steps));
}

}  // namespace

TEST_CASE("a step's shell, background and rerun fields round-trip", "[protocol][codec]") {
    const Assign assign = assign_with(optioned_step());
    auto decoded = decode_coordinator_message(encode(CoordinatorMessage{assign}));
    REQUIRE(decoded.ok());
    CHECK(*decoded == CoordinatorMessage{assign});
}

TEST_CASE("an assign without the optional step fields reads as their defaults",
          "[protocol][codec]") {
    const std::string frame = with_steps_edited(
        encode(CoordinatorMessage{assign_with(optioned_step())}), [](std::string step) {
            for (const char* key :
                 {"shell", "background", "max_auto_reruns", "auto_rerun_delay_ms"}) {
                step = without_field(step, key);
            }
            return step;
        });
    auto decoded = decode_coordinator_message(frame);
    REQUIRE(decoded.ok());
    const auto& step = std::get<Assign>(*decoded).steps.at(0);
    CHECK(step.shell.empty());
    CHECK_FALSE(step.background);
    CHECK(step.max_auto_reruns == 0);
    CHECK(step.auto_rerun_delay_ms == 0);
    CHECK(step.command == "make test");
}

TEST_CASE("reruns past 5 and a rerun delay past 10 minutes are refused", "[protocol][codec]") {
    const std::string frame = encode(CoordinatorMessage{assign_with(optioned_step())});
    auto too_many = decode_coordinator_message(with_steps_edited(
        frame, [](std::string step) { return with_field(step, "max_auto_reruns", packed(6)); }));
    REQUIRE_FALSE(too_many.ok());
    CHECK_THAT(too_many.error().message, Catch::Contains("max_auto_reruns' is more than 5"));
    auto too_long = decode_coordinator_message(with_steps_edited(frame, [](std::string step) {
        return with_field(step, "auto_rerun_delay_ms", packed(kMaxAutoRerunDelayMs + 1));
    }));
    REQUIRE_FALSE(too_long.ok());
    CHECK_THAT(too_long.error().message, Catch::Contains("auto_rerun_delay_ms' is more than"));
    auto not_bool = decode_coordinator_message(with_steps_edited(
        frame, [](std::string step) { return with_field(step, "background", packed(1)); }));
    CHECK_FALSE(not_bool.ok());
}
