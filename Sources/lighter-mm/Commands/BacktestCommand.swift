import AppConfig
import ArgumentParser
import Foundation
import Logging
import MarketCore
import Quant
import Recorder
import Simulation
import Trading

/// A recorded market is a market event source for the backtest runner.
extension RecordedMarket: MarketEventSource {}

/// `lighter-mm backtest`: runs a strategy through the engine against a synthetic market (or a
/// recorded one with `--data`) in virtual time and prints the summary.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Backtest a strategy against a seeded synthetic market (matching engine with queue positions and latency).",
        discussion: """
            The strategy, order and risk settings come from the configuration (--config, .env, environment); \
            --strategy picks the model (grid = the configured model with a ladder of at least three levels). \
            The market is a synthetic ETH- or BTC-like perpetual with Lighter's decimals and minimums. \
            The same seed gives byte-identical JSON. A progress bar is drawn on standard error when it is \
            a terminal and the run takes more than a second. With --data DIR the market is replayed from a \
            dataset written by `lighter-mm collect` (book_events and trades of --market, optionally between \
            --from and --to).
            """
    )

    /// Strategy names accepted by --strategy.
    enum StrategyName: String, ExpressibleByArgument, CaseIterable {
        case `as`, glft, volobi, grid
    }

    /// Queue models accepted by --queue.
    enum QueueName: String, ExpressibleByArgument, CaseIterable {
        case conservative, power2, power3, log

        var model: QueueModel {
            switch self {
            case .conservative: .conservative
            case .power2: .probabilistic(.power(2))
            case .power3: .probabilistic(.power(3))
            case .log: .probabilistic(.logarithmic)
            }
        }
    }

    /// Account tiers accepted by --account (fees and exchange delays).
    enum AccountTier: String, ExpressibleByArgument, CaseIterable {
        case standard, premium, none
    }

    @Option(help: "Strategy: as, glft, volobi or grid.")
    var strategy: StrategyName

    @Option(help: "Synthetic market preset: ETH or BTC.")
    var market: String = "ETH"

    @Option(help: "Virtual time to simulate, e.g. 90s, 30m, 6h, 1d, 1h30m.")
    var duration: String = "6h"

    @Option(help: "Seed of the synthetic market (the latency draws use it too).")
    var seed: UInt64 = 1

    @OptionGroup var configOptions: ConfigOptions

    @Option(help: "Also write the summary as JSON to this file.")
    var json: String?

    @Option(help: "Queue position model: conservative, power2, power3 or log.")
    var queue: QueueName = .power3

    @Option(help: "Account tier: standard (no fees, 200 ms maker/cancel and 300 ms taker delay), premium (0.4/2.8 bp, 0/200 ms, volume quota) or none (no fees, no delays).")
    var account: AccountTier = .standard

    @Option(name: .customLong("network-ms"), help: "One-way network latency in milliseconds (feed, orders, responses).")
    var networkMilliseconds: Double = 5

    @Option(help: "Replay a recorded dataset (the --out of `lighter-mm collect`) instead of a synthetic market.")
    var data: String?

    @Option(help: "With --data: the venue directory to read (lighter or binance).")
    var venue: String = "lighter"

    @Option(help: "With --data: first time to replay, e.g. 2026-11-21T16:00:00Z or 2026-11-21 (UTC).")
    var from: String?

    @Option(help: "With --data: last time to replay (inclusive), same formats as --from.")
    var to: String?

    func validate() throws {
        guard parseDurationNanoseconds(duration) != nil else {
            throw ValidationError("--duration: '\(duration)' is not a duration like 90s, 30m, 6h, 1d or 1h30m")
        }
        if data == nil {
            guard SyntheticMarketConfiguration.preset(symbol: market, durationNanoseconds: 1) != nil else {
                throw ValidationError("--market: no synthetic preset for '\(market)' (ETH or BTC)")
            }
            guard from == nil, to == nil else { throw ValidationError("--from and --to need --data") }
        }
        if let from, parseUTCTime(from) == nil {
            throw ValidationError("--from: '\(from)' is not a time like 2026-11-21T16:00:00Z or 2026-11-21")
        }
        if let to, parseUTCTime(to) == nil {
            throw ValidationError("--to: '\(to)' is not a time like 2026-11-21T16:00:00Z or 2026-11-21")
        }
        guard networkMilliseconds >= 0, networkMilliseconds.isFinite else {
            throw ValidationError("--network-ms must be zero or more, got \(networkMilliseconds)")
        }
    }

    func run() throws {
        if let data {
            try runRecorded(root: data)
            return
        }
        let values = try configOptions.load()
        guard let nanoseconds = parseDurationNanoseconds(duration),
            let marketConfiguration = SyntheticMarketConfiguration.preset(symbol: market, durationNanoseconds: nanoseconds)
        else { throw ValidationError("--duration or --market is invalid") }
        let spec = marketConfiguration.spec

        let settings = StrategySettings(configuration: values, strategy: strategy.rawValue)
        let quoteStrategy: ConfiguredStrategy
        do {
            quoteStrategy = try ConfiguredStrategy(settings)
        } catch {
            throw ValidationError("strategy settings: \(error)")
        }
        let capital = values.double("sizing.paper_capital")
        let engineConfiguration = backtestEngineConfiguration(values, spec: spec, levels: settings.shaper.levels)
        let engine = Engine(
            spec: spec, strategy: quoteStrategy, configuration: engineConfiguration,
            ids: ClientOrderIDGenerator(startTime: marketConfiguration.startTime), logger: .backtest)

        let source: SyntheticMarket
        do {
            source = try SyntheticMarket(configuration: marketConfiguration, seed: seed)
        } catch {
            throw ValidationError("synthetic market: \(error)")
        }
        let network = LatencyDistribution.milliseconds(networkMilliseconds)
        let (fees, latency): (FeeSchedule, LatencyModel) =
            switch account {
            case .standard: (.lighterStandard, .lighterStandard(network: network))
            case .premium: (.lighterPremium, .lighterPremium(network: network))
            case .none: (.zero, LatencyModel(feed: network, orderEntry: network, response: network))
            }
        let options = BacktestOptions(
            fees: fees, latency: latency, queueModel: queue.model, initialCollateralUSD: capital, seed: seed,
            expectedEndTime: marketConfiguration.startTime + nanoseconds, showsProgress: true,
            volumeQuota: account == .premium ? VolumeQuotaModel() : nil)
        let summary = BacktestRunner(source: source, engine: engine, options: options).run()

        print(summary.text, terminator: "")
        if let json {
            do {
                try summary.json().write(toFile: json, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("--json: cannot write '\(json)': \(error.localizedDescription)")
            }
        }
    }
}

