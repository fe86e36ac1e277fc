#include "cli/http_errors.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "shared/exit_codes.h"

namespace fmg::cli {

namespace {

constexpr size_t kMaxMessageLength = 300;

std::string trimmed(std::string_view text) {
    size_t begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos) return "";
    size_t end = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(begin, end - begin + 1));
}

std::string token_hint(const ApiSettings& settings) {
    if (settings.token.empty()) {
        return "no API token: pass --token, set FMG_TOKEN, or put the token in "
               "~/.config/fmg/token (the coordinator writes its admin token to "
               "DATA_DIR/admin.token)";
    }
    return "the coordinator refused the API token from " + settings.token_source +
           " (check --token, FMG_TOKEN or ~/.config/fmg/token)";
}

}  // namespace

std::string server_message(std::string_view body) {
    try {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var parsed = parser.parse(std::string(body));
        if (parsed.type() == typeid(Poco::JSON::Object::Ptr)) {
            auto object = parsed.extract<Poco::JSON::Object::Ptr>();
            Poco::Dynamic::Var error = object->get("error");
            if (error.isString()) return error.toString();
        }
    } catch (const Poco::Exception&) {
        // Not JSON: fall through to the first line of the text.
    }
    std::string text = trimmed(body.substr(0, body.find('\n')));
    if (text.size() > kMaxMessageLength) text = text.substr(0, kMaxMessageLength) + "...";
    return text;
}

ApiError error_for_status(int status, std::string_view body, std::string_view request,
                          const ApiSettings& settings) {
    std::string message = server_message(body);
    std::string code = std::to_string(status);
    if (status == 403) {
        // Authenticated, but the token's role does not allow it: the server says which it needs.
        return {exit_code::kUnreachable,
                "the coordinator refused this request [403: " +
                    (message.empty() ? std::string("forbidden") : message) + "]"};
    }
    if (status == 401) {
        std::string detail = message.empty() ? code : code + ": " + message;
        return {exit_code::kUnreachable, token_hint(settings) + " [" + detail + "]"};
    }
    if (status == 404) {
        return {exit_code::kNotFound,
                message.empty() ? "not found: " + std::string(request) : message};
    }
    if (status == 502 || status == 503 || status == 504) {
        return {exit_code::kUnreachable,
                "cannot reach the coordinator at " + settings.server_url + " (HTTP " + code +
                    (message.empty() ? "" : ": " + message) + ")",
                true};
    }
    if (message.empty()) message = std::string(request) + " failed with HTTP " + code;
    return {exit_code::kFailed, message};
}

ApiError unreachable_error(const ApiSettings& settings, std::string_view reason) {
    if (reason.find("certificate verify failed") != std::string_view::npos) {
        return {exit_code::kUnreachable,
                "cannot trust the coordinator at " + settings.server_url + ": " +
                    std::string(reason) +
                    " (pass the CA that signed its certificate, or the certificate itself, with "
                    "--ca-file FILE or FMG_CA_FILE)",
                true};
    }
    return {exit_code::kUnreachable,
            "cannot reach the coordinator at " + settings.server_url + ": " + std::string(reason) +
                " (set --server-url or FMG_SERVER_URL)",
            true};
}

}  // namespace fmg::cli
