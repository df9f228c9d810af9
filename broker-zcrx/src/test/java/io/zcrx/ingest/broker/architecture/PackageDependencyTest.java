package io.zcrx.ingest.broker.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout's rules, checked on the compiled main classes of every module (native-io, protocol,
 * log-store and broker-zcrx are all on this module's test class path). Dependencies run one way, from
 * the lifecycle down to the kernel binding:
 *
 * <pre>
 *   server -> handler, produce, fetch, group -> request -> metadata, runtime, config
 *          -> transport.nio, transport.uring -> transport, transport.outbound -> uring (kernel)
 *          -> nativeio (libc)
 *   broker -> log-store, protocol, nativeio;   log-store -> protocol, nativeio
 * </pre>
 *
 * libc is bound in one package ({@code io.zcrx.ingest.nativeio}), so replacing the binding mechanism
 * stays local: no other class declares a native method or registers a library.
 *
 * ArchUnit reads the class files, so a dependency through a fully qualified name counts as much as
 * an import, and a Javadoc link does not count at all. docs/design.md, "Layout", explains each package.
 */
class PackageDependencyTest {
    private static final String BROKER = "io.zcrx.ingest.broker";
    private static final String NATIVE_IO = "io.zcrx.ingest.nativeio";
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // The other modules arrive as target/classes or as their jars (in a reactor build);
            // their test jars carry test code, which these rules do not govern.
            .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("/test-classes/"))
            .importPackages("io.zcrx.ingest");
    }

    @Test
    void importedEveryModule() {
        // A rule over an empty or partial class set passes vacuously: make sure all four are here.
        assertAll(
            () -> assertTrue(imported(NATIVE_IO), "native-io classes"),
            () -> assertTrue(imported(BROKER + ".server"), "broker-zcrx classes"),
            () -> assertTrue(imported("io.zcrx.ingest.log"), "log-store classes"),
            () -> assertTrue(imported("io.zcrx.ingest.protocol.record"), "protocol classes"),
            () -> assertTrue(classes.stream().noneMatch(c -> c.getSimpleName().endsWith("Test")), "no tests"));
    }

    private static boolean imported(String pkg) {
        return classes.stream().anyMatch(c -> c.getPackageName().equals(pkg));
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.zcrx.ingest.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void kernelBindingKnowsNothingOfTheBroker() {
        noClasses().that().resideInAPackage(BROKER + ".uring..")
            .should().dependOnClassesThat(resideInAPackage("io.zcrx.ingest..")
                .and(not(resideInAnyPackage(BROKER + ".uring..", NATIVE_IO + ".."))))
            .check(classes);
    }

    @Test
    void nativeBindingKnowsNothingOfOurs() {
        noClasses().that().resideInAPackage(NATIVE_IO + "..")
            .should().dependOnClassesThat(resideInAPackage("io.zcrx.ingest..")
                .and(not(resideInAPackage(NATIVE_IO + ".."))))
            .check(classes);
    }

    @Test
    void onlyTheNativeBindingDeclaresNativeMethods() {
        noMethods().that().areDeclaredInClassesThat().resideOutsideOfPackage(NATIVE_IO + "..")
            .should().haveModifier(JavaModifier.NATIVE)
            .check(classes);
    }

    @Test
    void onlyTheNativeBindingRegistersLibraries() {
        noClasses().that().resideOutsideOfPackage(NATIVE_IO + "..")
            .should().callMethodWhere(target(name("register")).and(target(owner(assignableTo(Native.class)))))
            .check(classes);
    }

    @Test
    void metricsKnowNothingOfTheBroker() {
        // Every layer records metrics, so the metrics package must sit below all of them.
        noClasses().that().resideInAPackage(BROKER + ".metrics..")
            .should().dependOnClassesThat(resideInAPackage("io.zcrx.ingest..")
                .and(not(resideInAPackage(BROKER + ".metrics.."))))
            .check(classes);
    }

    @Test
    void transportsKnowNothingOfKafkaRequests() {
        noClasses().that().resideInAPackage(BROKER + ".transport..")
            .should().dependOnClassesThat().resideInAnyPackage(BROKER + ".server..", BROKER + ".request..",
                BROKER + ".produce..", BROKER + ".fetch..", BROKER + ".group..", BROKER + ".handler..",
                BROKER + ".metadata..", "io.zcrx.ingest.log..")
            .check(classes);
    }

    @Test
    void onlyTheLifecycleKnowsTheServerPackage() {
        noClasses().that().resideOutsideOfPackages(BROKER + ".server..", BROKER)
            .should().dependOnClassesThat().resideInAPackage(BROKER + ".server..")
            .check(classes);
    }

    @Test
    void lowerModulesKnowNothingOfTheBroker() {
        noClasses().that().resideInAnyPackage("io.zcrx.ingest.log..", "io.zcrx.ingest.protocol..")
            .should().dependOnClassesThat().resideInAPackage(BROKER + "..")
            .check(classes);
        noClasses().that().resideInAPackage("io.zcrx.ingest.protocol..")
            .should().dependOnClassesThat().resideInAPackage("io.zcrx.ingest.log..")
            .check(classes);
    }
}
