# Every third-party dependency comes from Debian 12 packages (deploy/install-deps.sh).
# Libraries a plain Debian 12 server does not have are linked into the binary, so the .deb
# installs with `dpkg -i` alone (cmake/Packaging.cmake): Boost.URL and libpqxx from their
# static archives, {fmt}, spdlog and toml++ compiled once from their headers (core/*_impl.cpp).
set(Boost_USE_STATIC_LIBS ON)
find_package(Boost 1.81.0 EXACT REQUIRED CONFIG COMPONENTS system url)
find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)
find_package(RapidJSON REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)
find_library(INSIGHTS_PQXX_ARCHIVE NAMES libpqxx.a REQUIRED)
add_library(insights_pqxx INTERFACE)
target_link_libraries(insights_pqxx INTERFACE "${INSIGHTS_PQXX_ARCHIVE}" PkgConfig::PQ)
find_path(INSIGHTS_TOMLPP_INCLUDE toml++/toml.h REQUIRED)
find_path(INSIGHTS_SPDLOG_INCLUDE spdlog/spdlog.h REQUIRED)
# How every file sees spdlog, {fmt} and toml++: compiled-library mode, implementation in core/.
add_library(insights_text_libs_config INTERFACE)
target_compile_definitions(insights_text_libs_config INTERFACE SPDLOG_COMPILED_LIB
                                                              SPDLOG_FMT_EXTERNAL TOML_HEADER_ONLY=0)
target_include_directories(insights_text_libs_config SYSTEM INTERFACE "${INSIGHTS_TOMLPP_INCLUDE}"
                                                                      "${INSIGHTS_SPDLOG_INCLUDE}")
# Prometheus metric types and the text format (the daemon's /metrics).
find_package(prometheus-cpp CONFIG REQUIRED)
# sd_notify(3): READY, WATCHDOG, STATUS and STOPPING for systemd Type=notify.
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)

# Asio and Beast are compiled once, in api/asio_impl.cpp; every user of their headers must see
# the same configuration, so it travels with this interface target.
add_library(insights_asio_config INTERFACE)
target_compile_definitions(insights_asio_config INTERFACE BOOST_ASIO_SEPARATE_COMPILATION
                                                          BOOST_BEAST_SEPARATE_COMPILATION
                                                          BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(insights_asio_config INTERFACE Boost::headers Boost::system
                                                     OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
