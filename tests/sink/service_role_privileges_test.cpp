// The service role's privileges are defined once in C++ and once for people in
// docs/operations.md "Database role"; this test reads the document's GRANT lines and compares
// them privilege by privilege, so neither can change without the other.
#include "sink/service_role_privileges.hpp"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "tests/support/documented_grants.hpp"

namespace insights {
namespace {

// (on, object, privilege); the database as "{db}".
using Grant = std::tuple<std::string, std::string, std::string>;

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    items.push_back(item);
    start = comma + 1;
  }
  return items;
}

// "GRANT SELECT, INSERT ON a, b TO {role}" as its four (privilege, object) pairs.
std::multiset<Grant> expanded(const std::vector<std::string>& statements) {
  std::multiset<Grant> grants;
  for (const auto& statement : statements) {
    const std::optional<testing::GrantStatement> grant =
        testing::parse_grant(statement.ends_with(";") ? statement : statement + ";");
    EXPECT_TRUE(grant && grant->role == "{role}") << statement;
    if (!grant)
      continue;
    std::string on = "TABLE";
    std::string objects = grant->object;
    for (const char* kind : {"DATABASE", "SCHEMA"}) {
      if (objects.starts_with(std::string(kind) + " ")) {
        on = kind;
        objects = objects.substr(on.size() + 1);
      }
    }
    for (const auto& privilege : split_list(grant->privileges)) {
      for (const auto& object : split_list(objects))
        grants.emplace(on, object, privilege);
    }
  }
  return grants;
}

std::multiset<Grant> expanded(const std::vector<ServiceRolePrivilege>& privileges) {
  std::vector<std::string> statements;
  for (const auto& privilege : privileges)
    statements.push_back(grant_statement(privilege, "{db}", "{role}"));
  return expanded(statements);
}

TEST(ServiceRolePrivileges, AreTheGrantsTheDocumentationLists) {
  const std::vector<std::string> documented = testing::documented_grants();
  EXPECT_EQ(expanded(documented), expanded(required_privileges(false)))
      << ::testing::PrintToString(documented);
  EXPECT_EQ(expanded(testing::documented_grants(true)), expanded(required_privileges(true)));
  // The one retention adds.
  EXPECT_EQ(required_privileges(true).size(), required_privileges(false).size() + 1);
  EXPECT_EQ(required_privileges(true).back(),
            (ServiceRolePrivilege{PrivilegeOn::table, "call_summaries", "DELETE", true}));
}

TEST(ServiceRolePrivileges, DocumentedGrantsHavePlaceholdersForTheNames) {
  const std::vector<std::string> documented = testing::documented_grants();
  EXPECT_EQ(documented.front(), "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}");
  for (const auto& statement : documented)
    EXPECT_TRUE(statement.ends_with(" TO {role}")) << statement;
  EXPECT_EQ(testing::with_names(documented.front(), "warehouse", "sync_1"),
            "GRANT CONNECT, TEMPORARY ON DATABASE warehouse TO sync_1");
}

// The page is being rewritten: the grants may sit in "Database role" with the retention grant
// after a comment, or in an install step's script with the retention grant in the prose.
TEST(ServiceRolePrivileges, DocumentedGrantsAreFoundInEitherLayout) {
  const std::string in_section = R"(## Database
### Database role

```sql
CREATE ROLE insights_sync LOGIN;
GRANT USAGE ON SCHEMA public TO insights_sync;
-- only with [retention] delete_after_days > 0:
GRANT DELETE ON call_summaries TO insights_sync;
```
)";
  const std::string in_a_step = R"(### 4. The service role's grants

```sh
psql -d insights <<'SQL'
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE insights TO insights_sync;
GRANT USAGE ON SCHEMA public TO insights_sync;
SQL
```

These are all; with `[retention] delete_after_days > 0` it also needs `GRANT DELETE ON
call_summaries TO insights_sync;`. Grafana: `GRANT insights_reader TO grafana;`.

### Database role

The grants of step 4.

```sql
GRANT insights_reader TO grafana;
```
)";
  EXPECT_EQ(testing::grants_in_markdown(in_section, false),
            std::vector<std::string>{"GRANT USAGE ON SCHEMA public TO {role}"});
  EXPECT_EQ(testing::grants_in_markdown(in_section, true),
            (std::vector<std::string>{"GRANT USAGE ON SCHEMA public TO {role}",
                                      "GRANT DELETE ON call_summaries TO {role}"}));
  EXPECT_EQ(testing::grants_in_markdown(in_a_step, true),
            (std::vector<std::string>{"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}",
                                      "GRANT USAGE ON SCHEMA public TO {role}",
                                      "GRANT DELETE ON call_summaries TO {role}"}));
  EXPECT_THROW(testing::grants_in_markdown("### Database role\n\nNo grants.\n", false),
               std::runtime_error);
}

TEST(ServiceRolePrivileges, GrantStatementsAndDescriptions) {
  const ServiceRolePrivilege temporary{PrivilegeOn::database, "", "TEMPORARY", false};
  const ServiceRolePrivilege usage{PrivilegeOn::schema, "public", "USAGE", false};
  const ServiceRolePrivilege insert{PrivilegeOn::table, "sources", "INSERT", false};
  EXPECT_EQ(grant_statement(temporary, "insights", "insights_sync"),
            "GRANT TEMPORARY ON DATABASE insights TO insights_sync;");
  EXPECT_EQ(grant_statement(usage, "insights", "\"Sync\""),
            "GRANT USAGE ON SCHEMA public TO \"Sync\";");
  EXPECT_EQ(grant_statement(insert, "insights", "insights_sync"),
            "GRANT INSERT ON sources TO insights_sync;");
  EXPECT_EQ(describe_privilege(temporary, "insights"), "TEMPORARY on database insights");
  EXPECT_EQ(describe_privilege(usage, "insights"), "USAGE on schema public");
  EXPECT_EQ(describe_privilege(insert, "insights"), "INSERT on table sources");
}

}  // namespace
}  // namespace insights
