// swift-tools-version: 6.2
import PackageDescription

// One target per part; docs/architecture.md draws how they depend on each other and the rules
// scripts/check-architecture enforces (the device side never links the store's modules).
let package = Package(
    name: "snapdepot",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "snapdepot", targets: ["snapdepot"]),
        .executable(name: "snapdepot-bench", targets: ["SnapdepotBench"]),
        .library(name: "Assertions", targets: ["Assertions"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // Without its default traits Hummingbird leaves swift-configuration out of the build.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Named for the HTTP/1 codec that downloads write their file regions beneath (sendfile).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        // Reads and writes that retry on EINTR and finish short counts (`FileDescriptor.writeAll`).
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The catalogue of replicas that share one database (`serve --database postgres://…`).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(name: "CLZMA", providers: [.apt(["liblzma-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "DepotCrypto",
            dependencies: ["COpenSSL", .product(name: "SystemPackage", package: "swift-system")]
        ),
        // Starting other programs (tar, hooks, openssl, nginx) with a clean signal mask and a timeout.
        .target(name: "ChildProcesses"),
        .target(
            name: "SnapFiles",
            dependencies: [
                "Assertions", "ChildProcesses", "DepotCrypto", "CLZMA", "CZlib",
                .product(name: "Yams", package: "Yams"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "Assertions",
            dependencies: ["DepotCrypto", .product(name: "SystemPackage", package: "swift-system")]
        ),
        .target(
            name: "StoreProtocol",
            dependencies: ["SnapFiles"]
        ),
        .target(
            name: "StoreCore",
            dependencies: ["Assertions", "DepotCrypto", "SnapFiles", "StoreProtocol"]
        ),
        .target(
            name: "DeviceAgent",
            dependencies: [
                "Assertions", "ChildProcesses", "DepotCrypto", "SnapFiles", "StoreProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The fleet simulator: many DeviceAgents in one process, driven by a scenario.
        .target(
            name: "FleetSimulator",
            dependencies: [
                "Assertions", "DeviceAgent", "SnapFiles", "StoreProtocol", .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "StorePersistence",
            dependencies: [
                "StoreCore", "Assertions", "DepotCrypto", "SnapFiles",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(
            name: "StoreHTTP",
            dependencies: [
                "StoreCore", "StoreProtocol", "Assertions", "DepotCrypto", "SnapFiles",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ]
        ),
        .target(
            name: "SnapdepotCLI",
            dependencies: [
                "Assertions",
                "ChildProcesses",
                "DepotCrypto",
                "DeviceAgent",
                "FleetSimulator",
                "SnapFiles",
                "StoreCore",
                "StoreProtocol",
                "StorePersistence",
                "StoreHTTP",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "snapdepot",
            dependencies: ["SnapdepotCLI"]
        ),
        // Load generators and benchmark seeding stay out of the product CLI.
        .executableTarget(
            name: "SnapdepotBench",
            dependencies: [
                "Assertions", "ChildProcesses", "DepotCrypto", "DeviceAgent", "SnapFiles", "SnapdepotCLI", "StoreCore",
                "StoreHTTP",
                "StorePersistence", "StoreProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: ["ChildProcesses"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "ChildProcessesTests",
            dependencies: ["ChildProcesses"]
        ),
        .testTarget(
            name: "DepotCryptoTests",
            dependencies: ["DepotCrypto"]
        ),
        .testTarget(
            name: "AssertionsTests",
            dependencies: ["Assertions", "DepotCrypto", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "SnapFilesTests",
            dependencies: ["SnapFiles", "DepotCrypto", "TestSupport"]
        ),
        .testTarget(
            name: "StoreProtocolTests",
            dependencies: ["StoreProtocol", "SnapFiles"]
        ),
        .testTarget(
            name: "DeviceAgentTests",
            dependencies: ["DeviceAgent", "Assertions", "SnapFiles", "TestSupport"]
        ),
        .testTarget(
            name: "FleetSimulatorTests",
            dependencies: ["FleetSimulator"]
        ),
        .testTarget(
            name: "StoreCoreTests",
            dependencies: ["StoreCore", "StoreProtocol", "Assertions", "DepotCrypto", "TestSupport"]
        ),
        .target(
            name: "StoreTestSupport",
            dependencies: [
                "StoreCore", "StorePersistence", "Assertions", "ChildProcesses", "SnapFiles", "TestSupport",
            ],
            path: "Tests/StoreTestSupport"
        ),
        .testTarget(
            name: "StorePersistenceTests",
            dependencies: [
                "StorePersistence", "StoreCore", "StoreProtocol", "Assertions", "SnapFiles",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The store's services on a real SQLite catalogue and blob folder.
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "StoreCore", "StoreProtocol", "StorePersistence", "Assertions", "SnapFiles", "TestSupport",
                "StoreTestSupport",
            ]
        ),
        // The router in process, through Hummingbird's testing client.
        .testTarget(
            name: "StoreHTTPTests",
            dependencies: [
                "StoreHTTP", "StoreCore", "StoreProtocol", "StoreTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        // Real processes: `snapdepot serve`, the CLI, snapd's own code and craft-store against them.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "StoreCore", "StoreProtocol", "StorePersistence", "Assertions", "SnapFiles", "TestSupport",
                "StoreTestSupport", "DeviceAgent", "snapdepot", "SnapdepotBench", "ChildProcesses",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "SnapdepotCLITests",
            dependencies: ["SnapdepotCLI", "Assertions", "SnapFiles", "TestSupport", "snapdepot"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Coverage-guided fuzzing of the parsers (fuzz/run): built only when SNAPDEPOT_FUZZ is set, with
// `-sanitize=fuzzer,address`, whose libFuzzer supplies `main`; the normal build never sees it.
if Context.environment["SNAPDEPOT_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "SnapdepotFuzz",
            dependencies: ["Assertions", "SnapFiles", "StoreProtocol", "StoreCore"],
            path: "fuzz/Sources/SnapdepotFuzz",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ))
}
