package io.cairn.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.List;

/**
 * The boundaries of {@code docs/architecture.md}, as ArchUnit rules over the project's packages.
 *
 * <p>Each rule is a function of the project's root package ({@code io.cairn}), so the same rules run
 * over the real classes ({@link BoundariesTest}) and over a miniature project of deliberately bad
 * classes under {@code io.cairn.architecture.fixture} ({@link BrokenBoundariesTest}), which shows that
 * breaking a rule fails it. Third-party packages are absolute.
 */
final class Boundaries {
    private Boundaries() {}

    /** zstd-jni behind one wrapper: everything else sees cairn's own codec. */
    static ArchRule zstdOnlyInItsWrapper(String root) {
        return noClasses()
                .that(DescribedPredicate.not(classOrNested(root + ".repository.chunk.Zstd")))
                .should()
                .dependOnClassesThat()
                .resideInAPackage("com.github.luben.zstd..")
                .as("only " + root + ".repository.chunk.Zstd uses zstd-jni (com.github.luben.zstd)");
    }

    /** Bouncy Castle behind the one class that derives keys with it. */
    static ArchRule bouncyCastleOnlyInScrypt(String root) {
        return noClasses()
                .that(DescribedPredicate.not(classOrNested(root + ".repository.crypto.Scrypt")))
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.bouncycastle..")
                .as("only " + root + ".repository.crypto.Scrypt uses Bouncy Castle (org.bouncycastle)");
    }

    /** JNA only in the VDDK and VixMntapi binding packages (their raw bindings and their drivers). */
    static ArchRule jnaOnlyInTheVddkBindings(String root) {
        return noClasses()
                .that()
                .resideOutsideOfPackages(root + ".vixmntbridge.vddk..", root + ".vixmntbridge.mntapi..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("com.sun.jna..")
                .as("only the VDDK and VixMntapi binding packages (" + root + ".vixmntbridge.vddk.., .mntapi..)"
                        + " use JNA (com.sun.jna)");
    }

    /**
     * The raw bindings ({@code *.jna}) only through their drivers: {@code vddk.jna} from {@code vddk}
     * (and {@code mntapi}, which reuses its base types), {@code mntapi.jna} from {@code mntapi}.
     */
    static ArchRule rawBindingsOnlyThroughTheirDrivers(String root) {
        String vddk = root + ".vixmntbridge.vddk";
        String mntapi = root + ".vixmntbridge.mntapi";
        return CompositeArchRule.of(noClasses()
                        .that()
                        .resideOutsideOfPackages(vddk + "..", mntapi + "..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAPackage(vddk + ".jna.."))
                .and(noClasses()
                        .that()
                        .resideOutsideOfPackage(mntapi + "..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAPackage(mntapi + ".jna.."))
                .as("the raw bindings are used only by their drivers: " + vddk + ".jna by vddk (and mntapi)," + " "
                        + mntapi + ".jna by mntapi");
    }

    /** jnr-fuse and jnr-ffi only in the FUSE adapter. */
    static ArchRule jnrOnlyInTheFuseAdapter(String root) {
        return noClasses()
                .that()
                .resideOutsideOfPackage(root + ".mount.fuse..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("ru.serce.jnrfuse..", "jnr..", "com.kenai.jffi..")
                .as("only the FUSE adapter (" + root + ".mount.fuse) uses jnr-fuse and jnr-ffi");
    }

    /** The vSphere API only inside the vsphere module. */
    static ArchRule vim25OnlyInVsphere(String root) {
        return noClasses()
                .that()
                .resideOutsideOfPackage(root + ".vsphere..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("com.vmware.vim25..")
                .as("only " + root + ".vsphere.. uses the vSphere API (com.vmware.vim25)");
    }

    /** The AWS SDK only in the object store's package: the rest of cairn sees a {@code Store}. */
    static ArchRule awsSdkOnlyInTheS3Store(String root) {
        return noClasses()
                .that()
                .resideOutsideOfPackage(root + ".s3..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("software.amazon.awssdk..")
                .as("only the object store (" + root + ".s3..) uses the AWS SDK (software.amazon.awssdk)");
    }

    /** The disk layer reads and writes disks; it does not know where backups are kept. */
    static ArchRule diskLayerDoesNotKnowTheRepository(String root) {
        return noClasses()
                .that()
                .resideInAPackage(root + ".vixmntbridge..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(root + ".repository..")
                .as("the disk layer (" + root + ".vixmntbridge..) does not use the repository");
    }

    /**
     * The bottom of the repository's stack (store → chunks → index → manifest → engine): the store
     * knows bytes by key, its errors and the format's names, nothing above it.
     */
    static ArchRule storeIsTheBottom(String root) {
        String repo = root + ".repository";
        return noClasses()
                .that()
                .resideInAPackage(repo + ".store..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        repo,
                        repo + ".chunk..",
                        repo + ".crypto..",
                        repo + ".index..",
                        repo + ".manifest..",
                        repo + ".lock..",
                        repo + ".backup..",
                        repo + ".maintenance..",
                        repo + ".job..")
                .as("the store (" + repo + ".store) uses nothing of the repository above it (only error, format)");
    }

    /** The engines are below the use cases and the front-ends, never the other way round. */
    static ArchRule enginesDoNotKnowTheLayersAbove(String root) {
        return noClasses()
                .that()
                .resideInAnyPackage(
                        root + ".repository..",
                        root + ".s3..",
                        root + ".vixmntbridge..",
                        root + ".vsphere..",
                        root + ".mount..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(root + ".cli..", root + ".httpui..", root + ".operations..")
                .as("the engines (repository, s3, vixmntbridge, vsphere, mount) use neither the front-ends"
                        + " (cli, httpui) nor the operations layer");
    }

    /** The two front-ends are siblings: the web UI does not call into the command line. */
    static ArchRule webUiDoesNotUseTheCommandLine(String root) {
        return noClasses()
                .that()
                .resideInAPackage(root + ".httpui..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(root + ".cli..")
                .as("the web UI (" + root + ".httpui..) does not use the command line (" + root + ".cli..)");
    }

    /** Every package of the project is a node of a one-way graph. */
    static ArchRule noPackageCycles(String root) {
        return slices().matching(root + ".(**)").should().beFreeOfCycles().as("no package cycles below " + root);
    }

    /** Every rule above, in the order of docs/architecture.md. */
    static List<ArchRule> all(String root) {
        return List.of(
                zstdOnlyInItsWrapper(root),
                bouncyCastleOnlyInScrypt(root),
                jnaOnlyInTheVddkBindings(root),
                rawBindingsOnlyThroughTheirDrivers(root),
                jnrOnlyInTheFuseAdapter(root),
                vim25OnlyInVsphere(root),
                awsSdkOnlyInTheS3Store(root),
                diskLayerDoesNotKnowTheRepository(root),
                storeIsTheBottom(root),
                enginesDoNotKnowTheLayersAbove(root),
                webUiDoesNotUseTheCommandLine(root),
                noPackageCycles(root));
    }

    // ---- predicates ----

    /** The class {@code name} and the classes nested in it (lambdas, inner records, anonymous classes). */
    private static DescribedPredicate<JavaClass> classOrNested(String name) {
        return DescribedPredicate.describe(
                name + " or a class nested in it",
                c -> c.getName().equals(name) || c.getName().startsWith(name + "$"));
    }
}
