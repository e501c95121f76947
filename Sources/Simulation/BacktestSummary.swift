import MarketCore
import Trading

/// What a backtest produced: PnL and risk, trading activity, and quoting quality.
///
/// Money is in USD (the quote currency), sizes in base units. ``json()`` writes it with a fixed
/// key order and Swift's shortest round-trip number format, so the same run gives the same bytes.
public struct BacktestSummary: Hashable, Sendable {
    /// The strategy's name.
    public var strategy: String
    /// The market's symbol.
    public var market: String
    /// Market events processed.
    public var events: Int
    /// Virtual time covered, in seconds.
    public var durationSeconds: Double

    /// Final equity minus starting collateral (realised + unrealised at the mid − fees).
    public var pnlUSD: Double
    /// Fees paid (negative: rebates).
    public var feesUSD: Double
    /// The starting collateral.
    public var capitalUSD: Double
    /// `pnlUSD / capitalUSD`.
    public var returnOnCapital: Double
    /// The largest fall of equity from a previous high, sampled each second.
    public var maxDrawdownUSD: Double
    /// Sharpe ratio of 1-minute PnL changes, annualised by √(minutes in a year); 0 without variance.
    public var sharpe: Double

    /// Executions of our orders.
    public var fills: Int
    /// Executions as maker.
    public var makerFills: Int
    /// Executions as taker.
    public var takerFills: Int
    /// Maker volume.
    public var makerVolumeUSD: Double
    /// Taker volume.
    public var takerVolumeUSD: Double
    /// Orders the exchange accepted.
    public var ordersAccepted: Int
    /// Accepted orders that filled at least partly.
    public var filledOrders: Int
    /// `filledOrders / ordersAccepted`.
    public var fillRatio: Double
    /// Modifies carried out.
    public var modifies: Int
    /// Cancels carried out.
    public var cancels: Int
    /// Actions refused by the exchange.
    public var rejections: Int
    /// Post-only orders cancelled for crossing.
    public var postOnlyCancels: Int
    /// Actions the engine sent.
    public var engineActions: Int

    /// The time-weighted average of |position|, in base units.
    public var averageAbsoluteInventory: Double
    /// The time-weighted average signed position, in base units.
    public var averageInventory: Double
    /// The time-weighted variance of the signed position, in base units squared
    /// (`E[q²] − E[q]²` over the run's time).
    public var inventoryVariance: Double
    /// The position at the end, in base units.
    public var finalPosition: Double
    /// The largest |position| seen at any market event, in base units.
    public var maxAbsoluteInventory: Double
    /// Time-weighted average of our best ask − best bid over the time both were resting, in bps of the mid.
    public var averageQuotedSpreadBps: Double
    /// The share of time both sides were quoted.
    public var twoSidedQuotingFraction: Double
    /// Maker fills' edge against the mid at the fill, per maker volume, in bps (half the captured spread).
    public var spreadCaptureBps: Double

    /// The summary as JSON with a fixed key order (deterministic bytes), ending in a newline.
    public func json() -> String {
        var writer = JSONObjectWriter()
        writer.add("strategy", strategy)
        writer.add("market", market)
        writer.add("events", events)
        writer.add("duration_seconds", durationSeconds)
        writer.add("pnl_usd", pnlUSD)
        writer.add("fees_usd", feesUSD)
        writer.add("capital_usd", capitalUSD)
        writer.add("return_on_capital", returnOnCapital)
        writer.add("max_drawdown_usd", maxDrawdownUSD)
        writer.add("sharpe_1m_annualized", sharpe)
        writer.add("fills", fills)
        writer.add("maker_fills", makerFills)
        writer.add("taker_fills", takerFills)
        writer.add("maker_volume_usd", makerVolumeUSD)
        writer.add("taker_volume_usd", takerVolumeUSD)
        writer.add("orders_accepted", ordersAccepted)
        writer.add("filled_orders", filledOrders)
        writer.add("fill_ratio", fillRatio)
        writer.add("modifies", modifies)
        writer.add("cancels", cancels)
        writer.add("rejections", rejections)
        writer.add("post_only_cancels", postOnlyCancels)
        writer.add("engine_actions", engineActions)
        writer.add("avg_abs_inventory", averageAbsoluteInventory)
        writer.add("avg_inventory", averageInventory)
        writer.add("inventory_variance", inventoryVariance)
        writer.add("max_abs_inventory", maxAbsoluteInventory)
        writer.add("final_position", finalPosition)
        writer.add("avg_quoted_spread_bps", averageQuotedSpreadBps)
        writer.add("two_sided_fraction", twoSidedQuotingFraction)
        writer.add("spread_capture_bps", spreadCaptureBps)
        return writer.finish()
    }

