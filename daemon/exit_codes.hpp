#pragma once
// Process exit codes of insights-sync, documented in README.md ("Exit codes").

namespace insights {

enum ExitCode : int {
  kExitOk = 0,
  kExitInternalError = 1,   // a bug or an unexpected condition; the message says what
  kExitUsage = 2,           // bad command line
  kExitDatabase = 3,        // database unreachable, login refused, or a statement failed
  kExitSchemaMismatch = 4,  // schema newer than this binary, or not migrated yet
  kExitNotImplemented = 5,  // the command exists but its engine is not in this build yet
  kExitConfig = 78,         // bad configuration file (EX_CONFIG of sysexits.h)
};

}  // namespace insights
