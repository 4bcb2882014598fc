#include "tests/support/documented_grants.hpp"

#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace insights::testing {
namespace {

// The names the document's example uses.
constexpr const char* kDocumentedDatabase = "insights";
constexpr const char* kDocumentedRole = "insights_sync";

std::string read_operations_doc() {
  std::ifstream in(INSIGHTS_OPERATIONS_DOC);
  if (!in)
    throw std::runtime_error(std::string("cannot read ") + INSIGHTS_OPERATIONS_DOC);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A page cut into fenced code blocks and the paragraphs between them, each tagged with the
// "###" section it is in.
struct Piece {
  std::string section;  // the heading line, e.g. "### Database role"
  bool code = false;
  std::vector<std::string> lines;
};

std::vector<Piece> pieces_of(std::string_view markdown) {
  std::vector<Piece> pieces;
  std::string section;
  std::istringstream text{std::string(markdown)};
  bool in_code = false;
  const auto start = [&](bool code) { pieces.push_back(Piece{section, code, {}}); };
  for (std::string line; std::getline(text, line);) {
    if (line.starts_with("```")) {
      in_code = !in_code;
      start(in_code);
    } else if (!in_code && line.starts_with("#")) {
      section = line;
      start(false);
    } else if (!in_code && line.empty()) {
      start(false);  // a paragraph ends
    } else {
      if (pieces.empty())
        start(false);
      pieces.back().lines.push_back(line);
    }
  }
  return pieces;
}

// "GRANT <privileges> ON <object> TO {role}" for a GRANT to the documented role, else nullopt.
std::optional<std::string> placeholder_grant(const std::string& statement) {
  static const std::regex grant(R"(^\s*GRANT (.+) ON (DATABASE (\w+)|.+) TO (\w+);\s*$)");
  std::smatch match;
  if (!std::regex_match(statement, match, grant) || match[4] != kDocumentedRole)
    return std::nullopt;
  if (match[3].matched && match[3] != kDocumentedDatabase) {
    throw std::runtime_error("docs/operations.md: " + statement + ": expected the database " +
                             kDocumentedDatabase);
  }
  const std::string on = match[3].matched ? "DATABASE {db}" : match[2].str();
  return "GRANT " + match[1].str() + " ON " + on + " TO {role}";
}

bool holds_grant(const Piece& piece) {
  for (const auto& line : piece.lines) {
    if (placeholder_grant(line))
      return true;
  }
  return false;
}

// The code block of the grants: in "Database role" first, then anywhere.
const Piece& grants_block(const std::vector<Piece>& pieces) {
  for (const bool in_section_only : {true, false}) {
    for (const auto& piece : pieces) {
      if (piece.code && (!in_section_only || piece.section == "### Database role") &&
          holds_grant(piece)) {
        return piece;
      }
    }
  }
  throw std::runtime_error("docs/operations.md: no code block with a GRANT to insights_sync");
}

// Backticked GRANTs of prose paragraphs about [retention], lines joined.
std::vector<std::string> retention_grants_in_prose(const std::vector<Piece>& pieces) {
  static const std::regex backticked("`(GRANT [^`]+)`");
  std::vector<std::string> grants;
  for (const auto& piece : pieces) {
    std::string paragraph;
    for (const auto& line : piece.lines)
      paragraph += (paragraph.empty() ? "" : " ") + line;
    if (piece.code || paragraph.find("[retention]") == std::string::npos)
      continue;
    for (std::sregex_iterator it(paragraph.begin(), paragraph.end(), backticked), end; it != end;
         ++it) {
      if (auto grant = placeholder_grant((*it)[1].str()))
        grants.push_back(std::move(*grant));
    }
  }
  return grants;
}

}  // namespace

std::vector<std::string> grants_in_markdown(std::string_view markdown,
                                            bool include_retention_grants) {
  const std::vector<Piece> pieces = pieces_of(markdown);
  std::vector<std::string> always;
  std::vector<std::string> retention;
  bool retention_only = false;
  for (const auto& line : grants_block(pieces).lines) {
    if (line.starts_with("-- only with [retention]"))
      retention_only = true;
    else if (auto grant = placeholder_grant(line))
      (retention_only ? retention : always).push_back(std::move(*grant));
  }
  if (retention.empty())
    retention = retention_grants_in_prose(pieces);
  if (include_retention_grants)
    always.insert(always.end(), retention.begin(), retention.end());
  return always;
}

std::vector<std::string> documented_grants(bool include_retention_grants) {
  return grants_in_markdown(read_operations_doc(), include_retention_grants);
}

std::string with_names(std::string text, const std::string& db, const std::string& role) {
  for (const auto& [placeholder, value] : {std::pair<std::string, std::string>{"{db}", db},
                                           std::pair<std::string, std::string>{"{role}", role}}) {
    for (auto at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder))
      text.replace(at, placeholder.size(), value);
  }
  return text;
}

}  // namespace insights::testing
