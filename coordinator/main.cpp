// fmg-coordinator: parse settings, run, report start-up failures.

#include <iostream>

#include "coordinator/app.h"
#include "shared/exit_codes.h"
#include "shared/log.h"

int main(int argc, char** argv) {
    using namespace fmg;
    log::set_component("coordinator");
    auto parsed =
        coordinator::parse_settings(options::arguments(argc, argv), options::process_environment());
    if (auto* outcome = std::get_if<options::Outcome>(&parsed)) {
        bool ok = outcome->kind == options::Outcome::Kind::exit_ok;
        (ok ? std::cout : std::cerr) << outcome->message << "\n";
        return ok ? exit_code::kOk : exit_code::kUsage;
    }
    try {
        return coordinator::run_coordinator(std::get<coordinator::Settings>(parsed));
    } catch (const std::exception& e) {
        FMG_LOG(error) << "cannot run: " << e.what();
        return exit_code::kFailed;
    }
}
