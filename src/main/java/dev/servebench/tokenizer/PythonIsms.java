package dev.servebench.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.beans.FeatureDescriptor;
import java.lang.reflect.Array;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * What Hugging Face chat templates use of Python and of transformers' Jinja environment that
 * Jinjava lacks: Python's string methods ({@code startswith}, {@code split}, {@code strip}, ...),
 * {@code dict.get(key, default)}, stepped slices, and transformers' {@code raise_exception}, {@code
 * strftime_now} and {@code tojson} (which writes as Python's {@code json.dumps}, unlike Jinjava's).
 */
final class PythonIsms {

  /** The name {@link TemplateSource} gives a stepped slice's call. */
  static final String SLICE_FUNCTION = "servebench_slice";

  private PythonIsms() {}

  /** Thrown by a template's {@code raise_exception(message)}. */
  static final class TemplateRaised extends RuntimeException {
    TemplateRaised(String message) {
      super(message);
    }
  }

  /** transformers' {@code raise_exception}: the template refuses its input. */
  public static Object raiseException(Object message) {
    throw new TemplateRaised(String.valueOf(message));
  }

  /** transformers' {@code strftime_now(format)}: the local time, in Python's strftime format. */
  public static String strftimeNow(String format) {
    return strftime(LocalDateTime.now(), format);
  }

