// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "KnowHow",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "knowhow", targets: ["knowhow"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The domain: model, query language, ranking, services, errors. Foundation only.
        .target(name: "KnowHowCore"),
        // The store on GRDB + FTS5.
        .target(
            name: "KnowHowSQLite",
            dependencies: [
                "KnowHowCore", .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the one loop that steps over every term instance (+RankLists).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]),
        // GNU readline, linked from the system (libreadline-dev).
        .systemLibrary(name: "CReadline", providers: [.apt(["libreadline-dev"])]),
        // Commands (one-shot and shell), line reader, completion, rendering.
        .target(
            name: "KnowHowShell",
            dependencies: [
                "KnowHowCore", "CReadline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]),
        // Compiles Data/community.json into the executable, so `--demo` needs no file at run time.
        .plugin(name: "EmbedDemo", capability: .buildTool()),
        // The executable, the composition root: opens the store (`--db`, `--demo`) and hands it to
        // the front end. Dependencies point inward: knowhow → KnowHowShell → KnowHowCore ← KnowHowSQLite.
        .executableTarget(name: "knowhow", dependencies: ["KnowHowShell", "KnowHowSQLite", "KnowHowCore"],
                          swiftSettings: [.swiftLanguageMode(.v5)],
                          plugins: ["EmbedDemo"]),
        // Benchmarks: a program, not a test (see README).
        .executableTarget(
            name: "knowhow-bench",
            dependencies: ["KnowHowCore", "KnowHowSQLite", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "KnowHowCoreTests", dependencies: ["KnowHowCore"]),
        .testTarget(name: "KnowHowSQLiteTests", dependencies: ["KnowHowSQLite", "KnowHowCore"]),
        // The behaviours every store must have, run on each store (see ContractStores.swift).
        .testTarget(name: "KnowHowStoreContractTests", dependencies: ["KnowHowCore", "KnowHowSQLite"]),
        .testTarget(
            name: "KnowHowShellTests",
            dependencies: ["KnowHowShell", "KnowHowSQLite", "KnowHowCore", "knowhow"],
            exclude: ["Transcripts", "Fixtures"],
            swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)