    /// The summary as aligned `key: value` lines for a terminal.
    public var text: String {
        func money(_ value: Double) -> String { formatFixed(value, decimals: 2) }
        let lines: [(String, String)] = [
            ("strategy", strategy), ("market", market), ("events", String(events)),
            ("duration", formatFixed(durationSeconds / 3600, decimals: 2) + " h"),
            ("pnl", money(pnlUSD) + " USD"), ("fees", money(feesUSD) + " USD"),
            ("return on capital", formatFixed(returnOnCapital * 100, decimals: 3) + " %"),
            ("max drawdown", money(maxDrawdownUSD) + " USD"), ("sharpe (1m, annualised)", formatFixed(sharpe, decimals: 2)),
            ("fills (maker/taker)", "\(fills) (\(makerFills)/\(takerFills))"),
            ("maker volume", money(makerVolumeUSD) + " USD"), ("taker volume", money(takerVolumeUSD) + " USD"),
            ("fill ratio", formatFixed(fillRatio * 100, decimals: 2) + " % of \(ordersAccepted) orders"),
            ("modifies / cancels / rejects", "\(modifies) / \(cancels) / \(rejections)"),
            ("avg |inventory|", formatFixed(averageAbsoluteInventory, decimals: 6)),
            ("max |inventory|", formatFixed(maxAbsoluteInventory, decimals: 6)),
            ("inventory std dev", formatFixed(inventoryVariance.squareRoot(), decimals: 6)),
            ("avg quoted spread", formatFixed(averageQuotedSpreadBps, decimals: 3) + " bps"),
            ("two-sided time", formatFixed(twoSidedQuotingFraction * 100, decimals: 1) + " %"),
            ("spread capture", formatFixed(spreadCaptureBps, decimals: 3) + " bps"),
        ]
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }
            .joined(separator: "\n") + "\n"
    }
}

/// Formats `value` with exactly `decimals` fractional digits (no Foundation needed).
func formatFixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return String(describing: value) }
    let scale = Double(FixedPoint.powersOfTen[decimals])
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9e18 else { return String(describing: value) }
    let text = FixedPoint.format(Int64(scaled), decimals: decimals)
    return value < 0 && scaled != 0 ? "-" + text : text
}

/// Writes one flat JSON object with keys in the order added.
struct JSONObjectWriter {
    private var text = "{"
    private var first = true

    private mutating func key(_ name: String) {
        text += first ? "\n  " : ",\n  "
        first = false
        text += "\"" + name + "\": "
    }

    mutating func add(_ name: String, _ value: String) {
        key(name)
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }

    mutating func add(_ name: String, _ value: Int) {
        key(name)
        text += String(value)
    }

    mutating func add(_ name: String, _ value: Double) {
        key(name)
        text += value.isFinite ? String(describing: value) : "null"
    }

    mutating func finish() -> String { text + "\n}\n" }
}

/// Collects the time-weighted and sampled measures during a run.
struct MetricsAccumulator {
    let notionalScale: Double
    let sizeScale: Double
    let initialCollateralUSD: Double
    var startTime: Int64 = 0
    var lastTime: Int64 = 0
    var nextSample: Int64 = .max
    var samples = 0
    var peakEquity = 0.0
    var maxDrawdown = 0.0
    var minuteEquities: [Double] = []
    var absoluteInventoryTime = 0.0
    var inventoryTime = 0.0
    var squaredInventoryTime = 0.0
    var maxAbsoluteInventory: Int64 = 0
    var spreadTime = 0.0
    var twoSidedTime = 0.0

    static let second: Int64 = 1_000_000_000

    init(spec: MarketSpec, initialCollateralUSD: Double) {
        notionalScale = Double(FixedPoint.powersOfTen[spec.notionalDecimals])
        sizeScale = Double(FixedPoint.powersOfTen[spec.sizeDecimals])
        self.initialCollateralUSD = initialCollateralUSD
        minuteEquities.reserveCapacity(2048)
    }

    mutating func start(at time: Timestamp) {
        startTime = time.nanoseconds
        lastTime = time.nanoseconds
        nextSample = time.nanoseconds &+ Self.second
        peakEquity = initialCollateralUSD
        minuteEquities.append(initialCollateralUSD)
    }