  static String strftime(LocalDateTime time, String format) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 == format.length()) {
        out.append(c);
        continue;
      }
      char directive = format.charAt(++i);
      out.append(
          switch (directive) {
            case 'd' -> two(time.getDayOfMonth());
            case 'm' -> two(time.getMonthValue());
            case 'Y' -> String.valueOf(time.getYear());
            case 'y' -> two(time.getYear() % 100);
            case 'H' -> two(time.getHour());
            case 'I' -> two((time.getHour() + 11) % 12 + 1);
            case 'M' -> two(time.getMinute());
            case 'S' -> two(time.getSecond());
            case 'p' -> time.getHour() < 12 ? "AM" : "PM";
            case 'j' -> String.format(Locale.ROOT, "%03d", time.getDayOfYear());
            case 'b' -> time.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'B' -> time.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'a' -> time.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'A' -> time.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'F' -> time.format(DateTimeFormatter.ISO_LOCAL_DATE);
            case 'T' -> time.format(DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT));
            case '%' -> "%";
            default -> "%" + directive;
          });
    }
    return out.toString();
  }

  private static String two(int value) {
    return value < 10 ? "0" + value : String.valueOf(value);
  }

  /**
   * Python's {@code sequence[start:stop:step]} of a list or a string; {@code null} bounds are
   * Python's omitted ones.
   */
  public static Object slice(Object sequence, Object start, Object stop, Object step) {
    List<Object> items = asList(sequence);
    int length = sequence instanceof String text ? text.length() : items.size();
    int by = step == null ? 1 : toInt(step);
    if (by == 0) {
      throw new TemplateRaised("slice step cannot be zero");
    }
    int from = start == null ? (by > 0 ? 0 : length - 1) : adjust(toInt(start), length, by);
    int to = stop == null ? (by > 0 ? length : -1) : adjust(toInt(stop), length, by);
    if (sequence instanceof String text) {
      StringBuilder out = new StringBuilder();
      for (int i = from; by > 0 ? i < to : i > to; i += by) {
        out.append(text.charAt(i));
      }
      return out.toString();
    }
    List<Object> out = new ArrayList<>();
    for (int i = from; by > 0 ? i < to : i > to; i += by) {
      out.add(items.get(i));
    }
    return out;
  }

  /** A bound clamped as CPython's {@code PySlice_AdjustIndices} does. */
  private static int adjust(int index, int length, int step) {
    if (index < 0) {
      index += length;
      if (index < 0) {
        return step < 0 ? -1 : 0;
      }
    } else if (index >= length) {
      return step < 0 ? length - 1 : length;
    }
    return index;
  }

  private static List<Object> asList(Object sequence) {
    if (sequence instanceof List<?> list) {
      return new ArrayList<>(list);
    }
    if (sequence instanceof Collection<?> collection) {
      return new ArrayList<>(collection);
    }
    if (sequence != null && sequence.getClass().isArray()) {
      List<Object> items = new ArrayList<>();
      for (int i = 0; i < Array.getLength(sequence); i++) {
        items.add(Array.get(sequence, i));
      }
      return items;
    }
    if (sequence instanceof String) {
      return List.of();
    }
    throw new TemplateRaised("cannot slice " + (sequence == null ? "none" : sequence));
  }

  private static int toInt(Object value) {
    if (value instanceof Number number) {
      return number.intValue();
    }
    throw new TemplateRaised("slice bound " + value + " is not an integer");
  }

  /**
   * Python's string methods on Java strings, and {@code get(key, default)} on mappings; every other
   * call goes on to Jinjava's own resolvers.
   */
  static final class MethodResolver extends ELResolver {

    @Override
    public Object invoke(
        ELContext context, Object base, Object method, Class<?>[] types, Object[] params) {
      if (method == null) {
        return null;
      }
      Object[] args = params == null ? new Object[0] : params;
      if (base instanceof String text) {
        Object result = stringMethod(text, method.toString(), args);
        if (result != NOT_HANDLED) {
          context.setPropertyResolved(true);
          return result;
        }
      } else if (base instanceof Map<?, ?> map && "get".equals(method) && args.length == 2) {
        context.setPropertyResolved(true);
        Object value = map.get(args[0]);
        return value != null || map.containsKey(args[0]) ? value : args[1];
      }
      return null;
    }

    private static final Object NOT_HANDLED = new Object();

    private static Object stringMethod(String text, String name, Object[] args) {
      return switch (name) {
        case "startswith" -> args.length == 1 ? affix(text, args[0], true) : NOT_HANDLED;
        case "endswith" -> args.length == 1 ? affix(text, args[0], false) : NOT_HANDLED;
        case "strip" -> args.length <= 1 ? strip(text, charsOf(args), true, true) : NOT_HANDLED;
        case "lstrip" -> args.length <= 1 ? strip(text, charsOf(args), true, false) : NOT_HANDLED;
        case "rstrip" -> args.length <= 1 ? strip(text, charsOf(args), false, true) : NOT_HANDLED;
        case "split" ->
            args.length <= 2
                ? split(
                    text,
                    args.length == 0 ? null : (String) args[0],
                    args.length == 2 ? toInt(args[1]) : -1)
                : NOT_HANDLED;
        case "upper" -> args.length == 0 ? text.toUpperCase(Locale.ROOT) : NOT_HANDLED;
        case "lower" -> args.length == 0 ? text.toLowerCase(Locale.ROOT) : NOT_HANDLED;
        case "title" -> args.length == 0 ? title(text) : NOT_HANDLED;
        case "capitalize" ->
            args.length == 0
                ? text.isEmpty()
                    ? text
                    : text.substring(0, 1).toUpperCase(Locale.ROOT)
                        + text.substring(1).toLowerCase(Locale.ROOT)
                : NOT_HANDLED;
        case "find" ->
            args.length == 1 ? (long) text.indexOf(String.valueOf(args[0])) : NOT_HANDLED;
        default -> NOT_HANDLED;
      };
    }

    private static String charsOf(Object[] args) {
      return args.length == 0 || args[0] == null ? null : String.valueOf(args[0]);
    }

    private static boolean affix(String text, Object affixes, boolean prefix) {
      List<Object> candidates =
          affixes instanceof String one ? List.of(one) : PythonIsms.asList(affixes);
      for (Object candidate : candidates) {
        String each = String.valueOf(candidate);
        if (prefix ? text.startsWith(each) : text.endsWith(each)) {
          return true;
        }
      }
      return false;
    }

    /** Python's strip: whitespace when {@code chars} is null, else any of {@code chars}. */
    static String strip(String text, String chars, boolean left, boolean right) {
      int start = 0;
      int end = text.length();
      while (left && start < end && stripped(text.charAt(start), chars)) {
        start++;
      }
      while (right && end > start && stripped(text.charAt(end - 1), chars)) {
        end--;
      }
      return text.substring(start, end);
    }

    private static boolean stripped(char c, String chars) {
      return chars == null
          ? Character.isWhitespace(c) || Character.isSpaceChar(c)
          : chars.indexOf(c) >= 0;
    }

    /**
     * Python's split: at every {@code separator} (literal, empty pieces kept), or at runs of
     * whitespace when it is null (empty pieces dropped); at most {@code maxSplits} when not -1.
     */
    static List<String> split(String text, String separator, int maxSplits) {
      List<String> pieces = new ArrayList<>();
      if (separator == null) {
        int i = 0;
        while (true) {
          while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
          }
          if (i == text.length()) {
            return pieces;
          }
          if (maxSplits >= 0 && pieces.size() == maxSplits) {
            pieces.add(strip(text.substring(i), null, false, true));
            return pieces;
          }
          int end = i;
          while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
            end++;
          }
          pieces.add(text.substring(i, end));
          i = end;
        }
      }
      if (separator.isEmpty()) {
        throw new TemplateRaised("empty separator");
      }
      int from = 0;
      for (int at = text.indexOf(separator);
          at >= 0 && (maxSplits < 0 || pieces.size() < maxSplits);
          at = text.indexOf(separator, from)) {
        pieces.add(text.substring(from, at));
        from = at + separator.length();
      }
      pieces.add(text.substring(from));
      return pieces;
    }

    private static String title(String text) {
      StringBuilder out = new StringBuilder(text.length());
      boolean previousCased = false;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        out.append(previousCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
        previousCased = Character.isLetter(c);
      }
      return out.toString();
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
      return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
      return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
      return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
      return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
      return null;
    }
  }

  /**
   * transformers' {@code tojson}: Python's {@code json.dumps(value, ensure_ascii=False)}, so {@code
   * ", "} and {@code ": "} between items, or lines indented by {@code indent=N}.
   */
  static final class ToJsonFilter implements Filter {

    @Override
    public String getName() {
      return "tojson";
    }

    @Override
    public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
      return filter(value, interpreter, args, Map.of());
    }

    @Override
    public Object filter(
        Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
      Object indent = kwargs.get("indent");
      if (indent == null && args != null && args.length > 0) {
        indent = args[0];
      }
      StringBuilder out = new StringBuilder();
      write(out, value, indent == null ? -1 : Integer.parseInt(indent.toString()), 0);
      return out.toString();
    }

    static void write(StringBuilder out, Object value, int indent, int depth) {
      if (value == null) {
        out.append("null");
      } else if (value instanceof Boolean || value instanceof Number) {
        out.append(value);
      } else if (value instanceof Map<?, ?> map) {
        if (map.isEmpty()) {
          out.append("{}");
          return;
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          separate(out, first, indent, depth + 1);
          first = false;
          string(out, String.valueOf(entry.getKey()));
          out.append(": ");
          write(out, entry.getValue(), indent, depth + 1);
        }
        close(out, indent, depth);
        out.append('}');
      } else if (value instanceof Iterable<?> || value.getClass().isArray()) {
        List<Object> items = PythonIsms.asList(value instanceof Iterable<?> it ? list(it) : value);
        if (items.isEmpty()) {
          out.append("[]");
          return;
        }
        out.append('[');
        boolean first = true;
        for (Object item : items) {
          separate(out, first, indent, depth + 1);
          first = false;
          write(out, item, indent, depth + 1);
        }
        close(out, indent, depth);
        out.append(']');
      } else {
        string(out, value.toString());
      }
    }

    private static List<Object> list(Iterable<?> iterable) {
      List<Object> items = new ArrayList<>();
      iterable.forEach(items::add);
      return items;
    }

    private static void separate(StringBuilder out, boolean first, int indent, int depth) {
      if (indent < 0) {
        out.append(first ? "" : ", ");
      } else {
        out.append(first ? "\n" : ",\n").append(" ".repeat(indent * depth));
      }
    }

    private static void close(StringBuilder out, int indent, int depth) {
      if (indent >= 0) {
        out.append('\n').append(" ".repeat(indent * depth));
      }
    }

    private static void string(StringBuilder out, String text) {
      out.append('"');
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          case '\b' -> out.append("\\b");
          case '\f' -> out.append("\\f");
          default -> {
            if (c < 0x20) {
              out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      out.append('"');
    }
  }
}
