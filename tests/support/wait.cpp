#include "tests/support/wait.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "shared/crypto.h"

namespace fmg::testing {

void wait_until(Deadline deadline, const std::function<bool()>& predicate,
                const std::string& description, const std::vector<std::filesystem::path>& logs) {
    while (true) {
        if (predicate()) return;
        if (Clock::now() >= deadline) break;
        std::this_thread::sleep_for(kPollInterval);
    }
    // One last look: the condition may have become true while we slept past the deadline.
    if (predicate()) return;
    FAIL("timed out waiting for " << description << "\n" << tail_files(logs));
}

std::string read_file_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

std::string tail_file(const std::filesystem::path& path, size_t max_lines) {
    std::error_code error;
    if (!std::filesystem::exists(path, error)) return "(no such file)\n";
    const std::string text = read_file_text(path);
    if (text.empty()) return "(empty)\n";
    // Walk back over `max_lines` line ends, not counting a final newline.
    const size_t end = text.back() == '\n' ? text.size() - 1 : text.size();
    size_t start = 0;
    size_t lines = 0;
    for (size_t i = end; i > 0; --i) {
        if (text[i - 1] == '\n' && ++lines == max_lines) {
            start = i;
            break;
        }
    }
    std::string tail = text.substr(start);
    if (tail.back() != '\n') tail += '\n';
    return tail;
}

std::string tail_files(const std::vector<std::filesystem::path>& paths, size_t max_lines) {
    std::string out;
    for (const auto& path : paths) {
        out += "--- " + path.string() + " ---\n";
        out += tail_file(path, max_lines);
    }
    return out;
}

uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        const std::string reason = std::strerror(errno);
        ::close(fd);
        throw std::runtime_error("cannot bind a loopback port: " + reason);
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

std::string printed_sha256(const std::string& log, const std::string& label) {
    std::smatch match;
    if (!std::regex_search(log, match, std::regex(label + "([0-9a-f]{64})"))) return "";
    return match[1];
}

std::string file_sha256(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    crypto::Sha256 digest;
    std::string buffer(1 << 20, '\0');
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        digest.update(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
    }
    return digest.finish_hex();
}

}  // namespace fmg::testing
