package dev.servebench.tokenizer;

import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.loader.ResourceLocator;
import com.hubspot.jinjava.loader.ResourceNotFoundException;
import com.hubspot.jinjava.util.ForLoop;
import java.beans.FeatureDescriptor;
import java.nio.charset.Charset;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELException;
import jinjava.javax.el.ELResolver;

/**
 * What a chat template may reach: a template comes with a downloaded model, so it is untrusted
 * input. Its expressions may read and call only the values a chat template works with (mappings,
 * sequences, strings, numbers, booleans and a for loop's {@code loop}), never a Java object behind
 * them (Jinjava's interpreter, its config and ObjectMapper, a {@link Class}); it may not include,
 * import or extend another template; and what it renders is bounded in size.
 */
final class TemplateSandbox {

  /** The most characters a render, or one string made while rendering, may have: 16 MiB. */
  static final long MAX_OUTPUT_CHARS = 16L * 1024 * 1024;

  /** Names that reach a Java object's class, on any value. */
  private static final Set<String> FORBIDDEN_NAMES =
      Set.of("class", "getClass", "forName", "getDeclaringClass", "classLoader");

  private TemplateSandbox() {}

  /** Whether a template may read a property of, or call a method on, {@code base}. */
  static boolean reachable(Object base) {
    return base instanceof Map<?, ?>
        || base instanceof Collection<?>
        || base instanceof Map.Entry<?, ?>
        || base instanceof CharSequence
        || base instanceof Number
        || base instanceof Boolean
        || base instanceof ForLoop;
  }

  /**
   * First of the template's resolvers: refuses every property or method of a value that is not
   * {@link #reachable}, and any name that reaches a class; everything else goes on to the resolvers
   * after it. Top-level names (base {@code null}) are the render's own variables. Jinjava applies a
   * filter ({@code x | trim}) or a test ({@code x is defined}) as a call of its {@code filter} or
   * {@code evaluate}: those calls, and no other of theirs, go on.
   */
  static final class Resolver extends ELResolver {

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
      refuse(context, base, property);
      return null;
    }

    @Override
    public Object invoke(
        ELContext context, Object base, Object method, Class<?>[] types, Object[] params) {
      refuse(context, base, method);
      return null;
    }

    private static void refuse(ELContext context, Object base, Object name) {
      if (base == null || filterOrTest(base, name)) {
        return;
      }
      if (!reachable(base) || FORBIDDEN_NAMES.contains(String.valueOf(name))) {
        context.setPropertyResolved(true);
        throw new Refused(
            "'"
                + name
                + "' of a "
                + base.getClass().getSimpleName()
                + " is out of reach: a chat template may use only mappings, lists, strings,"
                + " numbers, booleans and its loop");
      }
    }

    /** Jinjava's own call of a filter or test (it looks the name up as a property first). */
    private static boolean filterOrTest(Object base, Object name) {
      return base instanceof Filter
          ? "filter".equals(name)
          : base instanceof ExpTest && ("evaluate".equals(name) || "evaluateNegated".equals(name));
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
      refuse(context, base, property);
      return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
      refuse(context, base, property);
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
      refuse(context, base, property);
      return false;
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

  /** A property or call the sandbox refused; its message is for the user as it is. */
  static final class Refused extends ELException {
    Refused(String message) {
      super(message);
    }
  }

  /**
   * Why {@code source} is refused before it is parsed, or {@code null}: it names Jinjava's
   * interpreter, which no chat template needs (the resolver keeps what it reaches out of reach when
   * the name is built at run time).
   */
  static String refusedSource(String source) {
    return source.contains(ExtendedParser.INTERPRETER)
        ? "it names Jinjava's interpreter ("
            + ExtendedParser.INTERPRETER
            + "), which a chat template may not use"
        : null;
  }

  /**
   * Finds no template: {@code include}, {@code import}, {@code from} and {@code extends} fail
   * rather than read a file or a classpath resource.
   */
  static final class NoResources implements ResourceLocator {

    @Override
    public String getString(String name, Charset encoding, JinjavaInterpreter interpreter)
        throws ResourceNotFoundException {
      throw new ResourceNotFoundException(
          "a chat template may not include, import or extend another template ('" + name + "')");
    }
  }
}
