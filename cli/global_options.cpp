#include "cli/global_options.h"

#include <fstream>
#include <sstream>

namespace fmg::cli {

namespace {

/// Global options that take a value (the option parser's own --config included).
bool global_takes_value(const std::string& arg) {
    return arg == "--server-url" || arg == "--token" || arg == "--config" || arg == "--ca-file";
}

/// The coordinator's URL: http://, or https:// when a TLS proxy stands in front of it.
options::Validator server_url() {
    return [](std::string_view text) -> std::optional<std::string> {
        size_t host = text.rfind("https://", 0) == 0 ? 8 : text.rfind("http://", 0) == 0 ? 7 : 0;
        if (host == 0 || text.size() <= host || text[host] == '/' || text[host] == ':') {
            return "expected http://HOST[:PORT] or https://HOST[:PORT]";
        }
        return std::nullopt;
    };
}

std::string trimmed(const std::string& text) {
    size_t begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos) return "";
    size_t end = text.find_last_not_of(" \t\r\n");
    return text.substr(begin, end - begin + 1);
}

}  // namespace

std::vector<options::Spec> global_specs() {
    return {
        {"server-url", "URL", "FMG_SERVER_URL", "http://localhost:5000",
         "the coordinator's address", server_url()},
        {"token", "T", "FMG_TOKEN", "", "API token (default: the contents of ~/.config/fmg/token)",
         nullptr},
        {"json", "", "", "", "print the API's JSON instead of text", nullptr},
        {"ca-file", "FILE", "FMG_CA_FILE", "",
         "https: trust the CAs in this PEM file instead of the system's (a coordinator's own or "
         "self-signed certificate)",
         options::non_empty()},
        {"insecure-skip-verify", "", "", "",
         "https: accept any certificate, unchecked (for a test installation only)", nullptr},
    };
}

bool is_command_group(std::string_view word) {
    return word == "configure" || word == "token" || word == "secret";
}

CommandLine split_command_line(const std::vector<std::string>& args) {
    CommandLine line;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--") {
            line.rest.insert(line.rest.end(), args.begin() + static_cast<long>(i), args.end());
            break;
        }
        if (arg.size() > 1 && arg[0] == '-') {
            line.rest.push_back(arg);
            if (global_takes_value(arg) && i + 1 < args.size()) line.rest.push_back(args[++i]);
            continue;
        }
        size_t wanted = (!line.words.empty() && is_command_group(line.words[0])) ? 2 : 1;
        if (line.words.size() < wanted) {
            line.words.push_back(arg);
        } else {
            line.rest.push_back(arg);
        }
    }
    return line;
}

std::string default_token_path(const options::EnvLookup& env) {
    auto home = env("HOME");
    if (!home || home->empty()) return "";
    return *home + "/.config/fmg/token";
}

ApiSettings resolve_api_settings(const options::Values& values, const options::EnvLookup& env) {
    ApiSettings settings;
    settings.server_url = values.text("server-url");
    settings.tls.ca_file = values.text("ca-file");
    settings.tls.skip_verify = values.flag("insecure-skip-verify");
    if (auto token = values.get("token")) {
        settings.token = trimmed(*token);
        settings.token_source = values.source("token");
        return settings;
    }
    std::string path = default_token_path(env);
    if (path.empty()) return settings;
    std::ifstream file(path);
    if (!file) return settings;
    std::ostringstream contents;
    contents << file.rdbuf();
    settings.token = trimmed(contents.str());
    settings.token_source = path;
    return settings;
}

}  // namespace fmg::cli
