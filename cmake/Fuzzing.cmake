# -DINSIGHTS_FUZZ=ON: a separate clang build of the libFuzzer targets in fuzz/ (fuzz/run.sh makes
# it in build-fuzz/). Every library those targets link is compiled with libFuzzer's coverage
# instrumentation plus ASan and UBSan; the normal and sanitizer builds are untouched.
option(INSIGHTS_FUZZ "Build the libFuzzer targets in fuzz/ (clang only; see fuzz/run.sh)" OFF)
if(INSIGHTS_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "INSIGHTS_FUZZ=ON needs clang (libFuzzer); this build uses "
                        "${CMAKE_CXX_COMPILER_ID}. Configure with -DCMAKE_CXX_COMPILER=clang++-14.")
  endif()
  if(INSIGHTS_SANITIZE)
    message(FATAL_ERROR "INSIGHTS_FUZZ=ON already builds with ASan and UBSan; "
                        "leave INSIGHTS_SANITIZE off")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer
                      "-fsanitize-ignorelist=${PROJECT_SOURCE_DIR}/fuzz/ubsan_ignorelist.txt")
  add_link_options(-fsanitize=address,undefined)
endif()
