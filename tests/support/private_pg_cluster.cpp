#include "tests/support/private_pg_cluster.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <stdexcept>

#include "tests/support/child_process.hpp"

namespace insights::testing {
namespace {

std::string single_quoted(const std::string& text) {
  return "'" + text + "'";
}

std::string pg_cluster_script() {
  return std::string(INSIGHTS_SOURCE_DIR) + "/tests/pg-cluster.sh";
}

}  // namespace

PrivatePgCluster::PrivatePgCluster(std::string dir) : dir_(std::move(dir)) {
  std::filesystem::remove_all(dir_);
  const ChildResult result =
      run_child("/bin/bash",
                {"-c", ". " + single_quoted(pg_cluster_script()) + " && pg_cluster_start " +
                           single_quoted(dir_) + " && echo \"PRIVATE_PG_PORT=$PG_CLUSTER_PORT.\""},
                dir_ + ".start.log", {}, std::chrono::seconds(120));
  std::filesystem::remove(dir_ + ".start.log");
  const auto marker = result.output.find("PRIVATE_PG_PORT=");
  if (!result.exit || result.exit->exit_code != 0 || marker == std::string::npos)
    throw std::runtime_error("pg_cluster_start " + dir_ + " failed: " + result.output);
  const auto begin = marker + std::string("PRIVATE_PG_PORT=").size();
  port_ = result.output.substr(begin, result.output.find('.', begin) - begin);
}

PrivatePgCluster::~PrivatePgCluster() {
  try {
    shell("pg_cluster_stop");  // stops the server if it runs, removes the directory
  } catch (const std::exception& error) {
    ADD_FAILURE() << "could not remove the private cluster: " << error.what();
  }
}

std::string PrivatePgCluster::conninfo(const std::string& dbname) const {
  return "host=" + dir_ + " port=" + port_ + " user=insights_test dbname=" + dbname;
}

void PrivatePgCluster::create_database(const std::string& dbname) {
  pqxx::connection admin(conninfo("postgres"));
  pqxx::nontransaction(admin).exec0("CREATE DATABASE " + dbname + " TEMPLATE template0");
}

void PrivatePgCluster::crash() {
  shell(
      R"(pg_cluster_as_owner "$PG_CLUSTER_BIN/pg_ctl" -D "$PG_CLUSTER_DIR/data" -m immediate -w stop)");
}

void PrivatePgCluster::stop() {
  shell(
      R"(pg_cluster_as_owner "$PG_CLUSTER_BIN/pg_ctl" -D "$PG_CLUSTER_DIR/data" -m fast -w stop)");
}

void PrivatePgCluster::restart() {
  shell("pg_cluster_resume " + single_quoted(dir_) + " " + port_);
}

std::string PrivatePgCluster::shell(const std::string& commands) const {
  // pg-cluster.sh keeps its state in shell variables; a fresh shell gets them back from the
  // directory (owner of the data directory when root, as pg_cluster_resume does).
  const std::string attach =
      ". " + single_quoted(pg_cluster_script()) + " && PG_CLUSTER_DIR=" + single_quoted(dir_) +
      " && PG_CLUSTER_PORT=" + port_ + " && PG_CLUSTER_BIN=$(pg_cluster_bin)" +
      " && PG_CLUSTER_OWNER=$(if [ \"$(id -u)\" -eq 0 ]; then stat -c %U " +
      single_quoted(dir_ + "/data") + "; else id -un; fi)";
  const std::string log = dir_ + ".shell.log";
  const ChildResult result = run_child("/bin/bash", {"-c", attach + " && " + commands}, log, {},
                                       std::chrono::seconds(120));
  std::filesystem::remove(log);
  if (!result.exit || result.exit->exit_code != 0)
    throw std::runtime_error(commands + " failed: " + result.output);
  return result.output;
}

}  // namespace insights::testing
