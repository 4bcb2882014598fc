# Project-wide warning flags, applied to our own targets through insights_warnings.
add_library(insights_warnings INTERFACE)
target_compile_options(insights_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                   -Wnon-virtual-dtor -Wold-style-cast
                                                   -Wcast-align -Wunused -Woverloaded-virtual
                                                   -Wimplicit-fallthrough)
if(INSIGHTS_WERROR)
  target_compile_options(insights_warnings INTERFACE -Werror)
endif()