extension BacktestCommand {
    /// The backtest over a recorded market (`--data`).
    func runRecorded(root: String) throws {
        let values = try configOptions.load()
        let start = from.flatMap(parseUTCTime)
        let end = to.flatMap(parseUTCTime)
        // The synthetic preset's spec carries Lighter's minimums; use it when the decimals match.
        let preset = SyntheticMarketConfiguration.preset(symbol: market, durationNanoseconds: 1)?.spec
        var source: RecordedMarket
        do {
            source = try RecordedMarket(root: root, venue: venue, market: market.uppercased(), from: start, to: end)
            if let preset, preset.priceDecimals == source.spec.priceDecimals, preset.sizeDecimals == source.spec.sizeDecimals {
                source = try RecordedMarket(
                    root: root, venue: venue, market: market.uppercased(), from: start, to: end, spec: preset)
            }
        } catch {
            throw ValidationError("--data: \(error)")
        }
        let spec = source.spec
        let settings = StrategySettings(configuration: values, strategy: strategy.rawValue)
        let quoteStrategy: ConfiguredStrategy
        do {
            quoteStrategy = try ConfiguredStrategy(settings)
        } catch {
            throw ValidationError("strategy settings: \(error)")
        }
        let engine = Engine(
            spec: spec, strategy: quoteStrategy,
            configuration: backtestEngineConfiguration(values, spec: spec, levels: settings.shaper.levels),
            ids: ClientOrderIDGenerator(startTime: start ?? Timestamp(nanoseconds: 0)), logger: .backtest)
        let network = LatencyDistribution.milliseconds(networkMilliseconds)
        let (fees, latency): (FeeSchedule, LatencyModel) =
            switch account {
            case .standard: (.lighterStandard, .lighterStandard(network: network))
            case .premium: (.lighterPremium, .lighterPremium(network: network))
            case .none: (.zero, LatencyModel(feed: network, orderEntry: network, response: network))
            }
        let options = BacktestOptions(
            fees: fees, latency: latency, queueModel: queue.model, initialCollateralUSD: values.double("sizing.paper_capital"),
            seed: seed, expectedEndTime: end, showsProgress: true,
            volumeQuota: account == .premium ? VolumeQuotaModel() : nil)
        let summary = BacktestRunner(source: source, engine: engine, options: options).run()
        if let error = source.readError { throw ValidationError("--data: reading stopped early: \(error)") }
        print(summary.text, terminator: "")
        if let json {
            do {
                try summary.json().write(toFile: json, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("--json: cannot write '\(json)': \(error.localizedDescription)")
            }
        }
    }
}

/// Parses `2026-11-21T16:00:00Z` (optionally with fractional seconds or an offset) or
/// `2026-11-21` (UTC midnight); nil if malformed.
func parseUTCTime(_ text: String) -> Timestamp? {
    let withFraction = ISO8601DateFormatter()
    withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    let plain = ISO8601DateFormatter()
    plain.formatOptions = [.withInternetDateTime]
    let day = ISO8601DateFormatter()
    day.formatOptions = [.withFullDate]
    day.timeZone = TimeZone(identifier: "UTC")
    guard let date = withFraction.date(from: text) ?? plain.date(from: text) ?? day.date(from: text) else { return nil }
    return Timestamp(nanoseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()) * 1_000_000)
}

