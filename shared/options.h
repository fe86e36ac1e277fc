#pragma once
// Declare each option once (docs/principles.md): name, environment variable, default, help and
// validator in one table, which also prints --help. Precedence: flag > environment >
// YAML config file (--config FILE) > default. Unknown flags and bad values are usage errors.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fmg::options {

/// Returns an error message for a bad value, or nullopt when the value is fine.
using Validator = std::function<std::optional<std::string>(std::string_view)>;

struct Spec {
    std::string name;           // the flag without dashes: "http-listen"
    std::string value_name;     // "ADDR"; empty makes a switch that takes no value
    std::string env;            // environment variable, or empty
    std::string default_value;  // empty means "none"
    std::string help;
    Validator validate;   // optional
    char short_name = 0;  // a one-letter alias, e.g. 'o' for "-o FILE"; 0: none
};

/// Looks up an environment variable.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
/// The real process environment.
EnvLookup process_environment();

/// The options after parsing, with every source merged.
class Values {
  public:
    /// The value of an option, or nullopt when no source gave one and it has no default.
    std::optional<std::string> get(const std::string& name) const;
    /// The value, or the empty string.
    std::string text(const std::string& name) const;
    /// Whether a switch was given (or set to true/1/yes by environment or config).
    bool flag(const std::string& name) const;
    /// The value as an integer; the option's validator must have checked it is one.
    int64_t integer(const std::string& name) const;
    /// Where the value came from: "flag", "env", "config" or "default".
    std::string source(const std::string& name) const;

    std::vector<std::string> positional;

    void set(const std::string& name, std::string value, std::string source);

  private:
    std::map<std::string, std::pair<std::string, std::string>> values_;
};

struct Outcome {
    enum class Kind { run, exit_ok, usage_error };
    Kind kind = Kind::run;
    Values values;
    std::string message;  // help or version text for exit_ok, the error for usage_error
};

class Parser {
  public:
    /// `usage` is the synopsis after the program name, e.g. "[OPTIONS]" or "list [OPTIONS]".
    Parser(std::string program, std::string usage, std::string summary, std::vector<Spec> specs,
           size_t max_positional = 0);

    /// Parses arguments (without argv[0]). --help and --version give exit_ok with the text
    /// to print; anything wrong gives usage_error with a message naming the flag and source.
    Outcome parse(const std::vector<std::string>& args, const EnvLookup& env) const;

    /// The --help text, generated from the table.
    std::string help() const;

  private:
    const Spec* find(std::string_view name) const;
    std::optional<std::string> load_config_file(const std::string& path, Values& values) const;

    std::string program_;
    std::string usage_;
    std::string summary_;
    std::vector<Spec> specs_;
    size_t max_positional_;
};

/// Converts argv into a vector, skipping argv[0].
std::vector<std::string> arguments(int argc, char** argv);

// Validators.
Validator integer_between(int64_t min, int64_t max);
Validator one_of(std::vector<std::string> allowed);
Validator non_empty();
/// `HOST:PORT` with a port in 0..65535.
Validator host_port();
/// A ZeroMQ endpoint: `tcp://HOST:PORT` or `ipc://PATH`.
Validator zmq_endpoint();
/// An `http://` or `https://` URL.
Validator http_url();

}  // namespace fmg::options
