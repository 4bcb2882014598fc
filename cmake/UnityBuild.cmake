# Unity builds for the test code and insights-sim: each target's sources are compiled as one
# translation unit per batch, so the headers they share (GoogleTest, Asio, libpqxx, the standard
# library) are parsed, and their inline templates compiled, once per batch instead of once per file.
# Measured on this project's multi-file test targets: 40-56 % less compile time (api_tests 46 s ->
# 20 s). The product's own libraries stay one file per unit, except in the sanitizer build
# (insights_instrument() in cmake/Sanitizers.cmake): what users build is what the Release pass
# checks, and a missing include in product code is not hidden by a neighbour's.
# A batch shares one anonymous namespace, so file-local names must not repeat within a target
# (docs/development.md). Files that are heavy alone (a Beast coroutine file) are left out of
# batches with SKIP_UNITY_BUILD_INCLUSION, so both cores keep working.
# GCC's -Wsubobject-linkage is about headers: a class defined in one, holding a type of an anonymous
# namespace, differs in every file that includes it. In a batch every source is #included, so a
# coroutine's frame holding a file-local type trips it; each source is still included once.
function(insights_unity_build target batch_size)
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${batch_size})
  target_compile_options(${target} PRIVATE $<$<CXX_COMPILER_ID:GNU>:-Wno-subobject-linkage>)
endfunction()
