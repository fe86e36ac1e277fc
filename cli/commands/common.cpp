#include "cli/commands/common.h"

#include <Poco/JSON/Array.h>

#include <charconv>

#include "cli/decode.h"
#include "shared/exit_codes.h"

namespace fmg::cli {

int report(const CommandContext& context, const ApiError& error) {
    context.console.err << "fmg: " << error.message << "\n";
    return error.exit_code;
}

int usage_error(const CommandContext& context, const std::string& message) {
    context.console.err << context.program << ": " << message << "\nTry '" << context.program
                        << " --help'.\n";
    return exit_code::kUsage;
}

std::optional<int64_t> parse_id(std::string_view text) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value <= 0) {
        return std::nullopt;
    }
    return value;
}

ApiResult<std::vector<Poco::JSON::Object::Ptr>> reply_items(const JsonReply& reply,
                                                            const std::string& key) {
    std::vector<Poco::JSON::Object::Ptr> items;
    try {
        auto list = reply.json.extract<Poco::JSON::Object::Ptr>()->getArray(key);
        if (!list) throw Poco::Exception("no \"" + key + "\" array");
        for (size_t i = 0; i < list->size(); ++i) {
            auto item = list->getObject(static_cast<unsigned>(i));
            if (!item) throw Poco::Exception("an item is not an object");
            items.push_back(item);
        }
    } catch (const Poco::Exception& e) {
        return ApiError{exit_code::kFailed,
                        "the coordinator's " + key + " list does not decode: " + e.displayText()};
    }
    return items;
}

void print_json(const CommandContext& context, const JsonReply& reply) {
    context.console.out << reply.body;
    if (reply.body.empty() || reply.body.back() != '\n') context.console.out << "\n";
    context.console.out.flush();
}

ApiResult<PipelineView> fetch_pipeline(ApiClient& api, int64_t id, JsonReply* raw) {
    auto reply = api.get("/api/v1/pipelines/" + std::to_string(id));
    if (!reply) return reply.error();
    auto pipeline = decode_pipeline(reply->json);
    if (!pipeline) {
        return ApiError{exit_code::kFailed,
                        "unexpected answer from the coordinator: " + pipeline.error().message};
    }
    if (raw != nullptr) *raw = std::move(reply).value();
    return std::move(pipeline).value();
}

bool is_final_status(std::string_view status) {
    return status == "success" || status == "failed" || status == "error" ||
           status == "cancelled" || status == "skipped";
}

}  // namespace fmg::cli
