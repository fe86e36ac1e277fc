#pragma once
// Repository URLs as fmg accepts them: which transport they need, how they look with the
// credentials taken out (for logs, errors and anything written to disk), and the name of the
// mirror directory they get in the cache.

#include <string>
#include <string_view>

#include "shared/result.h"

namespace fmg::git {

/// The transport a repository URL needs.
enum class UrlKind {
    http,        ///< https:// or http://
    file,        ///< file:///absolute/path
    local_path,  ///< /absolute/path
    git,         ///< git:// (the git daemon protocol)
    ssh,         ///< ssh://, git+ssh://, ssh+git:// or scp-like user@host:path
};

/// Classifies a repository URL. Fails for empty strings, relative paths and other schemes;
/// the message never contains the URL's credentials.
Result<UrlKind> classify_url(std::string_view url);

/// The port an ssh URL connects to: the one in ssh://host:PORT/, otherwise 22.
int ssh_port(std::string_view url);

/// The text with the credentials of every URL in it removed: the whole user info of
/// http(s)/git/file URLs (GitHub accepts a token as the user name alone), the password of
/// ssh URLs (whose user name, like `git@`, is not a secret). Safe for free text such as
/// libgit2's error messages.
std::string strip_credentials(std::string_view text);

/// The name of the mirror directory of `url` in the cache: the SHA-256 of the URL without
/// its credentials, then the last component of its path for people reading the cache
/// (`<sha256>-repo.git`). URLs that differ only in credentials share a mirror.
std::string mirror_dir_name(std::string_view url);

}  // namespace fmg::git
