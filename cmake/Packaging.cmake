# `cmake --install` lays insights-sync out in FHS places, and CPack builds a Debian package of
# the same (cpack -G DEB in the build directory): the binary, the systemd unit, an example
# configuration, the schema migrations (compiled in as well; installed for DBAs to read) and
# the documentation.
include(GNUInstallDirs)

install(TARGETS insights-sync RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(FILES "${PROJECT_SOURCE_DIR}/deploy/insights-sync.service"
        DESTINATION "lib/systemd/system")
install(FILES "${PROJECT_SOURCE_DIR}/deploy/insights-sync.example.toml"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}/examples")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/schema/" DESTINATION "${CMAKE_INSTALL_DATADIR}/insights-sync/schema"
        FILES_MATCHING PATTERN "*.sql" PATTERN "README.md")
install(FILES "${PROJECT_SOURCE_DIR}/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}")

set(CPACK_PACKAGE_NAME "insights-sync")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "insights-sync maintainers <insights-sync@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Keeps a PostgreSQL warehouse in step with Twilio Voice Insights call summaries")
set(CPACK_GENERATOR "DEB")
# The build keeps its debug information; the package does not need it.
set(CPACK_STRIP_FILES TRUE)
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
# The shared libraries the binary links (dpkg-shlibdeps), plus what the unit needs.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql")
include(CPack)
