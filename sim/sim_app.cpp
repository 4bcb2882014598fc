#include "sim/sim_app.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <fstream>
#include <iostream>
#include <optional>

#include "sim/call_store.hpp"
#include "sim/http_server.hpp"
#include "sim/sim_clock.hpp"
#include "sim/sim_defaults.hpp"
#include "sim/sim_service.hpp"
#include "sim/time_param.hpp"
#include "sim/tls_identity.hpp"

namespace insights::sim {
namespace {

std::optional<Credential> parse_credential(const std::string& text, const std::string& fallback) {
  const std::size_t first = text.find(':');
  if (first == std::string::npos || first == 0)
    return std::nullopt;
  const std::size_t second = text.find(':', first + 1);
  Credential credential;
  credential.username = text.substr(0, first);
  credential.password =
      text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  credential.account_sid =
      second == std::string::npos
          ? (credential.username.starts_with("AC") ? credential.username : fallback)
          : text.substr(second + 1);
  if (credential.password.empty())
    return std::nullopt;
  return credential;
}

}  // namespace

int run_sim(int argc, char** argv) {
  CLI::App app{"insights-sim: a local stand-in for the Twilio Voice Insights Call Summaries API"};
  std::string address = "127.0.0.1";
  unsigned short port = 8443;
  std::optional<unsigned short> plain_port;
  bool plain_only = false;
  std::string ca_file, port_file;
  GeneratorOptions data;
  std::vector<std::string> credential_texts, fault_texts;
  std::string time_filter = "start_time", sort_direction = "asc", start_text;
  double speed = 1.0;
  std::uint64_t fault_seed = 1;
  int max_page_items = 0;

  app.add_option("--listen", address, "Address to listen on")->capture_default_str();
  app.add_option("--port", port, "Port (0 = any free port; see --port-file)")
      ->capture_default_str();
  app.add_flag("--plain", plain_only, "Serve plain HTTP on --port instead of HTTPS");
  app.add_option("--plain-port", plain_port, "Also serve plain HTTP on this port");
  app.add_option("--ca-file", ca_file, "Write the generated CA certificate (PEM) here");
  app.add_option("--port-file", port_file, "Write the port actually bound here (for scripts)");
  app.add_option("--seed", data.seed, "Data set seed")->capture_default_str();
  app.add_option("--calls-per-hour", data.calls_per_hour, "Calls per hour per account")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  app.add_option("--latest-annotation-edit-hours", data.latest_annotation_edit_hours,
                 "Annotations are edited up to this long after a summary completes")
      ->capture_default_str()
      ->check(CLI::Range(1, 696));
  app.add_option("--account", data.accounts, "Parent account SIDs (repeatable)")
      ->capture_default_str();
  app.add_option("--subaccounts", data.subaccounts_per_account, "Subaccounts per account")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  app.add_option("--credential", credential_texts,
                 "USER:PASSWORD[:ACCOUNT_SID] accepted by Basic auth (repeatable; default " +
                     std::string(kDefaultAccount) + ":" + kDefaultToken + ")");
  app.add_option("--time-filter", time_filter,
                 "Call timestamp StartTime/EndTime filter on (undocumented by Twilio)")
      ->check(CLI::IsMember({"start_time", "end_time"}))
      ->capture_default_str();
  app.add_option("--sort-direction", sort_direction,
                 "Direction SortBy orders pages in (undocumented by Twilio)")
      ->check(CLI::IsMember({"asc", "desc"}))
      ->capture_default_str();
  app.add_option("--start-time", start_text, "Sim clock start, ISO-8601 (default: now)");
  app.add_option("--speed", speed, "Sim clock speed factor (0 = frozen)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--fault", fault_texts,
                 "Fault setting key=value (repeatable): concurrency_cap, retry_after_fraction, "
                 "retry_after_seconds, server_error_rate, latency_ms, latency_jitter_ms, "
                 "spike_rate, spike_ms, reset_rate, truncate_rate, malformed_rate");
  app.add_option("--fault-seed", fault_seed, "Seed of the fault dice")->capture_default_str();
  app.add_option("--max-page-items", max_page_items,
                 "At most this many summaries a page whatever PageSize asks (0 = as asked), "
                 "like a server that answers fewer items than asked")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return 2;
  }

  SimServiceOptions service;
  service.time_filter =
      time_filter == "end_time" ? TimeFilterField::end_time : TimeFilterField::start_time;
  service.sort_direction =
      sort_direction == "desc" ? SortDirection::descending : SortDirection::ascending;
  service.fault_seed = fault_seed;
  service.max_page_items = max_page_items;
  service.token_secret = data.seed * 0x9e3779b97f4a7c15ull + 0x5eed;
  for (const auto& text : fault_texts) {
    for (const auto& problem : apply_fault_settings(service.faults, text)) {
      std::cerr << "insights-sim: --fault " << text << ": " << problem << "\n";
      return 2;
    }
  }
  for (const auto& text : credential_texts) {
    const auto credential = parse_credential(text, data.accounts.front());
    if (!credential) {
      std::cerr << "insights-sim: --credential must be USER:PASSWORD[:ACCOUNT_SID]\n";
      return 2;
    }
    service.credentials.push_back(*credential);
  }
  if (service.credentials.empty()) {
    service.credentials.push_back({data.accounts.front(), kDefaultToken, data.accounts.front()});
  }

  const SimTime real_now =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  SimTime start = real_now;
  if (!start_text.empty()) {
    const auto parsed = parse_time_param(start_text, real_now);
    if (!parsed) {
      std::cerr << "insights-sim: --start-time: expected ISO-8601, got " << start_text << "\n";
      return 2;
    }
    start = *parsed;
  }

  CallStore store(data);
  SimClock clock(start, speed);
  SimService handler(store, clock, service);
  boost::asio::io_context io;
  try {
    std::vector<std::unique_ptr<HttpServer>> servers;
    ServerOptions main_listener;
    main_listener.address = address;
    main_listener.port = port;
    if (!plain_only) {
      const auto identity = make_tls_identity({"localhost"}, {"127.0.0.1", "::1"});
      if (!ca_file.empty())
        write_ca_file(identity, ca_file);
      main_listener.tls = make_server_tls_context(identity);
    }
    servers.push_back(std::make_unique<HttpServer>(io, main_listener, handler));
    if (plain_port) {
      ServerOptions plain;
      plain.address = address;
      plain.port = *plain_port;
      servers.push_back(std::make_unique<HttpServer>(io, plain, handler));
    }
    for (auto& server : servers)
      server->start();
    if (!port_file.empty())
      std::ofstream(port_file) << servers.front()->port() << "\n";
    std::cout << "insights-sim listening on " << (plain_only ? "http" : "https") << "://" << address
              << ":" << servers.front()->port();
    if (plain_port)
      std::cout << " and http://" << address << ":" << servers.back()->port();
    std::cout << " (clock " << format_time(clock.now()) << ", speed " << speed << ", "
              << data.calls_per_hour << " calls/hour/account)" << std::endl;

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
      for (auto& server : servers)
        server->stop();
      io.stop();
    });
    io.run();
  } catch (const std::exception& error) {
    std::cerr << "insights-sim: " << error.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace insights::sim
