#include "core/toml_text_guard.hpp"

namespace insights {
namespace {

bool is_ascii(char c) {
  return static_cast<unsigned char>(c) < 0x80;
}

bool is_toml_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Walks the text the way TOML's lexer splits it into comments, strings and the rest.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  std::optional<std::string> problem() {
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (bare_value_) {
        // A value that is not a string, array or table (`3`, `true`, a date): toml++ reads it
        // up to a terminator, quotes and `=` included, asking of each character whether it is
        // whitespace, the question it cannot answer for most non-ASCII characters.
        if (std::string_view(" \t\r\n,]}#").find(c) == std::string_view::npos) {
          if (!is_ascii(c))
            return where() + ": a non-ASCII character outside a string or comment";
          last_ = c;
          advance();
          continue;
        }
        bare_value_ = false;  // the terminator is read below
      }
      const bool string_may_start =
          std::string_view("=[{,.\n").find(last_) != std::string_view::npos;
      if (c == '#') {
        skip_to_line_end();  // a comment: anything goes
      } else if ((c == '"' || c == '\'') && !string_may_start) {
        advance();  // inside a bare token (`3"x`): toml++ reads on as a token, not a string
        last_ = c;
      } else if (starts_with("\"\"\"")) {
        if (auto found = skip_string("\"\"\"", true))
          return found;
      } else if (starts_with("'''")) {
        skip_string("'''", false);
      } else if (c == '"') {
        skip_string("\"", true);
      } else if (c == '\'') {
        skip_string("'", false);
      } else if (!is_ascii(c)) {
        return where() + ": a non-ASCII character outside a string or comment";
      } else {
        note_value_position(c);
        if (c == '\n' || (c != ' ' && c != '\t' && c != '\r'))
          last_ = c;
        advance();
        continue;
      }
      last_ = '"';  // after a string or comment
      value_position_ = false;
    }
    return std::nullopt;
  }

 private:
  // Where a value may begin (after `=`, `[`, or `,` in an array), a character that opens no
  // string, array or inline table begins a bare value. (In an inline table `,` comes before a
  // key; a table header's `[` is taken for an array's, which only makes the guard stricter.)
  void note_value_position(char c) {
    if (c == '=') {
      value_position_ = true;
    } else if (c == '[' || c == '{') {
      open_.push_back(c);
      value_position_ = c == '[';
    } else if (c == ']' || c == '}') {
      if (!open_.empty())
        open_.pop_back();
      value_position_ = false;
    } else if (c == ',') {
      value_position_ = !open_.empty() && open_.back() == '[';
    } else if (c == '\n') {
      value_position_ = false;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      bare_value_ = value_position_;
      value_position_ = false;
    }
  }

  bool starts_with(std::string_view token) const { return text_.substr(at_).starts_with(token); }

  void advance() {
    if (text_[at_] == '\n') {
      ++line_;
      line_start_ = at_ + 1;
    }
    ++at_;
  }

  void skip_to_line_end() {
    while (at_ < text_.size() && text_[at_] != '\n')
      advance();
  }

  // Skips a string from its opening `quote` to its closing one (or the end of the text: the
  // parser reports an unterminated string). In a multi-line basic string, the character after
  // a backslash, and after the whitespace a line-ending backslash trims, must be ASCII.
  std::optional<std::string> skip_string(std::string_view quote, bool escapes) {
    for (std::size_t i = 0; i < quote.size(); ++i)
      advance();
    const bool multi_line = quote.size() == 3;
    while (at_ < text_.size()) {
      if (starts_with(quote)) {
        // A multi-line string may end in up to five quotes, the last three closing it.
        std::size_t run = 0;
        while (run < 5 && at_ + run < text_.size() && text_[at_ + run] == quote[0])
          ++run;
        for (std::size_t i = 0; i < (multi_line ? run : 1); ++i)
          advance();
        return std::nullopt;
      }
      if (escapes && text_[at_] == '\\') {
        advance();
        if (at_ >= text_.size())
          break;
        if (multi_line) {
          while (at_ < text_.size() && is_toml_whitespace(text_[at_]))
            advance();
          if (at_ < text_.size() && !is_ascii(text_[at_]))
            return where() + ": a non-ASCII character right after a backslash in a \"\"\" string";
        }
        if (at_ < text_.size())
          advance();  // the escaped character: never the end of the string
        continue;
      }
      if (!multi_line && text_[at_] == '\n')
        return std::nullopt;  // an unterminated one-line string: the parser says so
      advance();
    }
    return std::nullopt;
  }

  std::string where() const {
    return "line " + std::to_string(line_) + ", column " + std::to_string(at_ - line_start_ + 1);
  }

  std::string_view text_;
  std::size_t at_ = 0;
  std::size_t line_ = 1;
  std::size_t line_start_ = 0;
  char last_ = '\n';             // the last character outside strings that was not a space or tab
  bool value_position_ = false;  // a value may begin here
  bool bare_value_ = false;      // inside a bare value (see problem())
  std::string open_;             // the arrays and inline tables open here, innermost last
};

}  // namespace

std::optional<std::string> toml_text_problem(std::string_view toml_text) {
  return Scanner(toml_text).problem();
}

}  // namespace insights
