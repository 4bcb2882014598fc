# Compact debug info by default: line tables only (-g1), compressed (-gz).
# Full DWARF for Asio/Beast coroutine code is about ten times the size of the code itself: a
# test build tree took 3.8 GB and its sanitizer twin 8.8 GB, and CI ran out of disk. Line
# tables keep what stack traces (ASan, UBSan, gdb bt, perf) need: function, file and line.
# -DINSIGHTS_FULL_DEBUG_INFO=ON brings back variables and types for a gdb session.
option(INSIGHTS_FULL_DEBUG_INFO "Full DWARF debug info instead of compressed line tables" OFF)
if(NOT INSIGHTS_FULL_DEBUG_INFO)
  # These come after the build type's -g on the command line, and the last -g option wins;
  # build types without debug info get none.
  add_compile_options("$<$<CONFIG:RelWithDebInfo,Debug>:-g1;-gz>")
  add_link_options("$<$<CONFIG:RelWithDebInfo,Debug>:-gz>")
endif()
