// swift-tools-version: 6.2
import PackageDescription

/// Settings every Sluice Swift target shares: Swift 6 mode plus the upcoming features that
/// make existential and import use explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
        .library(name: "SluiceLog", targets: ["SluiceLog"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        // C: hardware CRC-32C with a portable fallback (Swift has no CRC intrinsics).
        .target(name: "CSluiceSupport"),
        // System libraries for batch compression, each imported only by SluiceCompression.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .target(name: "SluiceCompression", dependencies: ["CZstd", "CLZ4"], swiftSettings: swiftSettings),
        // The segment log store: knows nothing of MQTT, Kafka clients or SQLite.
        .target(
            name: "SluiceLog",
            dependencies: [
                "CSluiceSupport", "SluiceCompression",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The strict JSON scanner (no allocation, no Foundation), shared by ingest and stream processing.
        .target(name: "SluiceJSON", swiftSettings: swiftSettings),
        // The daemon's configuration file and the device profiles: models and YAML loading.
        .target(
            name: "SluiceConfiguration",
            dependencies: ["SluiceLog", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // libmosquitto, imported only by SluiceMQTT/Mosquitto.
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        // MQTT in: the libmosquitto wrapper, device-profile evaluation and the ingest service.
        .target(
            name: "SluiceMQTT",
            dependencies: [
                "CMosquitto", "SluiceLog", "SluiceConfiguration", "SluiceJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The catalog: SQLite through GRDB (forward cursors, consumer-group offsets, devices).
        .target(
            name: "SluiceCatalog",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // librdkafka, imported only by SluiceUpstream/RDKafka.
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        // Kafka out: the librdkafka wrapper and the forward service.
        .target(
            name: "SluiceUpstream",
            dependencies: [
                "CRdKafka", "SluiceLog", "SluiceCatalog", "SluiceConfiguration",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Kafka-protocol listener on swift-nio: local Kafka clients read (and write) the log,
        // with consumer groups whose offsets live in the catalog.
        .target(
            name: "SluiceKafkaAPI",
            dependencies: [
                "SluiceLog", "SluiceCatalog", "SluiceConfiguration",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The operations HTTP endpoint on swift-nio: Prometheus text (/metrics), /healthz, the
        // status page (/) and its /status.json. Knows nothing of the daemon's parts: it is handed
        // a registry and closures.
        .target(
            name: "SluiceMetrics",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Stream processing between topics (filter, project, deadband, windows), exactly once
        // through checkpoints in the catalog; reads and writes the log, knows no MQTT or Kafka client.
        .target(
            name: "SluiceStreams",
            dependencies: [
                "SluiceLog", "SluiceCatalog", "SluiceConfiguration", "SluiceJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Wires the services of `sluice run`: configuration, log, flusher, ingest, systemd notify.
        .target(
            name: "SluiceServer",
            dependencies: [
                "SluiceLog", "SluiceConfiguration", "SluiceMQTT", "SluiceCatalog", "SluiceUpstream", "SluiceKafkaAPI",
                "SluiceMetrics", .product(name: "Prometheus", package: "swift-prometheus"),
                "SluiceStreams",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Test support: temp dirs, free ports, process launchers for mosquitto and the daemon.
        .target(name: "SluiceTestKit", swiftSettings: swiftSettings),
        .executableTarget(
            name: "sluice",
            dependencies: [
                "SluiceLog", "SluiceConfiguration", "SluiceMQTT", "SluiceServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmarks: run by bench/*.sh in release mode; never part of the tests.
        .executableTarget(
            name: "sluice-bench",
            dependencies: ["SluiceLog", "CSluiceSupport", "SluiceStreams", "SluiceCatalog", "SluiceConfiguration"],
            path: "bench/Sources/sluice-bench",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SluiceCompressionTests", dependencies: ["SluiceCompression"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SluiceLogTests",
            dependencies: ["SluiceLog"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SluiceConfigurationTests", dependencies: ["SluiceConfiguration"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "SluiceMQTTTests", dependencies: ["SluiceMQTT", "SluiceJSON", "SluiceTestKit"], swiftSettings: swiftSettings),
        .testTarget(name: "SluiceJSONTests", dependencies: ["SluiceJSON"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SluiceServerTests",
            dependencies: [
                "SluiceServer", "SluiceConfiguration", "SluiceLog", "SluiceMQTT", "SluiceMetrics",
                .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ], swiftSettings: swiftSettings),
        .testTarget(
            name: "SluiceMetricsTests",
            dependencies: [
                "SluiceMetrics", "SluiceTestKit", .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceKafkaAPITests",
            dependencies: [
                "SluiceKafkaAPI", "SluiceTestKit", "SluiceLog", "SluiceCatalog", "SluiceConfiguration",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceStreamsTests",
            dependencies: ["SluiceStreams", "SluiceLog", "SluiceCatalog", "SluiceConfiguration", "SluiceTestKit"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SluiceCatalogTests", dependencies: ["SluiceCatalog"], swiftSettings: swiftSettings),
        .testTarget(name: "SluiceUpstreamTests", dependencies: ["SluiceUpstream", "SluiceTestKit"], swiftSettings: swiftSettings),
        .testTarget(
            name: "sluiceTests",
            dependencies: ["sluice", "SluiceLog", "SluiceMQTT", "SluiceConfiguration", "SluiceServer", "SluiceTestKit"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
