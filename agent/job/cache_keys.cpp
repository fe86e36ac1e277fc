#include "agent/job/cache_keys.h"

#include <sys/utsname.h>

#include <cctype>

#include "protocol/messages.h"

namespace fmg::agent {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    return text;
}

bool is_variable_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    }
    return true;
}

/// The value of one variable; Go's templates print a missing map entry as "<no value>", and
/// CircleCI's keys do the same.
std::string variable(const CacheKeyContext& context, const std::string& name) {
    auto found = context.environment.find(name);
    return found == context.environment.end() ? "<no value>" : found->second;
}

/// What one `{{ action }}` renders to.
Result<std::string> render_action(std::string_view action, const CacheKeyContext& context) {
    if (action == ".Branch") return variable(context, "CIRCLE_BRANCH");
    if (action == ".Revision") return variable(context, "CIRCLE_SHA1");
    if (action == ".BuildNum") return variable(context, "CIRCLE_BUILD_NUM");
    if (action == "epoch") return std::to_string(context.epoch_seconds);
    if (action == "arch") return context.arch;
    constexpr std::string_view kEnvironment = ".Environment.";
    if (action.substr(0, kEnvironment.size()) == kEnvironment) {
        std::string_view name = action.substr(kEnvironment.size());
        if (is_variable_name(name)) return variable(context, std::string(name));
    }
    constexpr std::string_view kChecksum = "checksum";
    if (action.substr(0, kChecksum.size()) == kChecksum && action.size() > kChecksum.size() &&
        std::isspace(static_cast<unsigned char>(action[kChecksum.size()]))) {
        std::string_view argument = trim(action.substr(kChecksum.size()));
        if (argument.size() >= 2 && argument.front() == '"' && argument.back() == '"' &&
            argument.substr(1, argument.size() - 2).find('"') == std::string_view::npos &&
            argument.size() > 2) {
            auto sum = context.checksum(std::string(argument.substr(1, argument.size() - 2)));
            if (!sum)
                return Error{"checksum " + std::string(argument) + ": " + sum.error().message};
            return *sum;
        }
        return Error{"checksum takes one file name in double quotes: {{ checksum \"file\" }}"};
    }
    return Error{"unknown template {{ " + std::string(action) +
                 " }} (fmg knows .Branch, .Revision, .BuildNum, .Environment.NAME, "
                 "checksum \"file\", epoch and arch)"};
}

}  // namespace

Result<std::string> render_cache_key(std::string_view key, const CacheKeyContext& context) {
    std::string rendered;
    size_t at = 0;
    while (at < key.size()) {
        const size_t open = key.find("{{", at);
        if (open == std::string_view::npos) {
            rendered.append(key.substr(at));
            break;
        }
        rendered.append(key.substr(at, open - at));
        const size_t close = key.find("}}", open + 2);
        if (close == std::string_view::npos) {
            return Error{"cache key '" + std::string(key) + "' has a '{{' without '}}'"};
        }
        auto value = render_action(trim(key.substr(open + 2, close - open - 2)), context);
        if (!value) return Error{"cache key '" + std::string(key) + "': " + value.error().message};
        rendered += *value;
        at = close + 2;
    }
    if (rendered.empty()) return Error{"cache key '" + std::string(key) + "' renders empty"};
    if (rendered.size() > protocol::kMaxCacheKeyBytes) {
        return Error{"cache key '" + std::string(key) + "' renders to " +
                     std::to_string(rendered.size()) + " bytes, more than " +
                     std::to_string(protocol::kMaxCacheKeyBytes)};
    }
    for (unsigned char c : rendered) {
        if (c < 0x20 || c == 0x7f) {
            return Error{"cache key '" + std::string(key) +
                         "' renders to a key holding a control character"};
        }
    }
    return rendered;
}

std::string cache_arch() {
    struct utsname host {};
    std::string machine = ::uname(&host) == 0 ? host.machine : "unknown";
    if (machine == "x86_64") machine = "amd64";
    if (machine == "aarch64" || machine == "arm64") machine = "arm64";
    if (machine == "i386" || machine == "i686") machine = "386";
    return "arch1-linux-" + machine;
}

}  // namespace fmg::agent
