#include "shared/pipeline/expressions.h"

#include <charconv>
#include <cstdint>
#include <optional>
#include <vector>

#include "shared/pipeline/patterns.h"
#include "shared/pipeline/text.h"

namespace fmg::pipeline::detail {

namespace {

// Parentheses and `not` nest as deep as the text does; a bound keeps the stack small.
constexpr int kMaxExpressionDepth = 32;
// A whole number literal: at most 18 digits fit an int64_t.
constexpr std::size_t kMaxNumberDigits = 18;

enum class TokenKind {
    left_paren,
    right_paren,
    equal,          // ==
    not_equal,      // !=
    greater,        // >
    greater_equal,  // >=
    less,           // <
    less_equal,     // <=
    number,
    string,
    pattern,  // /REGEX/
    word,     // an identifier, or one of the keywords below
    end,
};

struct Token {
    TokenKind kind = TokenKind::end;
    std::string text;  // a string's or pattern's content, a word, a number's digits
    std::size_t at = 0;
};

bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_word_char(char c) {
    return is_letter(c) || is_ascii_digit(c) || c == '_' || c == '-' || c == '.';
}

bool is_keyword(std::string_view word) {
    return word == "and" || word == "or" || word == "not" || word == "true" || word == "false" ||
           word == "starts-with" || word == "matches";
}

// Splits `text` into tokens, or says what is wrong at which character.
std::optional<std::string> scan(std::string_view text, std::vector<Token>& out) {
    std::size_t i = 0;
    const auto at = [&](std::size_t position, const std::string& what) {
        return "at character " + std::to_string(position + 1) + ": " + what;
    };
    while (i < text.size()) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
            continue;
        }
        Token token;
        token.at = i;
        if (c == '(' || c == ')') {
            token.kind = c == '(' ? TokenKind::left_paren : TokenKind::right_paren;
            ++i;
        } else if (c == '=' || c == '!') {
            if (i + 1 >= text.size() || text[i + 1] != '=') {
                return at(i, std::string("`") + c + "` must be followed by `=` (`==` or `!=`)");
            }
            token.kind = c == '=' ? TokenKind::equal : TokenKind::not_equal;
            i += 2;
        } else if (c == '<' || c == '>') {
            const bool with_equal = i + 1 < text.size() && text[i + 1] == '=';
            token.kind = c == '<' ? (with_equal ? TokenKind::less_equal : TokenKind::less)
                                  : (with_equal ? TokenKind::greater_equal : TokenKind::greater);
            i += with_equal ? 2 : 1;
        } else if (c == '"' || c == '/') {
            // A string, or a pattern: `\` escapes the closing character and itself.
            token.kind = c == '"' ? TokenKind::string : TokenKind::pattern;
            std::size_t j = i + 1;
            bool closed = false;
            for (; j < text.size(); ++j) {
                if (text[j] == '\\' && j + 1 < text.size() &&
                    (text[j + 1] == c || text[j + 1] == '\\')) {
                    // A pattern keeps `\\` for the regex; an escaped `/` is a plain `/`.
                    if (c == '/' && text[j + 1] == '\\') token.text += '\\';
                    token.text += text[++j];
                } else if (text[j] == c) {
                    closed = true;
                    break;
                } else {
                    token.text += text[j];
                }
            }
            if (!closed) {
                return at(i, c == '"' ? "a string without its closing `\"`"
                                      : "a pattern without its closing `/`");
            }
            i = j + 1;
        } else if (is_ascii_digit(c)) {
            token.kind = TokenKind::number;
            while (i < text.size() && is_ascii_digit(text[i])) token.text += text[i++];
            if (token.text.size() > kMaxNumberDigits) {
                return at(token.at,
                          "a number of more than " + std::to_string(kMaxNumberDigits) + " digits");
            }
        } else if (is_letter(c)) {
            token.kind = TokenKind::word;
            while (i < text.size() && is_word_char(text[i])) token.text += text[i++];
            if (token.text.find("..") != std::string::npos || token.text.back() == '.') {
                return at(token.at, quoted(token.text) + " is not a name");
            }
        } else {
            return at(i, std::string("unexpected character `") + c + "`");
        }
        // Operators and parentheses keep their text for messages.
        if (token.kind != TokenKind::string && token.kind != TokenKind::pattern &&
            token.text.empty()) {
            token.text = std::string(text.substr(token.at, i - token.at));
        }
        out.push_back(std::move(token));
    }
    out.push_back(Token{TokenKind::end, "", text.size()});
    return std::nullopt;
}

struct Value {
    enum class Kind { undefined, boolean, number, string };
    Kind kind = Kind::undefined;
    bool boolean = false;
    int64_t number = 0;
    std::string text;  // a string's value; a number's or boolean's text form

    static Value of_bool(bool b) { return {Kind::boolean, b, 0, b ? "true" : "false"}; }
};

