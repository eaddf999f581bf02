// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "finality",
    // Linux only (Debian 12 and later): the engine uses Linux's /proc, open-file-description
    // locks and Glibc, the adapter ncursesw. SwiftPM's `platforms:` can only name Apple
    // platforms' minimum versions, so Linux is declared by naming none (a `.macOS` line
    // here claimed a platform this package never builds on).
    products: [
        .executable(name: "finality", targets: ["finality"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/attaswift/BigInt.git", from: "6.0.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // C libraries from Debian, through system-library targets.
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib",
            pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CNcursesw", path: "Sources/CNcursesw",
            pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        // SHA-256 from the system's libcrypto (libssl3 at run time): swift-crypto compiled
        // all of BoringSSL (373 of 390 compile steps of a fresh build) for this one hash.
        .systemLibrary(
            name: "CLibcrypto", path: "Sources/CLibcrypto",
            pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // BLS12-381 G1 arithmetic on fixed-width limbs: point checks, Montgomery form.
        .target(name: "BLS12381"),

        // The file-format module: bytes in, bytes out. No terminal, no disk policy.
        .target(name: "FinalityFormat", dependencies: ["BLS12381", "CZlib"]),

        // The recovery engine: LIB sources, plans and diffs, interlocks, atomic apply,
        // backups, audit records.
        .target(
            name: "FinalityEngine",
            dependencies: [
                "FinalityFormat", "BLS12381", "CLibcrypto",
                .product(name: "SystemPackage", package: "swift-system"),
            ]),

        // What the project's own writers make for trying the tool and for tests, never read
        // by a command on a real node: the demo data dir (`finality demo`) and blocks logs of
        // made-up chains. Shared by the executable's `demo`, `finality-fixtures` and the tests.
        .target(
            name: "FinalitySamples",
            dependencies: [
                "FinalityFormat", "FinalityEngine", "BLS12381",
                .product(name: "SystemPackage", package: "swift-system"),
            ]),

        // The pure interface core: state, update, render into a cell grid, effects as data.
        // No I/O: it imports no Foundation or Glibc (a test reads its sources to keep it so)
        // and uses only the engine's value types; member visibility is strict so nothing
        // reaches it through another module's imports.
        .target(
            name: "FinalityInterface", dependencies: ["FinalityFormat", "FinalityEngine"],
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]),

        // The effect runner: performs the core's effects with the engine (disks, processes,
        // networks) and answers with messages. Outside the core's module.
        .target(
            name: "FinalityRunner",
            dependencies: [
                "FinalityInterface", "FinalityEngine", "FinalityFormat", .product(name: "SystemPackage", package: "swift-system"),
            ]),

        // The one ncurses adapter: copies the grid to the screen, turns bytes into keys.
        // It knows the interface core and ncurses, nothing else.
        .target(name: "FinalityCurses", dependencies: ["FinalityInterface", "CNcursesw"]),

        // The thin executable: wires the command line, the engine, the runner and the adapter.
        .executableTarget(
            name: "finality",
            dependencies: [
                "FinalityFormat", "FinalityEngine", "FinalityInterface", "FinalityRunner", "FinalityCurses", "FinalitySamples",
                "CLibcrypto", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Benchmark (prints figures; not a test) and the fixture generator.
        .executableTarget(
            name: "finality-bench",
            dependencies: ["FinalityFormat", "FinalityEngine", "FinalityInterface", "BLS12381"]),
        .executableTarget(
            name: "finality-fixtures",
            dependencies: ["FinalityFormat", "FinalityEngine", "FinalitySamples", "BLS12381"]),

        // Every helper the tests use, in one place (Tests/Support): documented inputs
        // (Fixture, ScreenFixture, Damage), data dirs and temp paths, the built binary,
        // tmux, child processes, independent oracles, and what a test needs (RequiredTools:
        // skipped outside CI, failed under CI=true). Test targets hold tests only, in
        // folders beside their sources' (PackageShapeTests checks both).
        .target(
            name: "FinalityTestSupport",
            dependencies: ["FinalityFormat", "FinalityEngine", "FinalitySamples", "FinalityInterface", "BLS12381"],
            path: "Tests/Support"),

        .testTarget(
            name: "BLS12381Tests",
            dependencies: ["BLS12381", "FinalityTestSupport", .product(name: "BigInt", package: "BigInt")]),
        .testTarget(
            name: "FinalityFormatTests",
            dependencies: [
                "FinalityFormat", "BLS12381", "FinalityTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(
            name: "FinalityEngineTests",
            dependencies: ["FinalityEngine", "FinalityFormat", "FinalitySamples", "BLS12381", .product(name: "SystemPackage", package: "swift-system"), "FinalityTestSupport", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(
            name: "FinalityInterfaceTests",
            dependencies: ["FinalityInterface", "FinalityRunner", "FinalityEngine", "FinalityFormat", "FinalitySamples", "BLS12381", "FinalityTestSupport"],
            exclude: ["Snapshots"]),
        .testTarget(
            name: "FinalityRunnerTests",
            dependencies: [
                "FinalityRunner", "FinalityInterface", "FinalityEngine", "FinalityFormat", "FinalitySamples", "BLS12381",
                "FinalityTestSupport",
            ]),
        .testTarget(
            name: "FinalityCursesTests",
            dependencies: ["FinalityCurses", "FinalityInterface", "FinalityRunner", "FinalityEngine", "FinalityFormat", "FinalitySamples", "FinalityTestSupport"]),
        .testTarget(
            name: "FinalityCLITests",
            dependencies: ["FinalityFormat", "FinalityEngine", "FinalitySamples", "BLS12381", "FinalityInterface", "FinalityRunner", "FinalityTestSupport"]),
        // The package as a whole: the import graph, the tests' layout, the tests' helpers.
        .testTarget(name: "FinalityPackageTests", dependencies: ["FinalityTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
