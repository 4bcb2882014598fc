# -DINSIGHTS_SANITIZE=ON: the product's code (core, api, schema, sink, daemon and the Asio/Beast
# unit they share, the libraries insights-sync is made of) is compiled with ASan + UBSan, and
# every binary links their runtimes; UBSan findings abort the test. Test code, the test support
# library and insights-sim are compiled without instrumentation: they are not what users run,
# and instrumented, the tests and their support library alone were half of this build's compile
# time (742 of 1,506 CPU-seconds; UBSan alone doubles the compile time of Beast coroutine code).
# Each process test runs an insights-sync that is instrumented whole.
# UBSan keeps a record per check site, in writable data that a position-independent binary must
# relocate at load time: the records and their relocations were two thirds of each test binary
# (119 MB of package_tests). Sections of their own let the linker drop the records of template
# copies it discards, and a fixed load address (-no-pie) needs no relocations for them.
# -O1 rather than the build type's -O2 (an option given later wins): what the ASan documentation
# suggests, and it cuts the compile time of this build by about a third; the checks are the same.
# In the code left plain, GCC 12 reports false -Warray-bounds, -Wstringop-overflow and
# -Wstringop-overread inside std::string all over the tests (GCC PR 105329 and kin); the Release
# pass compiles the same code with every warning, so this build turns them off there and back on
# where it instruments.
if(INSIGHTS_SANITIZE)
  add_compile_options(-O1 -fno-omit-frame-pointer -Wno-array-bounds -Wno-stringop-overflow
                      -Wno-stringop-overread)
  add_link_options(-fsanitize=address,undefined -Wl,--gc-sections -no-pie)
endif()

# Instruments one of the product's targets in the sanitizer build; nothing otherwise. There the
# target is also compiled in unity batches (cmake/UnityBuild.cmake): instrumented code is the
# costliest to compile, and each header's inline code is instrumented once per batch instead of
# once per file. The Release pass compiles the product a file at a time, as users build it, so
# a missing include still fails there. The separately compiled libraries (*_impl.cpp) and the
# heaviest coroutine file stay out of batches (SKIP_UNITY_BUILD_INCLUSION beside their targets).
function(insights_instrument target)
  if(INSIGHTS_SANITIZE)
    target_compile_options(${target} PRIVATE -Warray-bounds -Wstringop-overflow -Wstringop-overread
                           -fsanitize=address,undefined -fno-sanitize-recover=undefined
                           -ffunction-sections -fdata-sections)
    insights_unity_build(${target} 8)
  endif()
endfunction()
