# `cmake --install` lays insights-sync out in FHS places, and CPack builds a Debian package of
# the same (cpack -G DEB in the build directory): the binary, the systemd unit, an example
# configuration, the schema migrations (compiled in as well; installed for DBAs to read), the
# Prometheus alerting rules and the Grafana dashboard (for the operator to load) and the
# documentation.
include(GNUInstallDirs)
# `cmake --install` and cpack install what is built and build nothing themselves: the package
# tests run cpack while other tests run the binaries of the same tree (ctest -j), which a
# rebuild in between would replace under them. Build first (cmake --build), then package.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

install(TARGETS insights-sync RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
# prometheus-cpp is the one library Debian ships only as a shared object: it travels in the
# package, in a private directory the binary's RUNPATH names, so `dpkg -i` needs nothing beyond
# what a Debian 12 server with libpq5 has (tests/deploy/fresh-install.sh shows it). Debian's place
# for a package's private libraries, which is also outside the ldconfig paths, so the package
# needs no maintainer scripts.
set(INSIGHTS_PRIVATE_LIBDIR "lib/${CMAKE_LIBRARY_ARCHITECTURE}/insights-sync")
install(IMPORTED_RUNTIME_ARTIFACTS prometheus-cpp::core LIBRARY DESTINATION "${INSIGHTS_PRIVATE_LIBDIR}")
set_target_properties(insights-sync PROPERTIES INSTALL_RPATH "$ORIGIN/../${INSIGHTS_PRIVATE_LIBDIR}")
install(FILES "${PROJECT_SOURCE_DIR}/deploy/insights-sync.service"
        DESTINATION "lib/systemd/system")
install(FILES "${PROJECT_SOURCE_DIR}/deploy/insights-sync.example.toml"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}/examples")
# The configuration itself, a conffile of the package (deploy/debian/conffiles): dpkg keeps an
# operator's edits across upgrades and asks before replacing them.
install(FILES "${PROJECT_SOURCE_DIR}/deploy/insights-sync.example.toml"
        DESTINATION "/etc/insights-sync" RENAME "insights-sync.toml")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/schema/" DESTINATION "${CMAKE_INSTALL_DATADIR}/insights-sync/schema"
        FILES_MATCHING PATTERN "*.sql" PATTERN "README.md")
install(FILES "${PROJECT_SOURCE_DIR}/deploy/prometheus/insights-sync-rules.yml"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/insights-sync/prometheus")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/deploy/grafana/" DESTINATION "${CMAKE_INSTALL_DATADIR}/insights-sync/grafana"
        FILES_MATCHING PATTERN "*.json")
# The README's links (docs/…, CHANGELOG.md) resolve in the installed copy too.
install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/CHANGELOG.md"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/docs/" DESTINATION "${CMAKE_INSTALL_DOCDIR}/docs")

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
# The shared libraries the binary links (dpkg-shlibdeps; the bundled one is found in the
# package). systemd is recommended, not required: the unit is inert without it and the binary
# runs anywhere.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "usr/${INSIGHTS_PRIVATE_LIBDIR}")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql")
# The maintainer scripts: daemon-reload on install and upgrade, stop on removal, nothing enabled
# or started by the package (deploy/debian/).
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/deploy/debian/conffiles" "${PROJECT_SOURCE_DIR}/deploy/debian/postinst"
    "${PROJECT_SOURCE_DIR}/deploy/debian/prerm" "${PROJECT_SOURCE_DIR}/deploy/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
