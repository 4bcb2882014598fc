# -DINSIGHTS_SANITIZE=ON builds everything with ASan + UBSan; UBSan findings abort the test.
# UBSan keeps a record per check site, in writable data that a position-independent binary must
# relocate at load time: the records and their relocations were two thirds of each test binary
# (119 MB of package_tests). Sections of their own let the linker drop the records of template
# copies it discards, and a fixed load address (-no-pie) needs no relocations for them.
# -O1 rather than the build type's -O2 (an option given later wins): what the ASan documentation
# suggests, and it cuts the compile time of this build by about a third; the checks are the same.
if(INSIGHTS_SANITIZE)
  add_compile_options(-O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer -ffunction-sections -fdata-sections)
  add_link_options(-fsanitize=address,undefined -Wl,--gc-sections -no-pie)
endif()
