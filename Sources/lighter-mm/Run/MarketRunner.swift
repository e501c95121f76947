import Binance
import Calibration
import Foundation
import Lighter
import MarketCore
import Trading

/// One market of a `run`: its engine, its venue (wrapped to measure acknowledgement latency) and
/// its optional Binance feed.
final class MarketRunner {
    /// The market.
    let spec: MarketSpec
    /// The engine.
    let engine: Engine<ConfiguredStrategy>
    /// The Lighter venue.
    let venue: LighterVenue
    /// The venue as the engine sees it (measures send→ack latency).
    let trackedVenue: AckLatencyVenue<LighterVenue>
    /// The Binance twin's feed, when `binance.enabled` and the market has one.
    let binanceFeed: BinanceMarketDataFeed?
    /// The strategy settings in force (the configuration, with a parameter file applied).
    var settings: StrategySettings
    /// Volume quota remaining as last read from the sender (nil: not reported).
    var quotaRemaining: Int64?
    /// The parameter file, when `strategy.params_file` is set.
    var parameters: ParameterWatcher?

    init(
        spec: MarketSpec, engine: Engine<ConfiguredStrategy>, venue: LighterVenue, settings: StrategySettings,
        binanceFeed: BinanceMarketDataFeed? = nil
    ) {
        self.spec = spec
        self.engine = engine
        self.venue = venue
        self.trackedVenue = AckLatencyVenue(venue)
        self.settings = settings
        self.binanceFeed = binanceFeed
    }

    /// One step at `now`: the external alpha, the market's new book messages, then the venue's
    /// events, timers and the resulting actions.
    ///
    /// The messages that arrived since the last step are applied together and quoted once: a
    /// quote on a message that a newer one already replaced would only send stale orders.
    func step(books: [LighterBookEvent], at now: Timestamp) {
        if let binanceFeed { engine.externalAlpha = binanceFeed.externalAlpha(at: now) }
        for book in books where book.marketID == spec.marketID {
            forEachMarketEvent(book) { engine.apply($0, at: now) }
        }
        engine.quoteAfterMarketUpdate()
        engine.pump(trackedVenue, upTo: now)
    }

    /// Reloads the parameter file if it changed: applies valid new parameters to the running
    /// strategy (its estimators carry on), keeps the old ones otherwise. Returns the log line and
    /// whether it is a refusal, or nil when nothing changed.
    func reloadParametersIfChanged(at now: Timestamp) -> (line: String, refused: Bool)? {
        guard let parameters else { return nil }
        switch parameters.check(current: settings, at: now) {
        case .unchanged:
            return nil
        case .refused(let error):
            return ("\(spec.symbol): params reload refused: \(error); keeping the previous parameters", true)
        case .changed(let new, let changes):
            do {
                try engine.strategy.reconfigure(new)
            } catch {
                return ("\(spec.symbol): params reload refused: \(parameters.path): \(error); keeping the previous parameters", true)
            }
            settings = new
            let list = changes.isEmpty ? "no change" : changes.map(\.description).joined(separator: ", ")
            return ("\(spec.symbol): params reloaded from \(parameters.path): \(list)", false)
        }
    }

    /// Sends what the engine has queued (outside a step, e.g. after a kill).
    func submitPending() {
        engine.submitPendingActions(to: trackedVenue)
    }

    private var pnlUSD: Double {
        Double(engine.netPnL) / pow(10, Double(spec.notionalDecimals))
    }

    /// `binance` while the Binance alpha is warm and fresh, else `lighter` (Lighter's own OBI).
    func alphaSource(at now: Timestamp) -> String {
        binanceFeed?.externalAlpha(at: now) != nil ? "binance" : "lighter"
    }

    /// The values of the status line.
    func status(at now: Timestamp) -> MarketStatus {
        func quote(_ side: Side) -> String? {
            let slot = engine.orderManager.slot(side, level: 0)
            return slot.orderID == nil ? nil : spec.string(slot.price)
        }
        return MarketStatus(
            symbol: spec.symbol, mid: engine.markPrice.map { spec.string($0) }, bid: quote(.buy), ask: quote(.sell),
            position: spec.string(engine.position), pnlUSD: pnlUSD, fills: engine.counters.fills,
            rejects: engine.counters.rejects, transactions: venue.sendCounts.transactions, quotaRemaining: quotaRemaining,
            ackLatencyMs: trackedVenue.medianMilliseconds, alphaSource: alphaSource(at: now))
    }

    /// The exit summary of the market.
    func summaryLine() -> String {
        let sent = venue.sendCounts
        return "\(spec.symbol): fills \(engine.counters.fills), position \(spec.string(engine.position)), "
            + "PnL \(String(format: "%.4f", pnlUSD)) USDC, places \(venue.actionCounts.places), "
            + "modifies \(venue.actionCounts.modifies), cancels \(venue.actionCounts.cancels), "
            + "transactions \(sent.transactions) (\(sent.batches) batches), rejects \(engine.counters.rejects)"
    }
}

/// Calls `body` with the book message as engine market events: a snapshot, or one delta per
/// changed level (no array is built).
func forEachMarketEvent(_ book: LighterBookEvent, _ body: (MarketEvent) -> Void) {
    let time = book.receivedAt
    let exchangeMs = book.timestampMs ?? time.milliseconds
    let sequence = book.nonce ?? 0
    if book.isSnapshot {
        body(
            .bookSnapshot(
                BookSnapshot(receivedAt: time, exchangeTimeMs: exchangeMs, sequence: sequence, bids: book.bids, asks: book.asks))
        )
        return
    }
    for level in book.bids {
        body(
            .bookDelta(
                BookDelta(
                    receivedAt: time, exchangeTimeMs: exchangeMs, sequence: sequence, side: .buy, price: level.price,
                    size: level.size)))
    }
    for level in book.asks {
        body(
            .bookDelta(
                BookDelta(
                    receivedAt: time, exchangeTimeMs: exchangeMs, sequence: sequence, side: .sell, price: level.price,
                    size: level.size)))
    }
}
