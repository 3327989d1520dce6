package dev.servebench.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the few pieces of Jinja2 syntax that Jinjava's expression parser does not accept into
 * equivalents it does, leaving everything outside {@code {{ }}} and {@code {% %}} untouched:
 *
 * <ul>
 *   <li>a slice with a step, {@code messages[::-1]}, becomes a call of the {@code servebench_slice}
 *       function ({@link PythonIsms#slice}); Jinjava parses only {@code [a:b]};
 *   <li>each keyword argument of {@code namespace(...)} is put in parentheses: Jinjava ends a
 *       keyword argument's value at a filter, so {@code namespace(n=messages|length - 1)} would
 *       subtract 1 from the argument itself.
 * </ul>
 */
final class TemplateSource {

  private static final Pattern STEPPED_SLICE =
      Pattern.compile("\\[\\s*(-?\\d+)?\\s*:\\s*(-?\\d+)?\\s*:\\s*(-?\\d+)\\s*]");

  private static final Pattern NAMESPACE_CALL = Pattern.compile("(?<![\\w.])namespace\\s*\\(");

  private static final Pattern KEYWORD_ARGUMENT =
      Pattern.compile("(?s)(\\s*[A-Za-z_]\\w*\\s*=)(?!=)(.*)");

  private TemplateSource() {}

  /** The template with every expression and statement tag rewritten as the class says. */
  static String rewrite(String template) {
    StringBuilder out = new StringBuilder(template.length() + 64);
    int at = 0;
    while (at < template.length()) {
      int open = nextTagOpen(template, at);
      if (open < 0) {
        out.append(template, at, template.length());
        break;
      }
      String close = template.charAt(open + 1) == '{' ? "}}" : "%}";
      int bodyStart = open + 2;
      int bodyEnd = tagEnd(template, bodyStart, close);
      if (bodyEnd < 0) {
        out.append(template, at, template.length()); // unclosed: Jinjava reports it
        break;
      }
      out.append(template, at, bodyStart);
      out.append(rewriteExpression(template.substring(bodyStart, bodyEnd)));
      at = bodyEnd;
    }
    return out.toString();
  }

  /** The next {@code {{} or {@code {%}, skipping comments and raw blocks' contents. */
  private static int nextTagOpen(String template, int from) {
    for (int i = template.indexOf('{', from); i >= 0 && i + 1 < template.length(); ) {
      char next = template.charAt(i + 1);
      if (next == '{' || next == '%') {
        return i;
      }
      if (next == '#') {
        int end = template.indexOf("#}", i + 2);
        if (end < 0) {
          return -1;
        }
        i = template.indexOf('{', end + 2);
        continue;
      }
      i = template.indexOf('{', i + 1);
    }
    return -1;
  }

  /** Where the tag's body ends (the index of {@code close}), skipping string literals. */
  private static int tagEnd(String template, int from, String close) {
    for (int i = from; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c == '\'' || c == '"') {
        i = stringEnd(template, i);
        if (i < 0) {
          return -1;
        }
      } else if (template.startsWith(close, i)) {
        return i;
      }
    }
    return -1;
  }

  /** The index of the quote that closes the string literal opening at {@code start}, or -1. */
  private static int stringEnd(String text, int start) {
    char quote = text.charAt(start);
    for (int i = start + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == quote) {
        return i;
      }
    }
    return -1;
  }

  static String rewriteExpression(String expression) {
    return rewriteNamespaceCalls(rewriteSteppedSlices(expression));
  }

  /** {@code operand[a:b:c]} to {@code servebench_slice(operand, a, b, c)}, innermost first. */
  private static String rewriteSteppedSlices(String expression) {
    String text = expression;
    for (Matcher slice = STEPPED_SLICE.matcher(text); slice.find(); ) {
      if (insideString(text, slice.start())) {
        continue;
      }
      int operandStart = operandStart(text, slice.start());
      if (operandStart == slice.start()) {
        continue; // a list literal, not a slice
      }
      String operand = text.substring(operandStart, slice.start());
      String call =
          "servebench_slice("
              + operand
              + ", "
              + orNone(slice.group(1))
              + ", "
              + orNone(slice.group(2))
              + ", "
              + slice.group(3)
              + ")";
      text = text.substring(0, operandStart) + call + text.substring(slice.end());
      slice = STEPPED_SLICE.matcher(text);
    }
    return text;
  }

  private static String orNone(String bound) {
    return bound == null ? "none" : bound;
  }

  /**
   * Where the postfix expression ending just before {@code end} starts: a name, followed by any
   * number of {@code .name}, {@code [...]} and {@code (...)}; or a parenthesised expression.
   */
  private static int operandStart(String text, int end) {
    int i = end - 1;
    while (i >= 0) {
      char c = text.charAt(i);
      if (c == ']' || c == ')') {
        i = matchingOpen(text, i) - 1;
        if (i < -1) {
          return end;
        }
      } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
        i--;
      } else if (c == '\'' || c == '"') {
        int open = text.lastIndexOf(c, i - 1);
        if (open < 0) {
          return end;
        }
        i = open - 1;
      } else {
        break;
      }
    }
    return i + 1;
  }

  private static int matchingOpen(String text, int close) {
    char closing = text.charAt(close);
    char opening = closing == ']' ? '[' : '(';
    int depth = 0;
    for (int i = close; i >= 0; i--) {
      char c = text.charAt(i);
      if (c == closing) {
        depth++;
      } else if (c == opening && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  private static String rewriteNamespaceCalls(String expression) {
    StringBuilder out = new StringBuilder(expression.length() + 16);
    int at = 0;
    Matcher call = NAMESPACE_CALL.matcher(expression);
    while (call.find(at)) {
      if (insideString(expression, call.start())) {
        out.append(expression, at, call.end());
        at = call.end();
        continue;
      }
      int argumentsStart = call.end();
      List<String> arguments = new ArrayList<>();
      int close = splitArguments(expression, argumentsStart, arguments);
      if (close < 0) {
        break; // unbalanced: left for Jinjava to report
      }
      out.append(expression, at, argumentsStart);
      for (int i = 0; i < arguments.size(); i++) {
        Matcher keyword = KEYWORD_ARGUMENT.matcher(arguments.get(i));
        out.append(i == 0 ? "" : ",");
        if (keyword.matches() && !keyword.group(2).isBlank()) {
          out.append(keyword.group(1)).append('(').append(keyword.group(2)).append(')');
        } else {
          out.append(arguments.get(i));
        }
      }
      out.append(')');
      at = close + 1;
    }
    out.append(expression, at, expression.length());
    return out.toString();
  }

  /**
   * Splits the arguments from {@code start} (just after the opening parenthesis) at top-level
   * commas; returns the index of the closing parenthesis, or -1.
   */
  private static int splitArguments(String text, int start, List<String> arguments) {
    int depth = 0;
    int argumentStart = start;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'' || c == '"') {
        i = stringEnd(text, i);
        if (i < 0) {
          return -1;
        }
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
        depth--;
      } else if (c == ')') {
        if (i > argumentStart || !arguments.isEmpty()) {
          arguments.add(text.substring(argumentStart, i));
        }
        return i;
      } else if (c == ',' && depth == 0) {
        arguments.add(text.substring(argumentStart, i));
        argumentStart = i + 1;
      }
    }
    return -1;
  }

  private static boolean insideString(String text, int index) {
    for (int i = 0; i < index; i++) {
      char c = text.charAt(i);
      if (c == '\'' || c == '"') {
        int end = stringEnd(text, i);
        if (end < 0 || end >= index) {
          return true;
        }
        i = end;
      }
    }
    return false;
  }
}
