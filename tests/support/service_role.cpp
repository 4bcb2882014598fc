#include "tests/support/service_role.hpp"

#include <unistd.h>

#include <atomic>
#include <pqxx/nontransaction>

#include "tests/support/documented_grants.hpp"

namespace insights::testing {

std::string unique_role_name(const std::string& prefix) {
  static std::atomic<int> made{0};
  return prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(++made);
}

void create_documented_service_role(pqxx::connection& admin, const std::string& database,
                                    const std::string& role) {
  pqxx::nontransaction session(admin);
  session.exec0("CREATE ROLE " + role + " LOGIN");
  session.exec0("REVOKE ALL ON DATABASE " + database + " FROM PUBLIC");
  session.exec0("REVOKE ALL ON SCHEMA public FROM PUBLIC");
  for (const auto& grant : documented_grants())
    session.exec0(with_names(grant, database, role));
}

void drop_service_role(pqxx::connection& admin, const std::string& role) {
  pqxx::nontransaction session(admin);
  session.exec0("DROP OWNED BY " + role);  // its grants here, on the database included
  session.exec0("DROP ROLE " + role);
}

}  // namespace insights::testing