    /// Accounts for the time since the last market event with the state before the event at `time`:
    /// our position and cash, our best bid and ask in ticks (`Int64.min` / `Int64.max` when none)
    /// and the market's mid in ticks.
    mutating func observeMarket(
        at time: Int64, position: Int64, cash: Int64, ourBid: Int64, ourAsk: Int64, midTicks: Double?
    ) {
        let elapsed = Double(time &- lastTime)
        lastTime = time
        if position != 0 {
            absoluteInventoryTime += Double(abs(position)) * elapsed
            inventoryTime += Double(position) * elapsed
            squaredInventoryTime += Double(position) * Double(position) * elapsed
            if abs(position) > maxAbsoluteInventory { maxAbsoluteInventory = abs(position) }
        }
        if ourBid != .min && ourAsk != .max, let mid = midTicks, mid > 0 {
            spreadTime += Double(ourAsk - ourBid) / mid * 10_000 * elapsed
            twoSidedTime += elapsed
        }
        if time >= nextSample {
            let equity = equityUSD(position: position, cash: cash, midTicks: midTicks)
            while time >= nextSample {
                sample(equity: equity)
                nextSample &+= Self.second
            }
        }
    }

    mutating func sample(equity: Double) {
        samples += 1
        if equity > peakEquity { peakEquity = equity }
        maxDrawdown = max(maxDrawdown, peakEquity - equity)
        if samples % 60 == 0 { minuteEquities.append(equity) }
    }

    func equityUSD(position: Int64, cash: Int64, midTicks: Double?) -> Double {
        let unrealised = midTicks.map { Double(position) * $0 } ?? 0
        return initialCollateralUSD + (Double(cash) + unrealised) / notionalScale
    }

    func equityUSD(_ exchange: MatchingEngine) -> Double {
        equityUSD(position: exchange.position.lots, cash: exchange.cash, midTicks: exchange.book.midTicks)
    }

    /// `E[q²] − E[q]²` over `duration` nanoseconds, in base units squared (0 for an empty run).
    func inventoryVariance(duration: Double) -> Double {
        guard duration > 0 else { return 0 }
        let mean = inventoryTime / duration / sizeScale
        let meanSquare = squaredInventoryTime / duration / (sizeScale * sizeScale)
        return max(0, meanSquare - mean * mean)
    }

    func summary(
        exchange: MatchingEngine, engine: EngineCounters, strategy: String, market: String, events: Int,
        options: BacktestOptions
    ) -> BacktestSummary {
        let duration = Double(lastTime &- startTime)
        let finalEquity = equityUSD(exchange)
        var drawdown = maxDrawdown
        drawdown = max(drawdown, max(peakEquity, finalEquity) - finalEquity)
        var changes: [Double] = []
        var previous = minuteEquities.first ?? initialCollateralUSD
        for equity in minuteEquities.dropFirst() {
            changes.append(equity - previous)
            previous = equity
        }
        var sharpe = 0.0
        if changes.count >= 2 {
            let mean = changes.reduce(0, +) / Double(changes.count)
            let variance = changes.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(changes.count - 1)
            if variance > 0 { sharpe = mean / variance.squareRoot() * (365.0 * 1440).squareRoot() }
        }
        let statistics = exchange.statistics
        let makerVolume = Double(statistics.makerNotional) / notionalScale
        let pnl = finalEquity - initialCollateralUSD
        return BacktestSummary(
            strategy: strategy, market: market, events: events, durationSeconds: duration / 1e9,
            pnlUSD: pnl, feesUSD: Double(statistics.fees) / notionalScale, capitalUSD: initialCollateralUSD,
            returnOnCapital: initialCollateralUSD > 0 ? pnl / initialCollateralUSD : 0, maxDrawdownUSD: drawdown,
            sharpe: sharpe, fills: statistics.makerFills + statistics.takerFills, makerFills: statistics.makerFills,
            takerFills: statistics.takerFills, makerVolumeUSD: makerVolume,
            takerVolumeUSD: Double(statistics.takerNotional) / notionalScale,
            ordersAccepted: statistics.ordersAccepted, filledOrders: statistics.filledOrders,
            fillRatio: statistics.ordersAccepted > 0 ? Double(statistics.filledOrders) / Double(statistics.ordersAccepted) : 0,
            modifies: statistics.modifies, cancels: statistics.cancels, rejections: statistics.rejections,
            postOnlyCancels: statistics.postOnlyRejections, engineActions: engine.actions,
            averageAbsoluteInventory: duration > 0 ? absoluteInventoryTime / duration / sizeScale : 0,
            averageInventory: duration > 0 ? inventoryTime / duration / sizeScale : 0,
            inventoryVariance: inventoryVariance(duration: duration),
            finalPosition: Double(exchange.position.lots) / sizeScale,
            maxAbsoluteInventory: Double(maxAbsoluteInventory) / sizeScale,
            averageQuotedSpreadBps: twoSidedTime > 0 ? spreadTime / twoSidedTime : 0,
            twoSidedQuotingFraction: duration > 0 ? twoSidedTime / duration : 0,
            spreadCaptureBps: makerVolume > 0 ? statistics.makerEdge / notionalScale / makerVolume * 10_000 : 0)
    }
}
