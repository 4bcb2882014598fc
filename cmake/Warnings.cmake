# Project-wide warning flags, applied to our own targets through insights_warnings.
add_library(insights_warnings INTERFACE)
target_compile_options(insights_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                   -Wnon-virtual-dtor -Wold-style-cast
                                                   -Wcast-align -Wunused -Woverloaded-virtual
                                                   -Wimplicit-fallthrough)
if(INSIGHTS_WERROR)
  target_compile_options(insights_warnings INTERFACE -Werror)
endif()
# GCC 12 with -fsanitize=address reports Asio's coroutine frames (class-specific operator
# new/delete in awaitable_frame_base) as -Wmismatched-new-delete: a false positive of that
# compiler, seen only in the sanitizer build. ASan itself still checks every new/delete pair.
if(INSIGHTS_SANITIZE)
  target_compile_options(insights_warnings INTERFACE -Wno-mismatched-new-delete)
endif()
