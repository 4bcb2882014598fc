#pragma once
// One line of `check-config`'s report: what was checked and what came out, and the exit code a
// failure stands for (core/exit_codes.hpp).

#include <string>

#include "core/exit_codes.hpp"

namespace insights {

enum class CheckVerdict { passed, failed, not_checked };

struct CheckLine {
  std::string subject;  // "database", "schema", "privileges", `source "main" (source[1])`
  CheckVerdict verdict = CheckVerdict::passed;
  std::string text;         // what was found; may continue on indented lines
  int exit_code = kExitOk;  // when failed
};

}  // namespace insights
