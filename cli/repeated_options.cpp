#include "cli/repeated_options.h"

#include <algorithm>

namespace fmg::cli {

RepeatedOptions take_repeated_options(const std::vector<std::string>& args,
                                      const std::vector<std::string>& names) {
    RepeatedOptions taken;
    size_t i = 0;
    for (; i < args.size() && args[i] != "--"; ++i) {
        const std::string& arg = args[i];
        const auto named = std::find_if(names.begin(), names.end(), [&](const std::string& name) {
            return arg == "--" + name || arg.starts_with("--" + name + "=");
        });
        if (named == names.end()) {
            taken.rest.push_back(arg);
            continue;
        }
        const std::string flag = "--" + *named;
        if (arg.size() > flag.size()) {
            taken.values[*named].push_back(arg.substr(flag.size() + 1));
        } else if (i + 1 < args.size()) {
            taken.values[*named].push_back(args[++i]);
        } else {
            taken.rest.push_back(arg);  // no value: the parser says so
        }
    }
    taken.rest.insert(taken.rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    return taken;
}

}  // namespace fmg::cli
