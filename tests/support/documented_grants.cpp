#include "tests/support/documented_grants.hpp"

#include <fstream>
#include <optional>
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

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos)
    return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// "GRANT <privileges> ON <object> TO {role}" for a GRANT to the documented role, else nullopt.
std::optional<std::string> placeholder_grant(const std::string& statement) {
  const std::optional<GrantStatement> grant = parse_grant(statement);
  if (!grant || grant->role != kDocumentedRole)
    return std::nullopt;
  std::string on = grant->object;
  if (on.starts_with("DATABASE ")) {
    if (on != std::string("DATABASE ") + kDocumentedDatabase) {
      throw std::runtime_error("docs/operations.md: " + statement + ": expected the database " +
                               kDocumentedDatabase);
    }
    on = "DATABASE {db}";
  }
  std::string text = "GRANT ";
  text.append(grant->privileges).append(" ON ").append(on).append(" TO {role}");
  return text;
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
  std::vector<std::string> grants;
  for (const auto& piece : pieces) {
    std::string paragraph;
    for (const auto& line : piece.lines) {
      if (!paragraph.empty())
        paragraph += ' ';
      paragraph += line;
    }
    if (piece.code || paragraph.find("[retention]") == std::string::npos)
      continue;
    for (auto at = paragraph.find("`GRANT "); at != std::string::npos;
         at = paragraph.find("`GRANT ", at + 1)) {
      const auto end = paragraph.find('`', at + 1);
      if (end == std::string::npos)
        break;
      if (auto grant = placeholder_grant(paragraph.substr(at + 1, end - at - 1)))
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

std::optional<GrantStatement> parse_grant(std::string_view statement) {
  statement = trimmed(statement);
  if (!statement.starts_with("GRANT ") || !statement.ends_with(";"))
    return std::nullopt;
  statement.remove_suffix(1);
  const auto on = statement.find(" ON ");
  const auto to = statement.rfind(" TO ");
  if (on == std::string_view::npos || to == std::string_view::npos || to < on)
    return std::nullopt;
  return GrantStatement{std::string(trimmed(statement.substr(6, on - 6))),
                        std::string(trimmed(statement.substr(on + 4, to - on - 4))),
                        std::string(trimmed(statement.substr(to + 4)))};
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
