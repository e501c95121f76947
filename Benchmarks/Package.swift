// swift-tools-version: 6.1
// Benchmarks for lighter-mm, run on demand (never in CI):
//   swift package --package-path Benchmarks benchmark
// One executable target per directory under Benchmarks/; each depends on the root package by path.
import PackageDescription

let package = Package(
    name: "lighter-mm-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "lighter-mm", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // MARK: LighterCrypto: Poseidon2, H5, sign, verify, key derivation; plus the official Go signer via dlopen.
        .executableTarget(
            name: "LighterCryptoBench",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LighterCrypto", package: "lighter-mm"),
                "COfficialSigner",
            ],
            path: "LighterCryptoBench",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // MARK: Simulation: synthetic market, matching engine and whole backtests (events/s).
        .executableTarget(
            name: "SimulationBench",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MarketCore", package: "lighter-mm"),
                .product(name: "Trading", package: "lighter-mm"),
                .product(name: "Simulation", package: "lighter-mm"),
            ],
            path: "SimulationBench",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // MARK: The quoting hot path: book delta, vol+OBI quote, AS quote.
        .executableTarget(
            name: "HotPathBench",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MarketCore", package: "lighter-mm"),
                .product(name: "Quant", package: "lighter-mm"),
                .product(name: "Trading", package: "lighter-mm"),
            ],
            path: "HotPathBench",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // MARK: Parquet: book_top10 write throughput and size against pyarrow (scripts/parquet_bench_pyarrow.py).
        .executableTarget(
            name: "ParquetBench",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Parquet", package: "lighter-mm"),
            ],
            path: "ParquetBench",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // MARK: Lighter wire: update/order_book decode vs JSONDecoder; decode → book → vol+OBI → order decision.
        .executableTarget(
            name: "LighterWireBench",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Lighter", package: "lighter-mm"),
                .product(name: "MarketCore", package: "lighter-mm"),
                .product(name: "Quant", package: "lighter-mm"),
                .product(name: "Trading", package: "lighter-mm"),
            ],
            path: "LighterWireBench",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // MARK: GARCH(1,1) fit on 86 400 returns against Python arch (plain executable: one timed fit per run).
        .executableTarget(
            name: "GARCHBench",
            dependencies: [.product(name: "Quant", package: "lighter-mm")],
            path: "GARCHBench"
        ),
        /// dlopen harness for the official signer shared library (lighter-sdk 1.1.8).
        .target(name: "COfficialSigner", path: "COfficialSigner", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
    ]
)
