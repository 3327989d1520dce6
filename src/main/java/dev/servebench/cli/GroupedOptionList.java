package dev.servebench.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A command's option list in sections under headings ("Endpoint:", "Load shape:", ...), in place of
 * picocli's one long list. Each section names its options by any of their names and lists them in
 * the order the command declares them; an option no section names is listed under "Other:", so that
 * none is ever left out of the help. The options keep their fields where they are: grouping is a
 * matter of the help alone.
 */
final class GroupedOptionList implements CommandLine.IHelpSectionRenderer {

  /** The heading under which options no section names are listed. */
  static final String OTHER = "Other";

  private final Map<String, List<String>> sections;

  /**
   * @param sections each heading (without its colon) with the names of its options, in the order
   *     the headings are shown
   */
  GroupedOptionList(Map<String, List<String>> sections) {
    this.sections = sections;
  }

  /** Replaces the option list (and its heading) of {@code command}'s help with the sections. */
  static void install(CommandLine command, Map<String, List<String>> sections) {
    command
        .getHelpSectionMap()
        .put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST_HEADING, help -> "");
    command
        .getHelpSectionMap()
        .put(
            CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST,
            new GroupedOptionList(sections));
  }

  @Override
  public String render(Help help) {
    Map<String, List<OptionSpec>> grouped = group(help.commandSpec().options());
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, List<OptionSpec>> section : grouped.entrySet()) {
      if (section.getValue().isEmpty()) {
        continue;
      }
      Help.Layout layout = help.createDefaultLayout();
      for (OptionSpec option : section.getValue()) {
        layout.addOption(option, help.parameterLabelRenderer());
      }
      text.append(help.createHeading("%n" + section.getKey() + ":%n")).append(layout);
    }
    return text.toString();
  }

  /** The visible options by section, each once, in the command's order; the rest under Other. */
  Map<String, List<OptionSpec>> group(List<OptionSpec> options) {
    Map<String, List<OptionSpec>> grouped = new LinkedHashMap<>();
    sections.keySet().forEach(heading -> grouped.put(heading, new ArrayList<>()));
    grouped.put(OTHER, new ArrayList<>());
    for (OptionSpec option : options) {
      if (option.hidden()) {
        continue;
      }
      String heading = OTHER;
      for (Map.Entry<String, List<String>> section : sections.entrySet()) {
        if (section.getValue().stream().anyMatch(name -> List.of(option.names()).contains(name))) {
          heading = section.getKey();
          break;
        }
      }
      grouped.get(heading).add(option);
    }
    return grouped;
  }
}
