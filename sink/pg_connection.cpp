#include "sink/pg_connection.hpp"

#include <libpq-fe.h>

#include <cstring>
#include <pqxx/nontransaction>

#include "core/error.hpp"
#include "sink/pg_error_kind.hpp"

namespace insights {

std::unique_ptr<pqxx::connection> open_connection(const std::string& conninfo) {
  try {
    auto connection = std::make_unique<pqxx::connection>(conninfo);
    pqxx::nontransaction setup(*connection);
    setup.exec0("SET application_name = 'insights-sync'");
    return connection;
  } catch (const std::exception& error) {
    std::string message = error.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    // A missing database or a refused login is not going to fix itself.
    ErrorKind kind = classify_database_error(error);
    if (message.find("does not exist") != std::string::npos ||
        message.find("authentication failed") != std::string::npos ||
        message.find("password") != std::string::npos) {
      kind = ErrorKind::stop_process;
    }
    throw DatabaseError(kind, "cannot connect to PostgreSQL: " + message);
  }
}

bool conninfo_has_password(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return false;  // libpq will report the syntax error when connecting
  }
  bool has_password = false;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (std::strcmp(option->keyword, "password") == 0 && option->val != nullptr &&
        option->val[0] != '\0') {
      has_password = true;
    }
  }
  PQconninfoFree(options);
  return has_password;
}

}  // namespace insights
