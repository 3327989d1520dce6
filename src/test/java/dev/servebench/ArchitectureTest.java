package dev.servebench;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the packages pointing one way (docs/architecture.md): each may use only those listed below
 * it. The check reads the compiled main classes, so a dependency through a fully qualified name or
 * a lambda counts as much as an import.
 */
class ArchitectureTest {

  /** Highest first; a package may depend on any package after it, never on one before it. */
  static final List<String> LAYERS =
      List.of(
          "cli",
          "run",
          "mock",
          "report",
          "engine",
          "metrics",
          "endpoint",
          "schedule",
          "dataset",
          "record",
          "tokenizer",
          "exposition",
          "config",
          "error");

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("dev.servebench");
  }

  @Test
  void everyPackageIsInTheLayering() {
    List<String> packages =
        main.stream()
            .map(JavaClass::getPackageName)
            .distinct()
            .map(name -> name.substring("dev.servebench.".length()).split("\\.")[0])
            .distinct()
            .toList();
    assertThat(LAYERS)
        .as("a new package needs its place in LAYERS and in docs/architecture.md")
        .containsAll(packages);
  }

  @Test
  void noPackageUsesOneAboveIt() {
    var architecture = layeredArchitecture().consideringOnlyDependenciesInLayers();
    for (String layer : LAYERS) {
      architecture = architecture.layer(layer).definedBy("dev.servebench." + layer + "..");
    }
    for (int i = 0; i < LAYERS.size(); i++) {
      String layer = LAYERS.get(i);
      List<String> above = LAYERS.subList(0, i);
      architecture =
          above.isEmpty()
              ? architecture.whereLayer(layer).mayNotBeAccessedByAnyLayer()
              : architecture
                  .whereLayer(layer)
                  .mayOnlyBeAccessedByLayers(above.toArray(String[]::new));
    }
    ArchRule rule = architecture;
    rule.check(main);
  }

  @Test
  void packagesHaveNoCycles() {
    slices().matching("dev.servebench.(*)..").should().beFreeOfCycles().check(main);
  }
}
