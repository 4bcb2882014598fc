#pragma once
// `insights-sync check-config [--connect]`: everything an operator needs to know about a
// configuration before `run`, one line per thing checked on stdout.
//
// Always (the file and its INSIGHTS__* overrides were parsed before): every source's secret
// (secret_env or secret_file, $CREDENTIALS_DIRECTORY expanded), ca_file (readable, holding a
// PEM certificate OpenSSL loads) and api_url (an origin the client can use). Any problem:
// ConfigError with every one of them (exit 78). Warnings (a secret file others can read,
// retention below Twilio's) are logged and leave the exit status alone. Without --connect the
// last line says what was not checked.
// --connect: also the database (daemon/database_check.hpp) and each source's API
// (daemon/source_probe.hpp); the exit status is that of the first failed check in the order
// printed (database 3, schema 4, privileges 3, a source 7), 0 when all passed.
// Nothing printed holds a secret or the connection string.

#include <ostream>
#include <string>

#include "core/config.hpp"
#include "daemon/command.hpp"

namespace insights {

// `conninfo` as `run` resolves it; `database_origin` says where it came from.
int check_configuration(const Command& command, const AppConfig& config,
                        const std::string& conninfo, const std::string& database_origin,
                        std::ostream& out);

}  // namespace insights