/// Parses `90s`, `30m`, `6h`, `1d`, `1h30m` or `250ms` into nanoseconds; nil if malformed or not positive.
func parseDurationNanoseconds(_ text: String) -> Int64? {
    // "ms" before "m" and "s", so the longer unit wins.
    let units: [(suffix: String, nanoseconds: Int64)] = [
        ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
        ("d", 86_400_000_000_000),
    ]
    var rest = Substring(text.lowercased())
    var total: Int64 = 0
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
        let digits = rest.prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, let amount = Double(digits), amount.isFinite else { return nil }
        rest = rest.dropFirst(digits.count)
        guard let unit = units.first(where: { rest.hasPrefix($0.suffix) }) else { return nil }
        rest = rest.dropFirst(unit.suffix.count)
        let part = amount * Double(unit.nanoseconds)
        guard part < 9e18 else { return nil }
        total += Int64(part.rounded())
    }
    return total > 0 ? total : nil
}

/// The engine settings a backtest uses, from the same configuration keys as live trading.
func backtestEngineConfiguration(_ values: ConfigValues, spec: MarketSpec, levels: Int) -> EngineConfiguration {
    var configuration = EngineConfiguration()
    configuration.orderManager.levelsPerSide = max(1, levels)
    configuration.orderManager.toleranceBps = values.double("orders.tolerance_bps")
    configuration.orderManager.fillLockoutMs = Int64(values.int("orders.fill_lockout_ms"))
    configuration.orderManager.actionLockoutMs = Int64(values.int("orders.action_lockout_ms"))
    configuration.orderManager.rejectLockoutMs = Int64(values.int("orders.reject_lockout_ms"))
    configuration.orderManager.maxLiveOrders = max(values.int("orders.max_live_orders"), 2 * max(1, levels))
    configuration.orderManager.timeInForce = values.bool("orders.post_only") ? .postOnly : .goodTillTime

    let leverage = Double(values.int("sizing.leverage"))
    if let base = values.optionalDouble("risk.max_position") {
        configuration.risk.maxPosition = .base(spec.quantityRoundedDown(base))
    } else {
        configuration.risk.maxPosition = .notionalUSD(values.double("risk.max_position_usd"))
    }
    configuration.risk.leverage = leverage
    configuration.risk.dailyLossLimitUSD = values.optionalDouble("risk.daily_loss_limit_usd")
    configuration.risk.circuitBreakerRejects = values.int("risk.max_consecutive_rejects")
    configuration.risk.circuitBreakerCooldownMs = Int64(values.double("risk.breaker_cooldown_seconds") * 1000)

    let rule: SizingRule =
        values.string("sizing.mode") == "fixed"
        ? .fixed(spec.quantityRoundedDown(values.optionalDouble("sizing.order_size") ?? 0))
        : .capitalFraction(usage: values.double("sizing.capital_usage"), leverage: leverage)
    configuration.sizing = SizingConfiguration(rule: rule, capitalUSD: values.double("sizing.paper_capital"))
    return configuration
}
