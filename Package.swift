// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "KnowHow",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "knowhow", targets: ["knowhow"]),
        .executable(name: "knowhow-mcp", targets: ["knowhow-mcp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
        // Only for clients of `knowhow mcp` (tests, bench): the SDK's StdioTransport takes its descriptors.
        .package(url: "https://github.com/apple/swift-system.git", from: "1.0.0"),
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
        // libpq, linked from the system (libpq-dev): connects as psql does (PG* variables, .pgpass, services).
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // The shared store on PostgreSQL (in progress: connection, schema, query renderer, reads).
        .target(name: "KnowHowPostgres", dependencies: ["KnowHowCore", "CLibPQ"]),
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
        // The MCP server: tools, resources and prompts over the Community service.
        .target(
            name: "KnowHowMCP",
            dependencies: ["KnowHowCore", .product(name: "MCP", package: "swift-sdk")]),
        // The composition root's parts: opening a store by path (`--db`) and the demo (`--demo`).
        .target(name: "KnowHowStores", dependencies: ["KnowHowShell", "KnowHowSQLite", "KnowHowPostgres", "KnowHowCore"],
                swiftSettings: [.swiftLanguageMode(.v5)],
                plugins: ["EmbedDemo"]),
        // The executables: open the store and hand it to a front end. Dependencies point inward:
        // knowhow → KnowHowShell, knowhow-mcp → KnowHowMCP; both → KnowHowCore ← KnowHowSQLite.
        // `knowhow mcp` starts knowhow-mcp, so the MCP SDK (and the networking libraries it loads)
        // costs nothing at the start of every other command.
        .executableTarget(name: "knowhow", dependencies: ["KnowHowShell", "KnowHowStores"],
                          swiftSettings: [.swiftLanguageMode(.v5)]),
        .executableTarget(name: "knowhow-mcp", dependencies: ["KnowHowShell", "KnowHowMCP", "KnowHowStores"],
                          swiftSettings: [.swiftLanguageMode(.v5)]),
        // Benchmarks: a program, not a test (see README).
        .executableTarget(
            name: "knowhow-bench",
            dependencies: ["KnowHowCore", "KnowHowSQLite", "KnowHowPostgres", "KnowHowMCP", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "MCP", package: "swift-sdk"), .product(name: "SystemPackage", package: "swift-system")]),
        // Fuzz targets: libFuzzer drives them when built by .ci/fuzz (-sanitize=fuzzer -D FUZZING);
        // a plain build gives a program that replays inputs through the same checks.
        .executableTarget(
            name: "knowhow-fuzz",
            dependencies: [
                "KnowHowCore", "KnowHowSQLite", "KnowHowShell", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "KnowHowCoreTests", dependencies: ["KnowHowCore"]),
        // Drives the built `knowhow mcp` with the SDK's own client.
        .testTarget(
            name: "KnowHowMCPTests",
            dependencies: ["KnowHowCore", "knowhow", "knowhow-mcp", .product(name: "MCP", package: "swift-sdk"),
                           .product(name: "SystemPackage", package: "swift-system")]),
        .testTarget(name: "KnowHowSQLiteTests", dependencies: ["KnowHowSQLite", "KnowHowCore"]),
        // The behaviours every store must have, run on each store (see ContractStores.swift).
        .testTarget(name: "KnowHowStoreContractTests", dependencies: ["KnowHowCore", "KnowHowSQLite", "KnowHowPostgres"]),
        // Needs a server: KNOWHOW_TEST_PG (set by .ci/postgres); without it the server tests are skipped.
        .testTarget(name: "KnowHowPostgresTests", dependencies: ["KnowHowPostgres", "KnowHowCore", "KnowHowSQLite"]),
        .testTarget(
            name: "KnowHowShellTests",
            dependencies: [
                "KnowHowShell", "KnowHowSQLite", "KnowHowCore", "KnowHowStores", "knowhow", "knowhow-fuzz",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Transcripts", "Fixtures"],
            swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)
