# INSIGHTS_GIT_REVISION: `git describe --always --dirty` of the source tree at configure time
# ("unknown" outside a git checkout), for `insights-sync --version`. Re-read whenever HEAD or
# the index changes (a commit, a checkout), so the reported revision follows the sources.
set(INSIGHTS_GIT_REVISION "unknown")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${PROJECT_SOURCE_DIR}/.git")
  execute_process(
    COMMAND "${GIT_EXECUTABLE}" -C "${PROJECT_SOURCE_DIR}" describe --always --dirty --abbrev=12
    OUTPUT_VARIABLE revision
    OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET
    RESULT_VARIABLE status)
  if(status EQUAL 0 AND revision)
    set(INSIGHTS_GIT_REVISION "${revision}")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               "${PROJECT_SOURCE_DIR}/.git/HEAD" "${PROJECT_SOURCE_DIR}/.git/index")
endif()
