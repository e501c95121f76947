import Binance
import Foundation
import Lighter
import Logging
import MarketCore

/// Runs a recording: the venue's feed(s), a once-a-second flush/rotation tick and a periodic
/// status line, until the calling task is cancelled; then every part file is closed.
///
/// ```swift
/// let task = Task {
///     await Collector.runLighter(specs: [eth, btc], stream: .init(url: "wss://…/stream"),
///                                options: RecorderOptions(root: "data")) { print($0) }
/// }
/// // on SIGTERM: task.cancel(); await task.value   (files are closed when it returns)
/// ```
public enum Collector {
    /// Records Lighter's `order_book` and `trade` channels of `specs`, one writer set per market.
    ///
    /// - Parameters:
    ///   - specs: the markets (ids and decimals).
    ///   - stream: the WebSocket settings (tests point `url` at a local server).
    ///   - options: dataset root, flush, rotation and retry settings.
    ///   - statusInterval: seconds between status lines.
    ///   - clock: the time source.
    ///   - logger: where connection events, errors and gaps are logged.
    ///   - status: receives the status lines.
    /// - Returns: the recorder (closed), for its statistics.
    @discardableResult
    public static func runLighter(
        specs: [MarketSpec], stream: LighterStreamClient.Configuration, options: RecorderOptions,
        statusInterval: Double = 10, clock: any TradingClock = LiveClock(), logger: Logger = Logger(label: "collect"),
        status: @escaping @Sendable (String) -> Void = { _ in }
    ) async -> DatasetRecorder {
        let recorder = DatasetRecorder(
            options: options, markets: specs.map { RecordedMarketInfo(lighter: $0) }, clock: clock, logger: logger)
        let subscriptions = specs.flatMap { [LighterSubscription.orderBook(market: $0.marketID), .trades(market: $0.marketID)] }
        let client = LighterStreamClient(
            configuration: stream, markets: MarketDecimalsTable(specs), subscriptions: subscriptions, clock: clock,
            logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await client.run { event in
                    // The client marks the books invalid when it stops; that is the end of the
                    // recording, not a gap.
                    if case .resync(_, .reconnect) = event, Task.isCancelled { return }
                    recorder.handle(event)
                }
            }
            group.addTask { await tickLoop(recorder, statusInterval: statusInterval, status: status) }
            await group.waitForAll()
        }
        recorder.close()
        for line in recorder.statusLines() { status("final: " + line) }
        return recorder
    }

    /// Records Binance USD-M depth (snapshot + diff events with U/u/pu, resync markers) of
    /// `symbols` and their `aggTrade` stream (on the same connection; written to `trades`,
    /// deduplicated by aggregate trade id), one feed and one writer set per symbol.
    @discardableResult
    public static func runBinance(
        symbols: [BinanceSymbol], feed: BinanceFeedConfiguration, options: RecorderOptions, statusInterval: Double = 10,
        clock: any TradingClock = LiveClock(), logger: Logger = Logger(label: "collect"),
        status: @escaping @Sendable (String) -> Void = { _ in }
    ) async -> DatasetRecorder {
        let markets = symbols.map {
            RecordedMarketInfo(
                venue: "binance", symbol: $0.symbol, marketID: nil, priceDecimals: $0.priceDecimals,
                sizeDecimals: $0.sizeDecimals)
        }
        let recorder = DatasetRecorder(options: options, markets: markets, clock: clock, logger: logger)
        var feed = feed
        feed.includeAggTrades = true
        await withTaskGroup(of: Void.self) { group in
            for symbol in symbols {
                let client = BinanceMarketDataFeed(symbol: symbol, configuration: feed, clock: clock, logger: logger)
                let name = symbol.symbol
                group.addTask {
                    await client.run { event in
                        if case .resync(.reconnect) = event, Task.isCancelled { return }
                        recorder.handle(event, symbol: name)
                    }
                }
            }
            group.addTask { await tickLoop(recorder, statusInterval: statusInterval, status: status) }
            await group.waitForAll()
        }
        recorder.close()
        for line in recorder.statusLines() { status("final: " + line) }
        return recorder
    }

    /// Ticks every 250 ms and emits status lines, until cancelled.
    static func tickLoop(_ recorder: DatasetRecorder, statusInterval: Double, status: @Sendable (String) -> Void) async {
        var sinceStatus = 0.0
        while !Task.isCancelled {
            do { try await Task.sleep(nanoseconds: 250_000_000) } catch { return }
            recorder.tick()
            sinceStatus += 0.25
            if statusInterval > 0, sinceStatus >= statusInterval {
                sinceStatus = 0
                for line in recorder.statusLines() { status(line) }
            }
        }
    }
}