bool truthy(const Value& value) {
    switch (value.kind) {
        case Value::Kind::boolean:
            return value.boolean;
        case Value::Kind::number:
            return value.number != 0;
        case Value::Kind::string:
            return !value.text.empty();
        case Value::Kind::undefined:
            break;
    }
    return false;
}

// A whole number from a value written as one (a literal, or a pipeline value of digits).
std::optional<int64_t> as_number(const Value& value) {
    if (value.kind == Value::Kind::number) return value.number;
    if (value.kind != Value::Kind::string || value.text.empty() ||
        value.text.size() > kMaxNumberDigits) {
        return std::nullopt;
    }
    int64_t n = 0;
    const auto [end, error] =
        std::from_chars(value.text.data(), value.text.data() + value.text.size(), n);
    if (error != std::errc() || end != value.text.data() + value.text.size()) return std::nullopt;
    return n;
}

class Evaluator {
  public:
    Evaluator(const std::vector<Token>& tokens, const ExpressionVariables& pipeline)
        : tokens_(tokens), pipeline_(pipeline) {}

    // The whole expression's value, or the error (with its character).
    std::optional<std::string> run(Value& out) {
        if (auto error = logic_or(out, 0)) return error;
        if (peek().kind != TokenKind::end) return at(peek(), "more text after the expression");
        return std::nullopt;
    }

  private:
    using Error = std::optional<std::string>;

    const Token& peek() const { return tokens_[next_]; }
    bool next_is_word(std::string_view word) const {
        return peek().kind == TokenKind::word && peek().text == word;
    }
    static std::string at(const Token& token, const std::string& what) {
        return "at character " + std::to_string(token.at + 1) + ": " + what;
    }

    Error logic_or(Value& out, int depth) {
        if (auto error = logic_and(out, depth)) return error;
        while (next_is_word("or")) {
            ++next_;
            Value right;
            if (auto error = logic_and(right, depth)) return error;
            if (!truthy(out)) out = right;
        }
        return std::nullopt;
    }

    Error logic_and(Value& out, int depth) {
        if (auto error = equality(out, depth)) return error;
        while (next_is_word("and")) {
            ++next_;
            Value right;
            if (auto error = equality(right, depth)) return error;
            if (truthy(out)) out = right;
        }
        return std::nullopt;
    }

    Error equality(Value& out, int depth) {
        if (auto error = comparison(out, depth)) return error;
        for (;;) {
            const Token& op = peek();
            const bool equal = op.kind == TokenKind::equal;
            const bool not_equal = op.kind == TokenKind::not_equal;
            const bool starts = next_is_word("starts-with");
            const bool matches = next_is_word("matches");
            if (!equal && !not_equal && !starts && !matches) return std::nullopt;
            ++next_;
            if (matches) {
                if (auto error = match(op, out)) return error;
                continue;
            }
            Value right;
            if (auto error = comparison(right, depth)) return error;
            if (out.kind == Value::Kind::undefined || right.kind == Value::Kind::undefined) {
                out = Value{};
            } else if (starts) {
                if (out.kind == Value::Kind::boolean || right.kind == Value::Kind::boolean) {
                    return at(op, "`starts-with` compares text, not true or false");
                }
                out = Value::of_bool(out.text.rfind(right.text, 0) == 0);
            } else {
                // The same kinds compare by value; a string and a number by their text.
                const bool same = out.kind == right.kind && out.kind == Value::Kind::boolean
                                      ? out.boolean == right.boolean
                                      : out.text == right.text;
                out = Value::of_bool(equal ? same : !same);
            }
        }
    }

    Error match(const Token& op, Value& out) {
        const Token& pattern = peek();
        if (pattern.kind != TokenKind::pattern) {
            return at(op, "`matches` needs a pattern after it: /REGEX/");
        }
        ++next_;
        if (out.kind == Value::Kind::undefined) return std::nullopt;
        if (out.kind == Value::Kind::boolean) {
            return at(op, "`matches` matches text, not true or false");
        }
        std::size_t states = 0;
        auto compiled = NamePattern::parse("/" + pattern.text + "/", states);
        if (!compiled) return at(pattern, compiled.error().message);
        out = Value::of_bool(compiled->matches(out.text));
        return std::nullopt;
    }

