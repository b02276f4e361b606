package io.cairn.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.ViolationHandler;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Breaking a rule fails it: the rules of {@link Boundaries} over the deliberately bad miniature project
 * in {@code io.cairn.architecture.fixture}, each reporting exactly the classes that break it and not
 * the ones that keep it (the zstd wrapper, the raw bindings and their driver, the FUSE adapter,
 * vsphere's own use of vim25).
 */
class BrokenBoundariesTest {
    static final String ROOT = "io.cairn.architecture.fixture";

    static JavaClasses fixture;

    @BeforeAll
    static void importFixture() {
        fixture = new ClassFileImporter().importPackages(ROOT);
        assertTrue(fixture.size() >= 19, "fixture classes: " + fixture.size());
    }

    /** The classes (top level, below ROOT) whose dependencies break {@code rule}. */
    private static Set<String> violators(ArchRule rule) {
        EvaluationResult result = rule.evaluate(fixture);
        assertTrue(result.hasViolation(), rule.getDescription() + " found nothing");
        Set<String> origins = new TreeSet<>();
        result.handleViolations(new ViolationHandler<Dependency>() {
            @Override
            public void handle(Collection<Dependency> violating, String message) {
                for (Dependency d : violating) {
                    String name = d.getOriginClass().getName().substring(ROOT.length() + 1);
                    origins.add(name.contains("$") ? name.substring(0, name.indexOf('$')) : name);
                }
            }
        });
        // check() is what the build runs: it must throw for the same rule.
        assertThrows(AssertionError.class, () -> rule.check(fixture));
        return origins;
    }

    @Test
    @DisplayName("zstd-jni outside its wrapper is reported, the wrapper is not")
    void zstd() {
        assertEquals(Set.of("repository.store.RawCompression"), violators(Boundaries.zstdOnlyInItsWrapper(ROOT)));
    }

    @Test
    @DisplayName("Bouncy Castle outside Scrypt is reported, Scrypt is not")
    void bouncyCastle() {
        assertEquals(Set.of("httpui.auth.PasswordHash"), violators(Boundaries.bouncyCastleOnlyInScrypt(ROOT)));
    }

    @Test
    @DisplayName("JNA outside the VDDK bindings is reported, the bindings and their driver are not")
    void jna() {
        assertEquals(Set.of("mount.image.NativeImage"), violators(Boundaries.jnaOnlyInTheVddkBindings(ROOT)));
    }

    @Test
    @DisplayName("a raw binding used by anything but its driver is reported")
    void rawBindings() {
        assertEquals(
                Set.of("mount.image.NativeImage", "vixmntbridge.vddk.Driver"),
                violators(Boundaries.rawBindingsOnlyThroughTheirDrivers(ROOT)));
    }

    @Test
    @DisplayName("jnr-fuse outside the FUSE adapter is reported, the adapter is not")
    void jnr() {
        assertEquals(Set.of("repository.backup.FuseShortcut"), violators(Boundaries.jnrOnlyInTheFuseAdapter(ROOT)));
    }

    @Test
    @DisplayName("vim25 outside vsphere is reported, vsphere is not")
    void vim25() {
        assertEquals(Set.of("mount.tree.VcenterNames"), violators(Boundaries.vim25OnlyInVsphere(ROOT)));
    }

    @Test
    @DisplayName("the AWS SDK outside the s3 store is reported, the store is not")
    void awsSdk() {
        assertEquals(Set.of("operations.DirectBucket"), violators(Boundaries.awsSdkOnlyInTheS3Store(ROOT)));
    }

    @Test
    @DisplayName("the disk layer using the repository is reported")
    void diskLayer() {
        assertEquals(
                Set.of("vixmntbridge.engine.RepositoryOutput"),
                violators(Boundaries.diskLayerDoesNotKnowTheRepository(ROOT)));
    }

    @Test
    @DisplayName("the store using the repository above it is reported")
    void storeBottom() {
        assertEquals(Set.of("repository.store.RawCompression"), violators(Boundaries.storeIsTheBottom(ROOT)));
    }

    @Test
    @DisplayName("an engine using a front-end or the operations layer is reported")
    void enginesBelow() {
        assertEquals(
                Set.of("repository.maintenance.CliReport", "vsphere.backup.ScheduledBackup"),
                violators(Boundaries.enginesDoNotKnowTheLayersAbove(ROOT)));
    }

    @Test
    @DisplayName("the web UI using the command line is reported")
    void webUi() {
        assertEquals(Set.of("httpui.Pages"), violators(Boundaries.webUiDoesNotUseTheCommandLine(ROOT)));
    }

    @Test
    @DisplayName("a package cycle is reported with the packages on it")
    void cycles() {
        ArchRule rule = Boundaries.noPackageCycles(ROOT);
        EvaluationResult result = rule.evaluate(fixture);
        assertTrue(result.hasViolation());
        String report = String.join("\n", result.getFailureReport().getDetails());
        assertTrue(report.contains("Cycle detected: Slice repository -> \n"), report);
        assertTrue(report.contains("RawCompression") && report.contains("FixtureRepository"), report);
        assertEquals(1, result.getFailureReport().getDetails().size(), report); // only that one cycle
        assertThrows(AssertionError.class, () -> rule.check(fixture));
    }
}
