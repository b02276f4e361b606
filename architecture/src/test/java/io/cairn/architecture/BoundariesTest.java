package io.cairn.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The boundaries of docs/architecture.md over every module's production classes. */
class BoundariesTest {
    static final String ROOT = "io.cairn";

    static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // This module's own classes (the rules and the deliberately bad fixture) are not cairn.
                .withImportOption(location -> !location.contains("/io/cairn/architecture/"))
                .importPackages(ROOT);
    }

    @Test
    @DisplayName("the import sees every module, so no rule passes for want of classes")
    void seesEveryModule() {
        for (String c : List.of(
                "io.cairn.repository.Repository",
                "io.cairn.repository.chunk.Zstd",
                "io.cairn.vixmntbridge.vmdk.VmdkDisks",
                "io.cairn.vixmntbridge.vddk.VddkLibrary",
                "io.cairn.mount.fuse.CairnFuse",
                "io.cairn.vsphere.inventory.Inventory",
                "io.cairn.httpui.UiServer",
                "io.cairn.cli.Main")) {
            assertTrue(classes.contain(c), c + " was not imported");
        }
        assertTrue(classes.stream().noneMatch(c -> c.getPackageName().startsWith("io.cairn.architecture")));
    }

    @TestFactory
    @DisplayName("every boundary holds")
    Stream<DynamicTest> boundaries() {
        return Boundaries.all(ROOT).stream().map(rule -> dynamicTest(rule.getDescription(), () -> rule.check(classes)));
    }
}
