#include "agent/circleci/halt.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "agent/circleci/step_commands.h"

namespace fmg::agent::circleci {

int request_halt(const char* path, const std::string& program, std::ostream& err) {
    if (path == nullptr || *path == '\0') {
        err << program << " step halt: not in a step of an fmg job (" << kHaltFileVariable
            << " is not set)\n";
        return 1;
    }
    int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        err << program << " step halt: cannot open " << path << ": " << std::strerror(errno)
            << "\n";
        return 1;
    }
    static constexpr char kLine[] = "halt\n";
    ssize_t written = ::write(fd, kLine, sizeof kLine - 1);
    int error = errno;
    ::close(fd);
    if (written != static_cast<ssize_t>(sizeof kLine - 1)) {
        err << program << " step halt: cannot write " << path << ": " << std::strerror(error)
            << "\n";
        return 1;
    }
    return 0;
}

}  // namespace fmg::agent::circleci
