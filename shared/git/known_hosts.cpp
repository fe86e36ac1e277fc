#include "shared/git/known_hosts.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace fmg::git {
namespace {

constexpr int kDefaultSshPort = 22;
constexpr std::string_view kHashedPrefix = "|1|";

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    std::string out(text.size() / 4 * 3, '\0');
    int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                 reinterpret_cast<const unsigned char*>(text.data()),
                                 static_cast<int>(text.size()));
    if (length < 0) return std::nullopt;
    // EVP_DecodeBlock counts the bytes that '=' padding stands for; drop them.
    size_t padding = 0;
    for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) ++padding;
    out.resize(static_cast<size_t>(length) - padding);
    return out;
}

bool equals_ignoring_case(char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
}

// OpenSSH's match_pattern: '*' any run, '?' any one character, case-insensitive.
bool wildcard_match(std::string_view text, std::string_view pattern) {
    if (pattern.empty()) return text.empty();
    if (pattern.front() == '*') {
        for (size_t skip = 0; skip <= text.size(); ++skip) {
            if (wildcard_match(text.substr(skip), pattern.substr(1))) return true;
        }
        return false;
    }
    if (text.empty()) return false;
    if (pattern.front() != '?' && !equals_ignoring_case(pattern.front(), text.front())) {
        return false;
    }
    return wildcard_match(text.substr(1), pattern.substr(1));
}

// `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, as `ssh-keygen -H` writes it.
bool hashed_name_matches(std::string_view entry, std::string_view name) {
    auto rest = entry.substr(kHashedPrefix.size());
    auto bar = rest.find('|');
    if (bar == std::string_view::npos) return false;
    auto salt = base64_decode(rest.substr(0, bar));
    auto expected = base64_decode(rest.substr(bar + 1));
    if (!salt || !expected) return false;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    if (HMAC(EVP_sha1(), salt->data(), static_cast<int>(salt->size()),
             reinterpret_cast<const unsigned char*>(name.data()), name.size(), digest,
             &digest_length) == nullptr) {
        return false;
    }
    return std::string_view(reinterpret_cast<const char*>(digest), digest_length) == *expected;
}

// OpenSSH's match_hostname over a comma-separated list: a matching negation excludes the
// host whatever else matches.
bool host_list_matches(std::string_view patterns, std::string_view name) {
    if (patterns.substr(0, kHashedPrefix.size()) == kHashedPrefix) {
        return hashed_name_matches(patterns, name);
    }
    bool matched = false;
    while (!patterns.empty()) {
        auto comma = patterns.find(',');
        auto pattern = patterns.substr(0, comma);
        patterns =
            comma == std::string_view::npos ? std::string_view{} : patterns.substr(comma + 1);
        bool negated = !pattern.empty() && pattern.front() == '!';
        if (negated) pattern.remove_prefix(1);
        if (wildcard_match(name, pattern)) {
            if (negated) return false;
            matched = true;
        }
    }
    return matched;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

HostKeyStatus check_known_hosts(std::string_view known_hosts, std::string_view host, int port,
                                std::string_view key_blob) {
    const std::string name = port == kDefaultSshPort
                                 ? std::string(host)
                                 : "[" + std::string(host) + "]:" + std::to_string(port);
    bool trusted = false;
    bool listed = false;
    std::istringstream lines{std::string(known_hosts)};
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::string first;
        if (!(fields >> first) || first.front() == '#') continue;
        std::string marker;
        if (first.front() == '@') {
            marker = first;
            if (!(fields >> first)) continue;
        }
        std::string key_type;
        std::string key_base64;
        if (marker == "@cert-authority" || !(fields >> key_type >> key_base64)) continue;
        if (!host_list_matches(first, name)) continue;
        auto key = base64_decode(key_base64);
        const bool same_key = key && *key == key_blob;
        if (marker == "@revoked") {
            if (same_key) return HostKeyStatus::revoked;
            continue;
        }
        listed = true;
        trusted = trusted || same_key;
    }
    if (trusted) return HostKeyStatus::trusted;
    return listed ? HostKeyStatus::changed : HostKeyStatus::unknown;
}

std::vector<std::string> known_hosts_files() {
    if (const char* configured = std::getenv(kKnownHostsEnvironmentVariable);
        configured != nullptr && *configured != '\0') {
        return {configured};
    }
    std::vector<std::string> files;
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        files.push_back(std::string(home) + "/.ssh/known_hosts");
    }
    files.push_back("/etc/ssh/ssh_known_hosts");
    return files;
}

HostKeyStatus check_known_host_files(std::string_view host, int port, std::string_view key_blob) {
    HostKeyStatus result = HostKeyStatus::unknown;
    for (const auto& file : known_hosts_files()) {
        switch (check_known_hosts(read_file(file), host, port, key_blob)) {
            case HostKeyStatus::revoked:
                return HostKeyStatus::revoked;
            case HostKeyStatus::trusted:
                result = HostKeyStatus::trusted;
                break;
            case HostKeyStatus::changed:
                if (result == HostKeyStatus::unknown) result = HostKeyStatus::changed;
                break;
            case HostKeyStatus::unknown:
                break;
        }
    }
    return result;
}

}  // namespace fmg::git
