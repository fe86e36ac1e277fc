#include "shared/options.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>
#include <sstream>

#include "shared/version.h"

namespace fmg::options {

EnvLookup process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    };
}

std::optional<std::string> Values::get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second.first;
}

std::string Values::text(const std::string& name) const {
    return get(name).value_or("");
}

bool Values::flag(const std::string& name) const {
    auto value = get(name);
    return value && (*value == "true" || *value == "1" || *value == "yes");
}

int64_t Values::integer(const std::string& name) const {
    std::string value = text(name);
    int64_t out = 0;
    std::from_chars(value.data(), value.data() + value.size(), out);
    return out;
}

std::string Values::source(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? "" : it->second.second;
}

void Values::set(const std::string& name, std::string value, std::string source) {
    values_[name] = {std::move(value), std::move(source)};
}

Parser::Parser(std::string program, std::string usage, std::string summary, std::vector<Spec> specs,
               size_t max_positional)
    : program_(std::move(program)),
      usage_(std::move(usage)),
      summary_(std::move(summary)),
      specs_(std::move(specs)),
      max_positional_(max_positional) {}

const Spec* Parser::find(std::string_view name) const {
    for (const Spec& spec : specs_) {
        if (spec.name == name) return &spec;
    }
    return nullptr;
}

std::optional<std::string> Parser::load_config_file(const std::string& path, Values& values) const {
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        return "cannot read config file " + path;
    } catch (const YAML::Exception& e) {
        return path + ":" + std::to_string(e.mark.line + 1) + ":" +
               std::to_string(e.mark.column + 1) + ": " + e.msg;
    }
    if (root.IsNull()) return std::nullopt;
    if (!root.IsMap()) return path + ": the config file must be a map of option names to values";
    for (const auto& entry : root) {
        std::string key = entry.first.as<std::string>();
        const Spec* spec = find(key);
        if (spec == nullptr) {
            return path + ":" + std::to_string(entry.first.Mark().line + 1) + ": unknown option '" +
                   key + "'";
        }
        if (!entry.second.IsScalar()) {
            return path + ":" + std::to_string(entry.second.Mark().line + 1) + ": option '" + key +
                   "' needs a single value";
        }
        values.set(key, entry.second.as<std::string>(), "config");
    }
    return std::nullopt;
}

Outcome Parser::parse(const std::vector<std::string>& args, const EnvLookup& env) const {
    Outcome outcome;
    auto usage_error = [&](std::string message) {
        outcome.kind = Outcome::Kind::usage_error;
        outcome.message = program_ + ": " + message + "\nTry '" + program_ + " --help'.";
        return outcome;
    };

    Values from_flags;
    std::optional<std::string> config_path;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg.size() == 2 && arg[0] == '-' && arg[1] != '-' && arg[1] != 'h') {
            for (const Spec& spec : specs_) {
                if (spec.short_name == arg[1]) arg = "--" + spec.name;  // "-o" is "--output"
            }
        }
        if (arg == "--help" || arg == "-h") {
            outcome.kind = Outcome::Kind::exit_ok;
            outcome.message = help();
            return outcome;
        }
        if (arg == "--version") {
            outcome.kind = Outcome::Kind::exit_ok;
            outcome.message = program_ + " " + kVersion;
            return outcome;
        }
        if (arg == "--") {
            for (++i; i < args.size(); ++i) outcome.values.positional.push_back(args[i]);
            break;
        }
        if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
            if (arg.size() > 1 && arg[0] == '-') return usage_error("unknown option '" + arg + "'");
            outcome.values.positional.push_back(arg);
            continue;
        }
        std::string name = arg.substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name.resize(eq);
        }
        bool is_config = name == "config";
        const Spec* spec = is_config ? nullptr : find(name);
        if (!is_config && spec == nullptr) return usage_error("unknown option '--" + name + "'");
        bool takes_value = is_config || !spec->value_name.empty();
        std::string value;
        if (!takes_value) {
            if (inline_value) return usage_error("option '--" + name + "' takes no value");
            value = "true";
        } else if (inline_value) {
            value = *inline_value;
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            return usage_error("option '--" + name + "' needs a value");
        }
        if (is_config)
            config_path = value;
        else
            from_flags.set(name, value, "flag");
    }
    if (outcome.values.positional.size() > max_positional_) {
        return usage_error("unexpected argument '" + outcome.values.positional[max_positional_] +
                           "'");
    }

    Values from_config;
    if (config_path) {
        if (auto error = load_config_file(*config_path, from_config)) return usage_error(*error);
    }

    for (const Spec& spec : specs_) {
        std::optional<std::string> value;
        std::string source;
        if (auto v = from_flags.get(spec.name)) {
            value = v;
            source = "--" + spec.name;
        } else if (auto e = spec.env.empty() ? std::nullopt : env(spec.env)) {
            value = e;
            source = spec.env;
        } else if (auto c = from_config.get(spec.name)) {
            value = c;
            source = "config file";
        } else if (!spec.default_value.empty()) {
            value = spec.default_value;
            source = "default";
        }
        if (!value) continue;
        if (spec.validate && source != "default") {
            if (auto error = spec.validate(*value)) {
                return usage_error("invalid value '" + *value + "' for --" + spec.name +
                                   (source == "--" + spec.name ? "" : " (from " + source + ")") +
                                   ": " + *error);
            }
        }
        outcome.values.set(spec.name, *value, source);
    }
    return outcome;
}

