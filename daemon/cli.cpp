#include "daemon/cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "core/exit_codes.hpp"
#include "daemon/command.hpp"
#include "daemon/commands.hpp"

namespace insights {

int run_command_line(int argc, char** argv) {
  CLI::App app{
      "insights-sync keeps a PostgreSQL warehouse in step with Twilio Voice Insights Call "
      "Summaries."};
  app.set_version_flag("--version", std::string("insights-sync ") + INSIGHTS_SYNC_VERSION +
                                        " (git " + INSIGHTS_GIT_REVISION + ")");
  app.require_subcommand(1);

  Command command;
  auto add_common = [&](CLI::App* target) {
    target->add_option("-c,--config", command.config_path, "TOML configuration file")
        ->check(CLI::ExistingFile);
    target->add_option("--database-url", command.database_url,
                       "libpq connection string or URI (default: config file, then "
                       "$DATABASE_URL, then PGHOST/PGPORT/PGUSER/...); keep passwords out of "
                       "it, use ~/.pgpass or PGPASSWORD");
    target
        ->add_option("--log-level", command.log_level,
                     "trace, debug, info, warn, error, critical or off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  };

  auto* migrate = app.add_subcommand("migrate", "Apply pending schema migrations, then exit");
  auto* run = app.add_subcommand("run", "Run the sync daemon until SIGTERM or SIGINT");
  auto* sync = app.add_subcommand(
      "sync", "Do all work due now (every due window gets one full pass), then exit");
  bool once = false;
  sync->add_flag("--once", once, "Required: run once and exit (the daemon is `run`)")->required();
  auto* check = app.add_subcommand(
      "check-config",
      "Validate the configuration and every source's secret and CA file, then exit");
  check->add_flag("--connect", command.connect,
                  "Also connect: the database (server, schema version, the role's privileges) "
                  "and one request to each source's API (credentials, certificate)");
  auto* status = app.add_subcommand("status", "Show each source's sync state, then exit");
  status->add_flag("--json", command.json, "Print JSON instead of text");
  auto* backfill = app.add_subcommand(
      "backfill",
      "Enqueue a time range for loading (again); a running daemon picks it up, or --run");
  const char* time_help =
      "ISO-8601 instant (2026-11-01T00:00:00Z), UTC date (2026-11-01), `now`, or an age "
      "(90m, 12h, 7d, 2w)";
  backfill->add_option("--from", command.from, std::string("Start: ") + time_help)->required();
  backfill->add_option("--to", command.to, std::string("End: ") + time_help)->required();
  backfill->add_option("--source", command.sources,
                       "Only this source (repeatable; default: every configured source)");
  backfill->add_flag("--wait", command.wait,
                     "Follow progress until every window is read (exit 0) or one is parked "
                     "(exit 6)");
  backfill->add_flag("--run", command.run_here,
                     "Do the work in this process (no daemon needed), then exit like --wait");
  // The common options belong to the program, so they may come before the command
  // (`insights-sync --config FILE run`); fallthrough lets them follow it too.
  add_common(&app);
  for (auto* subcommand : {migrate, run, sync, check, status, backfill})
    subcommand->fallthrough();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    app.exit(error);  // prints the message and a usage hint
    return kExitUsage;
  }

  if (migrate->parsed())
    command.name = CommandName::migrate;
  if (run->parsed())
    command.name = CommandName::run;
  if (sync->parsed())
    command.name = CommandName::sync_once;
  if (check->parsed())
    command.name = CommandName::check_config;
  if (status->parsed())
    command.name = CommandName::status;
  if (backfill->parsed())
    command.name = CommandName::backfill;
  return run_command(command);
}

}  // namespace insights
