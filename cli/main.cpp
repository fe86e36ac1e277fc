// fmg: the operator's and developer's command line for an fmg coordinator.

#include <iostream>

#include "cli/app.h"
#include "cli/console.h"
#include "shared/options.h"

int main(int argc, char** argv) {
    fmg::cli::Console console{std::cout, std::cerr};
    return fmg::cli::run(fmg::options::arguments(argc, argv), console,
                         fmg::options::process_environment());
}
