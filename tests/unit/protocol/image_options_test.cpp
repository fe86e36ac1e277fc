// The OPTIONAL `image_options` of an assign (PROTOCOL.md 6.2): how each image's container
// runs. Older coordinators send none, and an agent must still take their assigns.

#include <catch2/catch.hpp>

#include "protocol/codec.h"
#include "raw_frames.h"
#include "samples.h"

using namespace fmg;
using namespace fmg::protocol;
using namespace fmg::protocol::testing;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;

namespace {

Assign sample_assign() {
    return std::get<Assign>(sample_coordinator_messages()[3]);
}

std::string coordinator_error(std::string_view frame) {
    auto decoded = decode_coordinator_message(frame);
    return decoded ? "decoded" : decoded.error().message;
}

/// The sample assign's frame with image option `index`'s field `key` removed, or set to
/// `value`.
std::string with_option_field(size_t index, std::string_view key, const std::string& value = {}) {
    const std::string frame = encode(CoordinatorMessage{sample_assign()});
    std::vector<std::string> items = elements_of(field_value(frame, "image_options"));
    items[index] =
        value.empty() ? without_field(items[index], key) : with_field(items[index], key, value);
    return with_field(frame, "image_options", array_of(items));
}

}  // namespace

TEST_CASE("image options of every image round-trip", "[protocol][codec]") {
    const Assign assign = sample_assign();
    REQUIRE(assign.image_options.size() == 3);
    auto decoded = decode_coordinator_message(encode(CoordinatorMessage{assign}));
    REQUIRE(decoded);
    const Assign& back = std::get<Assign>(*decoded);
    CHECK(back == assign);
    CHECK(back.image_options[1].name == "db");
    CHECK(back.image_options[1].command == std::vector<std::string>{"postgres", "-c", "fsync=off"});
    CHECK(back.image_options[1].auth_password == "${REGISTRY_PASSWORD}");
}

TEST_CASE("an assign without image options, from an older coordinator, decodes",
          "[protocol][codec]") {
    const std::string frame =
        without_field(encode(CoordinatorMessage{sample_assign()}), "image_options");
    auto decoded = decode_coordinator_message(frame);
    REQUIRE(decoded);
    const Assign& assign = std::get<Assign>(*decoded);
    CHECK(assign.image_options.empty());
    CHECK(assign.services == std::vector<std::string>{"postgres:16", "redis:7"});

    Assign none = sample_assign();
    none.image_options.clear();
    bool written = false;
    for (const RawField& field : fields_of(encode(CoordinatorMessage{none}))) {
        written = written || field.key == "image_options";
    }
    CHECK_FALSE(written);
    CHECK(validate(CoordinatorMessage{none}).ok());
}

TEST_CASE("image options must name one item per image", "[protocol][codec]") {
    Assign assign = sample_assign();
    assign.image_options.pop_back();
    CHECK_THAT(coordinator_error(encode(CoordinatorMessage{assign})),
               Equals("message 'assign': field 'image_options' must have one item per image: 3 "
                      "(the primary and each service), not 2"));
    CHECK_FALSE(validate(CoordinatorMessage{assign}).ok());
}

TEST_CASE("every field of an image option is required and checked", "[protocol][codec]") {
    for (const char* key : {"name", "entrypoint", "command", "user", "environment", "auth_username",
                            "auth_password"}) {
        CAPTURE(key);
        CHECK_THAT(
            coordinator_error(with_option_field(1, key)),
            Equals(std::string("message 'assign': missing field 'image_options[1].") + key + "'"));
    }
    CHECK_THAT(coordinator_error(with_option_field(2, "command", packed(7))),
               StartsWith("message 'assign': field 'image_options[2].command' must be"));
    CHECK_THAT(coordinator_error(with_option_field(1, "environment",
                                                   map_of({{"A=B", packed(std::string("x"))}}))),
               StartsWith("message 'assign': field 'image_options[1].environment'"));
}

TEST_CASE("image options respect the protocol's limits", "[protocol][codec]") {
    Assign assign = sample_assign();
    assign.image_options[1].name = std::string(kMaxNameBytes + 1, 'n');
    CHECK_FALSE(validate(CoordinatorMessage{assign}).ok());
    assign = sample_assign();
    assign.image_options[1].user = std::string(kMaxNameBytes + 1, 'u');
    CHECK_FALSE(validate(CoordinatorMessage{assign}).ok());
    assign = sample_assign();
    assign.image_options[1].auth_username = std::string(kMaxNameBytes + 1, 'u');
    CHECK_FALSE(validate(CoordinatorMessage{assign}).ok());
    assign = sample_assign();
    assign.image_options[1].auth_password = std::string(kMaxTextBytes, 'p');
    CHECK(validate(CoordinatorMessage{assign}).ok());
    assign.image_options[1].auth_password += "p";
    CHECK_FALSE(validate(CoordinatorMessage{assign}).ok());
    assign = sample_assign();
    assign.image_options[2].command = std::vector<std::string>(kMaxListItems + 1, "x");
    CHECK_FALSE(validate(CoordinatorMessage{assign}).ok());
    assign.image_options[2].command.pop_back();
    CHECK(validate(CoordinatorMessage{assign}).ok());
}

TEST_CASE("an assign's secrets round-trip, and an assign without them writes none",
          "[protocol][codec]") {
    Assign assign = sample_assign();
    assign.secrets = {{"DEPLOY_TOKEN", "tok-0123456789"}, {"AWS_KEY", "AKIA0000"}};
    auto decoded = decode_coordinator_message(encode(CoordinatorMessage{assign}));
    REQUIRE(decoded);
    CHECK(std::get<Assign>(*decoded).secrets == assign.secrets);

    bool written = false;
    for (const RawField& field : fields_of(encode(CoordinatorMessage{sample_assign()}))) {
        written = written || field.key == "secrets";
    }
    CHECK_FALSE(written);
    Assign bad = sample_assign();
    bad.secrets = {{"A=B", "value"}};
    CHECK_FALSE(validate(CoordinatorMessage{bad}).ok());
}
