import Foundation
import MarketCore
import Simulation

/// What calibration needs from a market's event stream: the mid resampled on a regular time
/// grid and each trade's price next to the mid at its time.
///
/// Units: mids and trade prices are in ticks of the market (`MarketSpec` price decimals);
/// returns are natural-log returns of the mid over one interval of `intervalSeconds`.
public struct MarketSample: Sendable, Hashable {
    /// Seconds between grid points.
    public let intervalSeconds: Double
    /// Receive time of the first event.
    public let start: Timestamp
    /// Receive time of the last event.
    public let end: Timestamp
    /// Mid (ticks) at each grid point `start + i·interval` (the last mid at or before it); nil
    /// while the book is not two-sided.
    public let gridMids: [Double?]
    /// Trade prices (ticks), in receive order.
    public let tradePrices: [Double]
    /// Mid (ticks) of the book just before each trade (same indices as `tradePrices`).
    public let tradeMids: [Double]
    /// One key per trade, equal for the prints of one aggressive order: receive time (ns) × 2
    /// + taker side (0 buy, 1 sell); the prints of a sweep arrive in one message.
    public let tradeOrderKeys: [Int64]
    /// Events read.
    public let eventCount: Int

    /// Creates a sample from its parts (`collect(from:intervalSeconds:since:)` builds one from events).
    public init(
        intervalSeconds: Double, start: Timestamp, end: Timestamp, gridMids: [Double?], tradePrices: [Double],
        tradeMids: [Double], tradeOrderKeys: [Int64], eventCount: Int
    ) {
        self.intervalSeconds = intervalSeconds
        self.start = start
        self.end = end
        self.gridMids = gridMids
        self.tradePrices = tradePrices
        self.tradeMids = tradeMids
        self.tradeOrderKeys = tradeOrderKeys
        self.eventCount = eventCount
    }

    /// Observation time in seconds (`end − start`).
    public var durationSeconds: Double { Double(end - start) / 1e9 }

    /// Log returns of the mid between consecutive grid points where both mids are known.
    public var returns: [Double] {
        var values: [Double] = []
        values.reserveCapacity(gridMids.count)
        var previous: Double?
        for mid in gridMids {
            if let mid, let previous, mid > 0, previous > 0 { values.append(log(mid / previous)) }
            previous = mid
        }
        return values
    }

    /// Reads every event of `source` (up to `limit` events), maintaining the book.
    ///
    /// - Parameters:
    ///   - intervalSeconds: grid spacing (default 1 s).
    ///   - since: events received before this only build the book (nil: use all events).
    public static func collect(
        from source: inout some MarketEventSource, intervalSeconds: Double = 1, since: Timestamp? = nil
    ) throws(CalibrationError) -> MarketSample {
        guard intervalSeconds.isFinite, intervalSeconds > 0 else {
            throw CalibrationError("the resampling interval must be > 0 seconds, got \(intervalSeconds)")
        }
        let step = Int64((intervalSeconds * 1e9).rounded())
        var book = OrderBook()
        var first: Timestamp?
        var last = Timestamp(nanoseconds: 0)
        var nextGrid = Int64(0)
        var mids: [Double?] = []
        var prices: [Double] = []
        var tradeMids: [Double] = []
        var orderKeys: [Int64] = []
        var count = 0
        var currentMid: Double?
        while let event = source.nextEvent() {
            let time = event.receivedAt
            if let since, time < since {
                book.apply(event)
                currentMid = book.isTwoSided ? book.midTicks : nil
                continue
            }
            count += 1
            if first == nil {
                first = time
                nextGrid = time.nanoseconds
            }
            // Grid points strictly before this event see the mid before it.
            while nextGrid < time.nanoseconds {
                mids.append(currentMid)
                nextGrid += step
            }
            last = time
            switch event {
            case .trade(let trade):
                if let mid = currentMid {
                    prices.append(Double(trade.price.ticks))
                    tradeMids.append(mid)
                    orderKeys.append(trade.receivedAt.nanoseconds &* 2 &+ (trade.takerSide == .buy ? 0 : 1))
                }
            case .bookSnapshot, .bookDelta:
                book.apply(event)
                currentMid = book.isTwoSided ? book.midTicks : nil
            }
        }
        if first != nil, nextGrid == last.nanoseconds { mids.append(currentMid) }
        guard let start = first else {
            throw CalibrationError("the dataset has no events\(since.map { " at or after \($0.nanoseconds) ns" } ?? "")")
        }
        return MarketSample(
            intervalSeconds: intervalSeconds, start: start, end: last, gridMids: mids, tradePrices: prices,
            tradeMids: tradeMids, tradeOrderKeys: orderKeys, eventCount: count)
    }
}

/// A calibration input or result problem; the message says what is wrong and where.
public struct CalibrationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message.
    public let description: String

    /// Creates the error with `description`.
    public init(_ description: String) { self.description = description }
}
