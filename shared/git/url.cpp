#include "shared/git/url.h"

#include <algorithm>
#include <cctype>

#include "shared/crypto.h"

namespace fmg::git {
namespace {

constexpr std::string_view kSchemeSeparator = "://";
constexpr size_t kMaxSuffixLength = 64;

bool is_scheme_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

// Where the authority (user info, host, port) that starts at `begin` ends.
size_t authority_end(std::string_view text, size_t begin) {
    size_t end = begin;
    while (end < text.size() && text[end] != '/' && text[end] != '?' && text[end] != '#' &&
           !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '\'' &&
           text[end] != '"') {
        ++end;
    }
    return end;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool is_ssh_scheme(std::string_view scheme) {
    auto name = lower(scheme);
    return name == "ssh" || name == "git+ssh" || name == "ssh+git";
}

// `user@host:path` (what `git clone git@github.com:org/repo.git` accepts): a colon before
// any slash, with something before it.
bool is_scp_like(std::string_view url) {
    auto colon = url.find(':');
    auto slash = url.find('/');
    return colon != std::string_view::npos && colon > 0 &&
           (slash == std::string_view::npos || colon < slash);
}

// The path part of a URL: after the authority of scheme URLs, after the colon of scp-like
// ones, the whole of a plain path.
std::string_view path_part(std::string_view url) {
    if (auto separator = url.find(kSchemeSeparator); separator != std::string_view::npos) {
        auto begin = separator + kSchemeSeparator.size();
        return url.substr(authority_end(url, begin));
    }
    if (url.front() != '/' && is_scp_like(url)) return url.substr(url.find(':') + 1);
    return url;
}

std::string readable_suffix(std::string_view url) {
    auto path = url.empty() ? std::string_view{} : path_part(url);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (auto slash = path.rfind('/'); slash != std::string_view::npos) {
        path.remove_prefix(slash + 1);
    }
    if (path.size() > 4 && path.substr(path.size() - 4) == ".git") path.remove_suffix(4);
    std::string suffix;
    for (char c : path.substr(0, kMaxSuffixLength)) {
        bool plain =
            std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
        suffix += plain ? c : '_';
    }
    if (suffix.empty() || suffix.find_first_not_of('.') == std::string::npos) return "repo";
    return suffix;
}

}  // namespace

Result<UrlKind> classify_url(std::string_view url) {
    if (url.empty()) return Error{"the repository URL is empty"};
    if (url.front() == '/') return UrlKind::local_path;
    auto separator = url.find(kSchemeSeparator);
    if (separator == std::string_view::npos) {
        if (is_scp_like(url)) return UrlKind::ssh;
        return Error{"'" + strip_credentials(url) +
                     "' is neither a URL nor an absolute path to a repository"};
    }
    auto scheme = lower(url.substr(0, separator));
    auto rest = url.substr(separator + kSchemeSeparator.size());
    if (scheme == "file") {
        if (rest.empty() || rest.front() != '/') {
            return Error{"file URL '" + strip_credentials(url) +
                         "' must name an absolute path (file:///path)"};
        }
        return UrlKind::file;
    }
    UrlKind kind;
    if (scheme == "https" || scheme == "http") {
        kind = UrlKind::http;
    } else if (scheme == "git") {
        kind = UrlKind::git;
    } else if (is_ssh_scheme(scheme)) {
        kind = UrlKind::ssh;
    } else {
        return Error{"unsupported URL scheme '" + scheme + "' in '" + strip_credentials(url) +
                     "' (use https, http, ssh, git, file or an absolute path)"};
    }
    auto authority = rest.substr(0, authority_end(rest, 0));
    auto at = authority.rfind('@');
    auto host = at == std::string_view::npos ? authority : authority.substr(at + 1);
    if (host.empty() || host.front() == ':') {
        return Error{"repository URL '" + strip_credentials(url) + "' has no host"};
    }
    return kind;
}

int ssh_port(std::string_view url) {
    constexpr int kDefaultPort = 22;
    auto separator = url.find(kSchemeSeparator);
    if (separator == std::string_view::npos) return kDefaultPort;  // scp-like: no port
    auto begin = separator + kSchemeSeparator.size();
    auto authority = url.substr(begin, authority_end(url, begin) - begin);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        authority.remove_prefix(at + 1);
    }
    if (auto bracket = authority.rfind(']'); bracket != std::string_view::npos) {
        authority.remove_prefix(bracket + 1);  // [IPv6 address]
    }
    auto colon = authority.rfind(':');
    if (colon == std::string_view::npos) return kDefaultPort;
    int port = 0;
    for (char c : authority.substr(colon + 1)) {
        if (!std::isdigit(static_cast<unsigned char>(c)) || port > 65535) return kDefaultPort;
        port = port * 10 + (c - '0');
    }
    return port > 0 && port <= 65535 ? port : kDefaultPort;
}

std::string strip_credentials(std::string_view text) {
    std::string out;
    size_t copied = 0;
    size_t separator = text.find(kSchemeSeparator);
    while (separator != std::string_view::npos) {
        size_t scheme_begin = separator;
        while (scheme_begin > 0 && is_scheme_char(text[scheme_begin - 1])) --scheme_begin;
        size_t begin = separator + kSchemeSeparator.size();
        size_t end = authority_end(text, begin);
        auto authority = text.substr(begin, end - begin);
        auto at = authority.rfind('@');
        if (at != std::string_view::npos) {
            out.append(text.substr(copied, begin - copied));
            auto user_info = authority.substr(0, at);
            auto scheme = text.substr(scheme_begin, separator - scheme_begin);
            if (is_ssh_scheme(scheme) && !user_info.empty() && user_info.front() != ':') {
                out.append(user_info.substr(0, user_info.find(':')));
                out.push_back('@');
            }
            copied = begin + at + 1;
        }
        separator = text.find(kSchemeSeparator, end);
    }
    out.append(text.substr(copied));
    return out;
}

std::string mirror_dir_name(std::string_view url) {
    // Hashing the URL without credentials keeps one mirror per repository when a token is
    // rotated, and keeps secrets out of anything derived from the name.
    const std::string plain = strip_credentials(url);
    return crypto::sha256_hex(plain) + "-" + readable_suffix(plain) + ".git";
}

}  // namespace fmg::git
