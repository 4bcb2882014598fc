#include "sink/instance_claim.hpp"

#include <pqxx/nontransaction>

#include "schema/embedded_migrations.hpp"
#include "sink/database_call.hpp"
#include "sink/migration_runner.hpp"
#include "sink/pg_connection.hpp"

namespace insights {
namespace {

// Advisory lock keys (two int4): one class for instance names, keyed by hashtext(name), and one
// for the exporter duty. Other keys of ours are single bigints (migrations, retention), which
// PostgreSQL keeps apart from two-key locks.
constexpr int kInstanceNameClass = 0x696e7379;  // "insy"
constexpr int kExporterClass = 0x696e7378;      // "insx"

}  // namespace

InstanceClaim::InstanceClaim(std::string conninfo, std::string instance_name)
    : conninfo_(std::move(conninfo)), name_(std::move(instance_name)) {}

InstanceClaim::~InstanceClaim() = default;

bool InstanceClaim::connected() const {
  return connection_ && connection_->is_open();
}

void InstanceClaim::drop() {
  connection_.reset();
  exporter_ = false;  // the server released the session's locks with it
}

void InstanceClaim::reconnect_and_lock_name() {
  connection_ = open_connection(conninfo_);
  exporter_ = false;
  if (!try_lock_name(*connection_)) {
    std::string holder = holder_of_name(*connection_);
    drop();
    throw InstanceNameTaken(holder);
  }
}

bool InstanceClaim::try_lock_name(pqxx::connection& connection) {
  pqxx::nontransaction session(connection);
  // Shown in pg_stat_activity, so the message of a second instance can name this session.
  session.exec_params("SELECT set_config('application_name', $1, false)",
                      ("insights-sync " + name_).substr(0, 63));
  return session
      .exec_params1("SELECT pg_try_advisory_lock($1, hashtext($2))", kInstanceNameClass, name_)[0]
      .as<bool>();
}

std::string InstanceClaim::holder_of_name(pqxx::connection& connection) {
  pqxx::nontransaction session(connection);
  const pqxx::result holder = session.exec_params(
      "SELECT coalesce(host(a.client_addr), 'a local socket'),"
      "       to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), a.pid "
      "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::bigint::oid "
      "  AND l.objid = (hashtext($2)::bigint & 4294967295)::oid AND l.objsubid = 2",
      kInstanceNameClass, name_);
  std::string who =
      "another insights-sync is running as instance \"" + name_ + "\" on this database";
  // Without pg_read_all_stats the session of another role shows no address; ours are one role.
  if (!holder.empty() && !holder[0][1].is_null()) {
    who += " (connected from " + holder[0][0].as<std::string>() + " since " +
           holder[0][1].as<std::string>() + " UTC, server pid " + holder[0][2].as<std::string>() +
           ")";
  }
  return who +
         ": give every instance its own sync.instance_name (docs/operations.md, \"Several "
         "instances on one database\"), or stop the other one";
}

void InstanceClaim::acquire() {
  call_database(
      "instance name", [this] { drop(); }, [this] { reconnect_and_lock_name(); });
}

void InstanceClaim::check() {
  call_database(
      "instance check", [this] { drop(); },
      [this] {
        // A live session still holds its lock; a new one must take the name again.
        if (!connected())
          reconnect_and_lock_name();
        require_compatible_schema(*connection_, embedded_migrations());
      });
}

bool InstanceClaim::exports_warehouse() {
  // Only check() opens a session: one without the name's lock must not do anything.
  if (!connected())
    return false;
  try {
    return call_database(
        "exporter", [this] { drop(); },
        [this] {
          if (!exporter_) {
            exporter_ = pqxx::nontransaction(*connection_)
                            .exec_params1("SELECT pg_try_advisory_lock($1, 0)", kExporterClass)[0]
                            .as<bool>();
          }
          return exporter_;
        });
  } catch (const DatabaseError&) {
    return false;  // the database is away: nothing to export; check() reports it
  }
}

}  // namespace insights
