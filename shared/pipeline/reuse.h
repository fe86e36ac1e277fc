#pragma once
// 2.1 reuse: a job, command or executor definition instantiated with its parameters' values,
// into the plain job a 2.0 config would have written. Internal to shared/pipeline/.

#include <map>
#include <string>
#include <vector>

#include "shared/pipeline/library.h"
#include "shared/pipeline/node.h"
#include "shared/pipeline/parameters.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// What a workflow entry gives the job it runs, besides its parameters' values.
struct JobCall {
    std::vector<Entry> arguments;  // `name: value` for the job's parameters
    Node where;                    // the entry, for messages
    Node pre_steps;                // absent, or a list of steps to run first
    Node post_steps;               // absent, or a list of steps to run last
};

class Reuse {
  public:
    /// `config` is the config's own library; `pipeline` the `pipeline.*` values.
    Reuse(YamlReader& reader, const Library& config, const std::map<std::string, Node>& pipeline);

    /// The plain job `job` makes with `call`: its parameters bound and put in, its executor's
    /// keys merged under its own (environments merged, the job's winning), its steps with
    /// every command call and `when`/`unless` step expanded, pre- and post-steps around them.
    Problem instantiate_job(const Definition& job, const JobCall& call, Node& out);

  private:
    Problem bind(const Node& definition, const std::vector<Entry>& arguments, const Node& where,
                 const std::string& what, Bindings& out);
    /// `definition`'s body (without `parameters` and `description`) with its parameters bound
    /// to `arguments` and every reference put in. `what` names it for messages.
    Problem instantiate(const Node& definition, const std::vector<Entry>& arguments,
                        const Node& where, const std::string& what, Node& body);
    Problem resolve_executor(const Node& value, const Library& library, Node& out);
    Problem expand_steps(const Node& steps, const Library& library, int depth,
                         std::vector<Node>& out);
    Problem expand_step(const Node& step, const Library& library, int depth,
                        std::vector<Node>& out);
    Problem expand_conditional(const Node& step, const Entry& conditional, const Library& library,
                               int depth, std::vector<Node>& out);
    Problem call_command(const Node& step, const std::string& name, const Node& arguments,
                         const Library& library, int depth, std::vector<Node>& out);

    YamlReader& reader_;
    const Library& config_;
    const std::map<std::string, Node>& pipeline_;
};

}  // namespace fmg::pipeline::detail
