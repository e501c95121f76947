import MarketCore
import Synchronization

/// The test server's own model of a Binance book: a list of single-level updates with
/// increasing ids, grouped into stream events, from which it renders diff events, REST snapshots
/// at any id and partial-depth messages in Binance's JSON formats. The expected book in the tests
/// comes from here, independently of the client's code.
public struct ReferenceMarket: Sendable {
    /// One level's new size (0 removes the level) under update id `id`.
    public struct LevelUpdate: Sendable {
        /// The update id.
        public var id: Int64
        /// The book side.
        public var side: Side
        /// The level's price in ticks.
        public var price: Int64
        /// The level's new size in lots (0: removed).
        public var size: Int64
    }

    /// One stream event: a run of consecutive updates.
    public struct Event: Sendable {
        /// The updates, in id order.
        public var updates: [LevelUpdate]
        /// The final id of the event before (Binance's `pu`).
        public var previousFinal: Int64
        /// The first update id (Binance's `U`).
        public var first: Int64 { updates.first?.id ?? 0 }
        /// The final update id (Binance's `u`).
        public var final: Int64 { updates.last?.id ?? 0 }
    }

    /// Decimals of the printed prices (one fewer than Binance prints; see ``levelJSON(_:_:)``).
    public let priceDecimals: Int
    /// Decimals of the printed sizes.
    public let sizeDecimals: Int
    /// The symbol in the messages (`BTCUSDT`).
    public let symbol: String
    /// The bids before any update (price ticks → size lots), consistent with id `baseID`.
    public let initialBids: [Int64: Int64]
    /// The asks before any update (price ticks → size lots), consistent with id `baseID`.
    public let initialAsks: [Int64: Int64]
    /// The update id the initial book is consistent with.
    public let baseID: Int64
    /// The stream events, in order.
    public private(set) var events: [Event] = []

    /// A market of `eventCount` random events around a mid of `midTicks`, reproducible from `seed`.
    public init(
        symbol: String = "BTCUSDT", priceDecimals: Int = 1, sizeDecimals: Int = 3, midTicks: Int64 = 300_000,
        eventCount: Int, seed: UInt64
    ) {
        self.symbol = symbol
        self.priceDecimals = priceDecimals
        self.sizeDecimals = sizeDecimals
        var random = SplitMix64(seed: seed)
        var bids: [Int64: Int64] = [:]
        var asks: [Int64: Int64] = [:]
        for offset in 1...30 {
            bids[midTicks - Int64(offset)] = Int64(random.next() % 5_000) + 1
            asks[midTicks + Int64(offset)] = Int64(random.next() % 5_000) + 1
        }
        initialBids = bids
        initialAsks = asks
        baseID = 1_000
        var nextID = baseID + 1
        var previousFinal = baseID - 3
        for _ in 0..<eventCount {
            var updates: [LevelUpdate] = []
            let count = Int(random.next() % 6) + 1
            for _ in 0..<count {
                let side: Side = random.next() % 2 == 0 ? .buy : .sell
                let offset = Int64(random.next() % 40) + 1
                let price = side == .buy ? midTicks - offset : midTicks + offset
                let size = random.next() % 4 == 0 ? 0 : Int64(random.next() % 9_000) + 1
                updates.append(LevelUpdate(id: nextID, side: side, price: price, size: size))
                // Binance ids are not contiguous between events.
                nextID += Int64(random.next() % 3) + 1
            }
            let event = Event(updates: updates, previousFinal: previousFinal)
            previousFinal = event.final
            events.append(event)
        }
    }

    /// The book after every update with id ≤ `id`.
    public func book(through id: Int64) -> (bids: [Int64: Int64], asks: [Int64: Int64]) {
        var bids = initialBids
        var asks = initialAsks
        for event in events {
            for update in event.updates where update.id <= id {
                if update.side == .buy {
                    bids[update.price] = update.size == 0 ? nil : update.size
                } else {
                    asks[update.price] = update.size == 0 ? nil : update.size
                }
            }
        }
        return (bids, asks)
    }