std::string Parser::help() const {
    std::ostringstream out;
    out << "Usage: " << program_ << " " << usage_ << "\n\n" << summary_ << "\n\nOptions:\n";
    auto line = [&](const std::string& left, const std::string& right) {
        out << "  " << left;
        if (left.size() < 28)
            out << std::string(28 - left.size(), ' ');
        else
            out << "\n  " << std::string(28, ' ');
        out << right << "\n";
    };
    for (const Spec& spec : specs_) {
        std::string left =
            (spec.short_name != 0 ? std::string("-") + spec.short_name + ", " : std::string()) +
            "--" + spec.name + (spec.value_name.empty() ? "" : " " + spec.value_name);
        std::string right = spec.help;
        if (!spec.env.empty()) right += " [env " + spec.env + "]";
        if (!spec.default_value.empty()) right += " (default " + spec.default_value + ")";
        line(left, right);
    }
    line("--config FILE", "read option values from a YAML file (keys are option names)");
    line("--help", "print this help and exit");
    line("--version", "print the version and exit");
    return out.str();
}

std::vector<std::string> arguments(int argc, char** argv) {
    return std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc);
}

Validator integer_between(int64_t min, int64_t max) {
    return [min, max](std::string_view text) -> std::optional<std::string> {
        int64_t value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size()) return "not an integer";
        if (value < min || value > max) {
            return "must be between " + std::to_string(min) + " and " + std::to_string(max);
        }
        return std::nullopt;
    };
}

Validator one_of(std::vector<std::string> allowed) {
    return [allowed](std::string_view text) -> std::optional<std::string> {
        std::string list;
        for (const auto& a : allowed) {
            if (a == text) return std::nullopt;
            list += (list.empty() ? "" : ", ") + a;
        }
        return "must be one of: " + list;
    };
}

Validator non_empty() {
    return [](std::string_view text) -> std::optional<std::string> {
        if (text.empty()) return "must not be empty";
        return std::nullopt;
    };
}

namespace {
bool valid_port(std::string_view text) {
    int port = -1;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    return ec == std::errc() && end == text.data() + text.size() && port >= 0 && port <= 65535;
}
}  // namespace

Validator host_port() {
    return [](std::string_view text) -> std::optional<std::string> {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos || colon == 0) return "expected HOST:PORT";
        if (!valid_port(text.substr(colon + 1))) return "the port must be 0..65535";
        return std::nullopt;
    };
}

Validator zmq_endpoint() {
    return [](std::string_view text) -> std::optional<std::string> {
        if (text.rfind("ipc://", 0) == 0 && text.size() > 6) return std::nullopt;
        if (text.rfind("tcp://", 0) != 0) return "expected tcp://HOST:PORT or ipc://PATH";
        return host_port()(text.substr(6));
    };
}

Validator http_url() {
    return [](std::string_view text) -> std::optional<std::string> {
        bool http = text.rfind("http://", 0) == 0 && text.size() > 7;
        bool https = text.rfind("https://", 0) == 0 && text.size() > 8;
        if (!http && !https) return "expected an http:// or https:// URL";
        return std::nullopt;
    };
}

}  // namespace fmg::options
