# The sanitizer build links with lld when the compiler can use it (Debian's lld package,
# deploy/install-deps.sh): its test binaries are 70-120 MB each (UBSan records, line tables), and
# lld links them in about a third of GNU ld's time. The normal build, the one packaged, keeps the
# default linker; without lld the sanitizer build does too.
if(INSIGHTS_SANITIZE)
  include(CheckLinkerFlag)
  check_linker_flag(CXX -fuse-ld=lld INSIGHTS_HAVE_LLD)
  if(INSIGHTS_HAVE_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()
