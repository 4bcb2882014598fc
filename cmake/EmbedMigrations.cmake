# Writes a C++ file holding every migration (version, name, SQL text, compatibility) for the
# migration runner.
# Input: FILES (sorted schema/NNNN_name.sql paths separated by ","), OUTPUT (the .cpp to write);
# optionally NEXT_FILE, a test-only migration appended as version (newest + 1) — the upgrade
# tests' "next release" (tests/deploy/CMakeLists.txt).
#
# Every migration from 0007 on declares, in a line of its own, whether binaries that do not know
# it may keep running against a database that has it:
#   -- compatibility: expand     (it only adds: older binaries keep running, a rolling upgrade)
#   -- compatibility: contract   (it removes or changes what older binaries use: upgrade them first)
string(REPLACE "," ";" FILES "${FILES}")
set(first_declared_version 7)

function(compatibility_of file version out)
  file(STRINGS "${file}" lines REGEX "^-- compatibility: ")
  if(lines MATCHES "^-- compatibility: (expand|contract)[ \t]*$")
    set(keeps false)
    if(CMAKE_MATCH_1 STREQUAL "expand")
      set(keeps true)
    endif()
  elseif(version LESS first_declared_version AND NOT lines)
    set(keeps false)
  else()
    message(FATAL_ERROR "${file}: needs exactly one line '-- compatibility: expand' or "
                        "'-- compatibility: contract' (see cmake/EmbedMigrations.cmake)")
  endif()
  set(${out} ${keeps} PARENT_SCOPE)
endfunction()

set(entries "")
set(newest 0)
foreach(file IN LISTS FILES)
  get_filename_component(name "${file}" NAME_WE)
  string(SUBSTRING "${name}" 0 4 version)
  string(SUBSTRING "${name}" 5 -1 title)
  math(EXPR version "${version}")  # drops leading zeros
  list(APPEND entries "${version}|${title}|${file}")
  set(newest ${version})
endforeach()
if(NEXT_FILE)
  get_filename_component(title "${NEXT_FILE}" NAME_WE)
  math(EXPR version "${newest} + 1")
  list(APPEND entries "${version}|${title}|${NEXT_FILE}")
endif()

set(body "// Generated from schema/*.sql by cmake/EmbedMigrations.cmake. Do not edit.\n")
string(APPEND body "#include \"schema/embedded_migrations.hpp\"\n\nnamespace insights {\n\n")
string(APPEND body "const std::vector<Migration>& embedded_migrations() {\n")
string(APPEND body "  static const std::vector<Migration> migrations = {\n")
foreach(entry IN LISTS entries)
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 0 version)
  list(GET parts 1 title)
  list(GET parts 2 file)
  compatibility_of("${file}" ${version} keeps)
  file(READ "${file}" sql)
  # A raw string literal keeps the SQL byte-exact; the delimiter must not occur in SQL.
  string(APPEND body "      {${version}, \"${title}\", R\"insights_sql(${sql})insights_sql\", ${keeps}},\n")
endforeach()
string(APPEND body "  };\n  return migrations;\n}\n\n}  // namespace insights\n")
file(WRITE "${OUTPUT}" "${body}")
