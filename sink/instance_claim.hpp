#pragma once
// This process's claim on its instance name in one database, and the one-per-database duty of
// exporting the warehouse-wide metrics.
//
// Windows are leased under an instance name (sync.instance_name, default host:pid), and a start
// takes back every lease held under its name, so that a restarted instance resumes at once. Two
// live processes with one name would take each other's windows: the name is claimed first, with
// a session-level advisory lock keyed on it, held by a connection of this object's own for as
// long as the object lives. The server drops the lock when the session ends, however the
// process ends (kill -9 included), so a restart finds the name free.
//
// The warehouse gauges (work items, partial rows, lag) describe the whole database. Of all the
// instances on it, only the one holding the exporter lock exports them, so that a sum() over
// instances counts each window once; another takes the duty over when that one stops.
//
// Threading: blocking (libpqxx); use from one thread at a time. Errors: InstanceNameTaken when
// another live session holds the name; SchemaMismatchError from check(); DatabaseError
// (core/error.hpp) when the database cannot be reached.

#include <memory>
#include <string>

#include "core/error.hpp"
#include "sink/pqxx_fwd.hpp"

namespace insights {

// Another live insights-sync holds this instance name in this database; the message names its
// session (client address, since when) and what to do.
class InstanceNameTaken : public SyncError {
 public:
  explicit InstanceNameTaken(const std::string& message)
      : SyncError(ErrorKind::stop_process, message, {}, kExitInUse) {}
};

class InstanceClaim {
 public:
  InstanceClaim(std::string conninfo, std::string instance_name);
  ~InstanceClaim();
  InstanceClaim(const InstanceClaim&) = delete;
  InstanceClaim& operator=(const InstanceClaim&) = delete;

  // Takes the name, or throws InstanceNameTaken.
  void acquire();
  // The running instance's periodic check, and its readiness: the name is still ours (a lost
  // connection, e.g. a server restart, is reopened and the name taken again) and the schema is
  // still one this binary runs against (sink/migration_runner.hpp). Throws InstanceNameTaken
  // when another process took the name meanwhile, SchemaMismatchError when another instance
  // migrated to a schema this binary may not run against, DatabaseError while the database is
  // away (the caller tries again later).
  void check();
  // Whether this instance exports the warehouse gauges: takes the exporter lock when it is free.
  // False while the database is away.
  bool exports_warehouse();

 private:
  bool connected() const;
  void drop();
  void reconnect_and_lock_name();
  bool try_lock_name(pqxx::connection& connection);
  std::string holder_of_name(pqxx::connection& connection);

  std::string conninfo_;
  std::string name_;
  std::unique_ptr<pqxx::connection> connection_;
  bool exporter_ = false;
};

}  // namespace insights
