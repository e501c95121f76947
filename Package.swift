// swift-tools-version: 6.1
import PackageDescription

/// Settings every target of ours shares: Swift 6 mode is the default for tools-version 6,
/// plus the upcoming features that keep imports and existentials explicit.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "lighter-mm",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lighter-mm", targets: ["lighter-mm"]),
        .library(name: "MarketCore", targets: ["MarketCore"]),
        .library(name: "Quant", targets: ["Quant"]),
        .library(name: "Trading", targets: ["Trading"]),
        .library(name: "LighterCrypto", targets: ["LighterCrypto"]),
        .library(name: "Lighter", targets: ["Lighter"]),
        .library(name: "Parquet", targets: ["Parquet"]),
        .library(name: "Simulation", targets: ["Simulation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-numerics.git", from: "1.1.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
    ],
    targets: [
        // MARK: Core libraries
        .target(name: "MarketCore", swiftSettings: strictSettings),
        .target(
            name: "Quant",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Trading",
            dependencies: ["MarketCore", "Quant", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),

        .target(
            name: "Simulation",
            dependencies: [
                "MarketCore", "Trading", "Quant", "Lighter", "LighterCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Lighter protocol
        .target(name: "LighterCrypto", swiftSettings: strictSettings),
        .target(
            name: "StreamSupport",
            dependencies: [
                "MarketCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "WSClient", package: "swift-websocket"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Lighter",
            dependencies: [
                "LighterCrypto", "MarketCore", "Trading", "StreamSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "WSClient", package: "swift-websocket"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Binance
        .target(
            name: "Binance",
            dependencies: [
                "MarketCore", "Trading", "StreamSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "WSClient", package: "swift-websocket"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Storage
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]
        ),
        .target(name: "Parquet", dependencies: ["CZstd"], swiftSettings: strictSettings),

        .target(
            name: "Recorder",
            dependencies: [
                "MarketCore", "Parquet", "Lighter", "Binance",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Configuration
        .target(
            name: "AppConfig",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),

        // MARK: The program
        .executableTarget(
            name: "lighter-mm",
            dependencies: [
                "AppConfig", "MarketCore", "Quant", "Trading", "Simulation", "LighterCrypto", "Lighter", "Binance",
                "Parquet", "Recorder", "Calibration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Tests
        .testTarget(name: "AppConfigTests", dependencies: ["AppConfig"], swiftSettings: strictSettings),
        .testTarget(name: "MarketCoreTests", dependencies: ["MarketCore"], swiftSettings: strictSettings),
        .testTarget(name: "QuantTests", dependencies: ["Quant"], swiftSettings: strictSettings),
        .testTarget(
            name: "TradingTests",
            dependencies: ["Trading", "MarketCore", "Quant", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "SimulationTests",
            dependencies: [
                "Simulation", "Trading", "MarketCore", "Quant", "Lighter", "LighterCrypto", "lighter-mm",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "RecorderTests",
            dependencies: [
                "Recorder", "Parquet", "MarketCore", "Lighter", "Binance", "Simulation", "TestServers",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "BinanceTests",
            dependencies: [
                "Binance", "MarketCore", "Trading", "Quant", "TestServers",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "LighterCryptoTests", dependencies: ["LighterCrypto"], swiftSettings: strictSettings),
        .testTarget(
            name: "LighterTests",
            dependencies: [
                "Lighter", "LighterCrypto", "MarketCore", "Trading", "TestServers",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet"], swiftSettings: strictSettings),
        .target(
            name: "TestServers",
            dependencies: [
                "MarketCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Tests/TestServers",
            swiftSettings: strictSettings
        ),
        .target(name: "Calibration", dependencies: ["Quant", "Simulation", "Parquet", "Recorder", "MarketCore", "Trading"], swiftSettings: strictSettings),
        .testTarget(name: "CalibrationTests", dependencies: ["Calibration", "Quant", "Simulation", "MarketCore", "Trading"], swiftSettings: strictSettings),
    ]
)
