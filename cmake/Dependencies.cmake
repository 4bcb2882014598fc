# Every third-party dependency comes from Debian 12 packages (deploy/install-deps.sh).
find_package(Boost 1.81.0 EXACT REQUIRED CONFIG COMPONENTS system url)
find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(RapidJSON REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx libpq)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
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