    /// The book's levels sorted best first, for comparing with the client's book.
    public func levels(through id: Int64) -> (bids: [BookLevel], asks: [BookLevel]) {
        let book = book(through: id)
        let bids = book.bids.sorted { $0.key > $1.key }.map { BookLevel(price: Price(ticks: $0.key), size: Quantity(lots: $0.value)) }
        let asks = book.asks.sorted { $0.key < $1.key }.map { BookLevel(price: Price(ticks: $0.key), size: Quantity(lots: $0.value)) }
        return (bids, asks)
    }

    /// The `depthUpdate` JSON of event `index` (absolute sizes, last value per level), with
    /// `pu` overridden if given.
    public func diffJSON(_ index: Int, previousFinal: Int64? = nil) -> String {
        let event = events[index]
        var bids: [Int64: Int64] = [:]
        var asks: [Int64: Int64] = [:]
        var order: [(Side, Int64)] = []
        for update in event.updates {
            if update.side == .buy {
                if bids[update.price] == nil { order.append((.buy, update.price)) }
                bids[update.price] = update.size
            } else {
                if asks[update.price] == nil { order.append((.sell, update.price)) }
                asks[update.price] = update.size
            }
        }
        let bidText = order.filter { $0.0 == .buy }.map { levelJSON($0.1, bids[$0.1] ?? 0) }.joined(separator: ",")
        let askText = order.filter { $0.0 == .sell }.map { levelJSON($0.1, asks[$0.1] ?? 0) }.joined(separator: ",")
        let time = 1_700_000_000_000 + Int64(index) * 100
        return #"{"e":"depthUpdate","E":\#(time + 2),"T":\#(time),"s":"\#(symbol)","U":\#(event.first),"u":\#(event.final),"pu":\#(previousFinal ?? event.previousFinal),"b":[\#(bidText)],"a":[\#(askText)]}"#
    }

    /// The REST snapshot JSON consistent with update id `id`.
    public func snapshotJSON(through id: Int64) -> String {
        let levels = levels(through: id)
        let bids = levels.bids.map { levelJSON($0.price.ticks, $0.size.lots) }.joined(separator: ",")
        let asks = levels.asks.map { levelJSON($0.price.ticks, $0.size.lots) }.joined(separator: ",")
        return #"{"lastUpdateId":\#(id),"E":1700000000500,"T":1700000000499,"bids":[\#(bids)],"asks":[\#(asks)]}"#
    }

    /// A partial-depth (`@depth<levels>`) message of the book through `id`.
    public func partialDepthJSON(through id: Int64, levels count: Int, previousFinal: Int64) -> String {
        let levels = levels(through: id)
        let bids = levels.bids.prefix(count).map { levelJSON($0.price.ticks, $0.size.lots) }.joined(separator: ",")
        let asks = levels.asks.prefix(count).map { levelJSON($0.price.ticks, $0.size.lots) }.joined(separator: ",")
        return #"{"e":"depthUpdate","E":1700000000600,"T":1700000000598,"s":"\#(symbol)","U":\#(id - 5),"u":\#(id),"pu":\#(previousFinal),"b":[\#(bids)],"a":[\#(asks)]}"#
    }

    /// `["price","size"]` as Binance prints it (prices with one trailing zero more than the tick).
    public func levelJSON(_ price: Int64, _ size: Int64) -> String {
        #"["\#(FixedPoint.format(price, decimals: priceDecimals))0","\#(FixedPoint.format(size, decimals: sizeDecimals))"]"#
    }
}

/// A small deterministic random generator (SplitMix64) for reproducible scripts.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }
    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Polls `condition` every 10 ms until it holds or `seconds` pass (waiting on network I/O only).
public func waitUntil(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// A value shared between test tasks, behind a lock (a class, so closures can capture it).
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    /// A lock holding `value`.
    public init(_ value: Value) { mutex = Mutex(value) }
    /// Runs `body` on the value while holding the lock.
    public func withLock<Result>(_ body: (inout Value) -> Result) -> Result { mutex.withLock { body(&$0) } }
    /// A copy of the value.
    public var value: Value { mutex.withLock { $0 } }
}
