#include <git2.h>

#include <mutex>

#include "shared/git/mirror.h"

namespace fmg::git {

void init_library() {
    static std::once_flag once;
    std::call_once(once, [] {
        git_libgit2_init();
        // A mirror is a long-lived cache: make what a fetch writes durable before it is
        // referenced, so a crash never leaves refs pointing at missing objects.
        git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
        git_libgit2_opts(GIT_OPT_SET_USER_AGENT, "fmg/" FMG_VERSION);
    });
}

}  // namespace fmg::git
