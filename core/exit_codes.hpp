#pragma once
// Process exit codes of insights-sync, documented in docs/operations.md ("Exit codes").

namespace insights {

enum ExitCode : int {
  kExitOk = 0,
  kExitInternalError = 1,   // a bug or an unexpected condition; the message says what
  kExitUsage = 2,           // bad command line
  kExitDatabase = 3,        // database unreachable, login refused, or a statement failed
  kExitSchemaMismatch = 4,  // schema behind this binary, or newer through a "contract" migration
  kExitInUse = 5,           // another live instance has this instance name, or metrics.listen
                            // cannot be listened on
  kExitWorkFailed = 6,      // sync --once: a window was parked or still failed (see status)
  kExitSourceRefused = 7,   // a source is unusable: credentials, permissions, TLS certificate
  kExitConfig = 78,         // bad configuration file (EX_CONFIG of sysexits.h)
};

}  // namespace insights
