import MarketCore
import Simulation
import Trading

/// ETH-like spec: price decimals 2, size decimals 4, minimums 0.0050 ETH (50 lots) and 10 USDC.
let eth = MarketSpec.syntheticETH

let t0 = Timestamp(nanoseconds: 1_767_225_600_000_000_000)

func at(ms: Int64) -> Timestamp { t0 + ms * 1_000_000 }

func id(_ raw: Int64) -> ClientOrderID {
    guard let value = ClientOrderID(rawValue: raw) else { preconditionFailure("test id \(raw) out of range") }
    return value
}

func delta(_ side: Side, _ price: Int64, _ size: Int64, ms: Int64 = 0) -> MarketEvent {
    .bookDelta(
        BookDelta(
            receivedAt: at(ms: ms), exchangeTimeMs: at(ms: ms).milliseconds, sequence: 0, side: side,
            price: Price(ticks: price), size: Quantity(lots: size)))
}

func trade(taker: Side, _ price: Int64, _ size: Int64, ms: Int64 = 0, id tradeID: Int64 = 1) -> MarketEvent {
    .trade(
        Trade(
            receivedAt: at(ms: ms), exchangeTimeMs: at(ms: ms).milliseconds, tradeID: tradeID,
            price: Price(ticks: price), size: Quantity(lots: size), takerSide: taker))
}

func snapshot(bids: [(Int64, Int64)], asks: [(Int64, Int64)], ms: Int64 = 0) -> MarketEvent {
    .bookSnapshot(
        BookSnapshot(
            receivedAt: at(ms: ms), exchangeTimeMs: at(ms: ms).milliseconds, sequence: 0,
            bids: bids.map { BookLevel(price: Price(ticks: $0.0), size: Quantity(lots: $0.1)) },
            asks: asks.map { BookLevel(price: Price(ticks: $0.0), size: Quantity(lots: $0.1)) }))
}

func order(
    _ raw: Int64, _ side: Side, _ price: Int64, _ size: Int64, type: OrderType = .limit,
    tif: TimeInForce = .postOnly, reduceOnly: Bool = false
) -> OrderAction {
    .place(
        OrderRequest(
            id: id(raw), side: side, price: Price(ticks: price), size: Quantity(lots: size), type: type,
            timeInForce: tif, reduceOnly: reduceOnly))
}

/// A standard book: bids 3000.00 (1000 lots) and 2999.90 (2000), asks 3000.20 (600), 3000.30 (1000).
func standardBook(ms: Int64 = 0) -> MarketEvent {
    snapshot(bids: [(300_000, 1000), (299_990, 2000)], asks: [(300_020, 600), (300_030, 1000)], ms: ms)
}

extension ExecutionEvent {
    var fillValue: Fill? {
        if case .fill(let fill) = self { return fill }
        return nil
    }
}

extension MatchingEngine {
    /// Takes the outbox.
    mutating func takeOutbox() -> [ExecutionEvent] {
        defer { outbox.removeAll() }
        return outbox
    }
}

func fills(_ events: [ExecutionEvent]) -> [Fill] { events.compactMap(\.fillValue) }
