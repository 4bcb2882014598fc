# -DINSIGHTS_SANITIZE=ON builds everything with ASan + UBSan; UBSan findings abort the test.
if(INSIGHTS_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
