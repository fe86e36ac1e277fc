#pragma once

namespace fmg {
/// The release version of every fmg binary, set by CMake from project(VERSION).
constexpr const char* kVersion = FMG_VERSION;
}  // namespace fmg
