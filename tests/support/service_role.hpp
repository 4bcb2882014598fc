#pragma once
// The service's database role as the docs make it, for tests that run insights-sync with it: a
// LOGIN role holding exactly the grants of docs/operations.md
// (tests/support/documented_grants.hpp), with PUBLIC's default CONNECT, TEMPORARY and USAGE revoked
// in the database, so that nothing else hides a missing grant. Roles belong to the cluster, so each
// gets a name of its own.
//
//   role = unique_role_name("sec_sync");
//   create_documented_service_role(*pg, db->name(), role);
//   ...
//   drop_service_role(*pg, role);   // before the database is dropped

#include <pqxx/connection>
#include <string>

namespace insights::testing {

// "<prefix>_<pid>_<n>": unique in this process, and across processes running at once.
std::string unique_role_name(const std::string& prefix);

// Creates the role in the cluster of `admin` (a superuser's connection to `database`).
void create_documented_service_role(pqxx::connection& admin, const std::string& database,
                                    const std::string& role);

// Drops the role and what it holds in the database of `admin`.
void drop_service_role(pqxx::connection& admin, const std::string& role);

}  // namespace insights::testing
