#pragma once
// The GRANT statements docs/operations.md tells a database owner to run for the service role,
// read from the document itself so tests use exactly what operators are told:
// tests/security/database_role_test.cpp runs them, and
// tests/sink/service_role_privileges_test.cpp compares them with
// sink/service_role_privileges.hpp.
//
// Where they are: the first fenced code block (```sql, ```sh, ...) holding a line
// `GRANT … TO insights_sync;`, looked for in the section "Database role" first, then in the
// whole document (so the list may move, e.g. into an install step). The grants only [retention]
// needs are the block's lines after a `-- only with [retention] …` comment or, when it has none,
// the backticked `GRANT … TO insights_sync;` of a paragraph outside code blocks that mentions
// `[retention]`. The database and role of the document are `insights` and `insights_sync`.
//
// Errors: throws std::runtime_error when the file cannot be read, no block holds a GRANT, or a
// GRANT names another database.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace insights::testing {

// Each GRANT without its ';', with the database name replaced by {db} and the role by {role}:
// "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}". Those only [retention] needs come
// last, and only with `include_retention_grants`.
std::vector<std::string> documented_grants(bool include_retention_grants = false);

// The same, from the Markdown text of an operations page.
std::vector<std::string> grants_in_markdown(std::string_view markdown,
                                            bool include_retention_grants);

// "GRANT <privileges> ON <object> TO <role>;" taken apart (without the ';', spaces trimmed),
// or nullopt when `statement` is not one.
struct GrantStatement {
  std::string privileges;  // "SELECT, INSERT"
  std::string object;      // "call_summaries, sources", "DATABASE insights", "SCHEMA public"
  std::string role;
};
std::optional<GrantStatement> parse_grant(std::string_view statement);

// `text` with {db} and {role} replaced.
std::string with_names(std::string text, const std::string& db, const std::string& role);

}  // namespace insights::testing
