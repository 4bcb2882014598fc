# Writes a C++ file holding every migration (version, name, SQL text) for the migration runner.
# Input: FILES (sorted schema/NNNN_name.sql paths separated by ","), OUTPUT (the .cpp to write).
string(REPLACE "," ";" FILES "${FILES}")
set(body "// Generated from schema/*.sql by cmake/EmbedMigrations.cmake. Do not edit.\n")
string(APPEND body "#include \"schema/embedded_migrations.hpp\"\n\nnamespace insights {\n\n")
string(APPEND body "const std::vector<Migration>& embedded_migrations() {\n")
string(APPEND body "  static const std::vector<Migration> migrations = {\n")
foreach(file IN LISTS FILES)
  get_filename_component(name "${file}" NAME_WE)
  string(SUBSTRING "${name}" 0 4 version)
  string(SUBSTRING "${name}" 5 -1 title)
  math(EXPR version_number "${version}")  # drops leading zeros
  file(READ "${file}" sql)
  # A raw string literal keeps the SQL byte-exact; the delimiter must not occur in SQL.
  string(APPEND body "      {${version_number}, \"${title}\", R\"insights_sql(${sql})insights_sql\"},\n")
endforeach()
string(APPEND body "  };\n  return migrations;\n}\n\n}  // namespace insights\n")
file(WRITE "${OUTPUT}" "${body}")