    Error comparison(Value& out, int depth) {
        if (auto error = unary(out, depth)) return error;
        for (;;) {
            const Token& op = peek();
            if (op.kind != TokenKind::greater && op.kind != TokenKind::greater_equal &&
                op.kind != TokenKind::less && op.kind != TokenKind::less_equal) {
                return std::nullopt;
            }
            ++next_;
            Value right;
            if (auto error = unary(right, depth)) return error;
            if (out.kind == Value::Kind::undefined || right.kind == Value::Kind::undefined) {
                out = Value{};
                continue;
            }
            const auto a = as_number(out);
            const auto b = as_number(right);
            if (!a || !b) return at(op, "`<`, `<=`, `>` and `>=` compare whole numbers");
            bool result = false;
            switch (op.kind) {
                case TokenKind::greater:
                    result = *a > *b;
                    break;
                case TokenKind::greater_equal:
                    result = *a >= *b;
                    break;
                case TokenKind::less:
                    result = *a < *b;
                    break;
                default:
                    result = *a <= *b;
                    break;
            }
            out = Value::of_bool(result);
        }
    }

    Error unary(Value& out, int depth) {
        if (depth > kMaxExpressionDepth) {
            return at(peek(),
                      "nested deeper than " + std::to_string(kMaxExpressionDepth) + " levels");
        }
        if (next_is_word("not")) {
            ++next_;
            Value inner;
            if (auto error = unary(inner, depth + 1)) return error;
            out = Value::of_bool(!truthy(inner));
            return std::nullopt;
        }
        return primary(out, depth);
    }

    Error primary(Value& out, int depth) {
        const Token& token = peek();
        switch (token.kind) {
            case TokenKind::left_paren: {
                ++next_;
                if (auto error = logic_or(out, depth + 1)) return error;
                if (peek().kind != TokenKind::right_paren) {
                    return at(peek(), "a `(` without its `)`");
                }
                ++next_;
                return std::nullopt;
            }
            case TokenKind::number: {
                ++next_;
                out = Value{Value::Kind::number, false, 0, token.text};
                out.number = *as_number(Value{Value::Kind::string, false, 0, token.text});
                return std::nullopt;
            }
            case TokenKind::string:
                ++next_;
                out = Value{Value::Kind::string, false, 0, token.text};
                return std::nullopt;
            case TokenKind::word:
                if (token.text == "true" || token.text == "false") {
                    ++next_;
                    out = Value::of_bool(token.text == "true");
                    return std::nullopt;
                }
                if (!is_keyword(token.text)) {
                    ++next_;
                    return variable(token, out);
                }
                break;
            default:
                break;
        }
        return at(token, token.kind == TokenKind::end
                             ? "the expression ends too early"
                             : "expected a value, not " + quoted(token.text));
    }

    Error variable(const Token& token, Value& out) {
        constexpr std::string_view kPrefix = "pipeline.";
        const auto found = token.text.rfind(kPrefix, 0) == 0
                               ? pipeline_.find(token.text.substr(kPrefix.size()))
                               : pipeline_.end();
        if (found == pipeline_.end()) {
            return at(token, "unknown variable " + quoted(token.text) +
                                 " (expressions name pipeline values: pipeline.git.branch, "
                                 "pipeline.parameters.NAME, ...)");
        }
        const Node& value = found->second;
        if (!value.is_scalar() || value.is_null() || value.text().empty()) {
            out = Value{};  // unset: undefined
        } else if (value.text() == "true" || value.text() == "false") {
            out = Value::of_bool(value.text() == "true");
        } else {
            out = Value{Value::Kind::string, false, 0, value.text()};
        }
        return std::nullopt;
    }

    const std::vector<Token>& tokens_;
    const ExpressionVariables& pipeline_;
    std::size_t next_ = 0;
};

}  // namespace

bool looks_like_expression(std::string_view text) {
    std::vector<Token> tokens;
    if (scan(text, tokens)) {
        // Malformed, but meant as one: evaluating it says what is wrong.
        for (std::string_view sign :
             {"==", "!=", "pipeline.", " and ", " or ", "not ", "starts-with", " matches "}) {
            if (text.find(sign) != std::string_view::npos) return true;
        }
        return false;
    }
    for (const Token& token : tokens) {
        switch (token.kind) {
            case TokenKind::word:
                if ((is_keyword(token.text) && token.text != "true" && token.text != "false") ||
                    token.text.rfind("pipeline.", 0) == 0) {
                    return true;
                }
                break;
            case TokenKind::number:
            case TokenKind::string:
            case TokenKind::pattern:
            case TokenKind::end:
                break;
            default:
                return true;  // an operator or a parenthesis
        }
    }
    return false;
}

Problem evaluate_expression(YamlReader& reader, const Node& expression,
                            const ExpressionVariables& pipeline, bool& out) {
    if (auto problem = reader.visit(expression)) return problem;
    const std::string& text = expression.text();
    std::vector<Token> tokens;
    std::optional<std::string> error = scan(text, tokens);
    Value value;
    if (!error) error = Evaluator(tokens, pipeline).run(value);
    if (error) {
        return reader.error_at(expression, "expression " + quoted(text) + ": " + *error);
    }
    out = truthy(value);
    return std::nullopt;
}

}  // namespace fmg::pipeline::detail
