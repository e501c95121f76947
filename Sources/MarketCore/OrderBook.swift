/// One price level of an L2 book.
public struct BookLevel: Hashable, Sendable, CustomStringConvertible {
    /// The level's price.
    public var price: Price
    /// The total size resting at the price.
    public var size: Quantity

    /// A level of `size` at `price`.
    @inlinable
    public init(price: Price, size: Quantity) {
        self.price = price
        self.size = size
    }

    public var description: String { "\(size.lots)@\(price.ticks)" }
}

/// One side of an L2 book: levels sorted best first, integer prices and sizes.
///
/// Storage is two parallel arrays kept in *ascending key order with the best level last*, where
/// the key is the price for bids and the negated price for asks. Changes near the top of the book,
/// which is where nearly all of them happen, therefore move only a few elements, and once the
/// arrays have grown to the book's working depth no change allocates.
public struct BookSide: Sendable {
    /// Which side this is.
    public let side: Side
    @usableFromInline var keys: [Int64]
    @usableFromInline var sizes: [Int64]

    /// An empty side with room for `capacity` levels before it has to grow.
    public init(side: Side, capacity: Int = 256) {
        self.side = side
        self.keys = []
        self.sizes = []
        self.keys.reserveCapacity(capacity)
        self.sizes.reserveCapacity(capacity)
    }

    /// The number of levels.
    @inlinable
    public var count: Int { keys.count }

    /// Whether the side has no levels.
    @inlinable
    public var isEmpty: Bool { keys.isEmpty }

    @inlinable
    func key(for price: Int64) -> Int64 { side == .buy ? price : -price }

    @inlinable
    func price(forKey key: Int64) -> Int64 { side == .buy ? key : -key }

    /// The best level (highest bid or lowest ask), if any.
    @inlinable
    public var best: BookLevel? {
        guard let last = keys.indices.last else { return nil }
        return BookLevel(price: Price(ticks: price(forKey: keys[last])), size: Quantity(lots: sizes[last]))
    }

    /// The level `depth` places from the top (0 is the best), if the side is that deep.
    @inlinable
    public func level(at depth: Int) -> BookLevel? {
        guard depth >= 0, depth < keys.count else { return nil }
        let index = keys.count - 1 - depth
        return BookLevel(price: Price(ticks: price(forKey: keys[index])), size: Quantity(lots: sizes[index]))
    }

    /// The size resting at `price`, or zero.
    @inlinable
    public func size(at price: Price) -> Quantity {
        let key = key(for: price.ticks)
        let index = lowerBound(key)
        return index < keys.count && keys[index] == key ? Quantity(lots: sizes[index]) : .zero
    }

    /// Calls `body` for up to `limit` levels from the best down, without allocating.
    @inlinable
    public func forEachLevel(limit: Int = .max, _ body: (BookLevel) throws -> Void) rethrows {
        var index = keys.count - 1
        var remaining = limit
        while index >= 0 && remaining > 0 {
            try body(BookLevel(price: Price(ticks: price(forKey: keys[index])), size: Quantity(lots: sizes[index])))
            index -= 1
            remaining -= 1
        }
    }

    /// Up to `limit` levels from the best down, as an array (allocates; not for the hot path).
    public func levels(limit: Int = .max) -> [BookLevel] {
        var result: [BookLevel] = []
        result.reserveCapacity(Swift.min(limit, keys.count))
        forEachLevel(limit: limit) { result.append($0) }
        return result
    }

    /// The total size of the levels whose price is at least as good as `limit`.
    @inlinable
    public func totalSize(atOrBetterThan limit: Price) -> Quantity {
        let limitKey = key(for: limit.ticks)
        var total: Int64 = 0
        var index = keys.count - 1
        while index >= 0 && keys[index] >= limitKey {
            total &+= sizes[index]
            index -= 1
        }
        return Quantity(lots: total)
    }

    /// Sets the size at `price`; a size of zero removes the level.
    ///
    /// - Returns: the size that was there before (zero if the level was new).
    @inlinable
    @discardableResult
    public mutating func set(price: Price, size: Quantity) -> Quantity {
        let key = key(for: price.ticks)
        // Most changes are at or near the top: check the top before searching.
        let index: Int
        if let last = keys.last, key >= last {
            index = key == last ? keys.count - 1 : keys.count
        } else {
            index = lowerBound(key)
        }
        if index < keys.count && keys[index] == key {
            let previous = sizes[index]
            if size.lots == 0 {
                keys.remove(at: index)
                sizes.remove(at: index)
            } else {
                sizes[index] = size.lots
            }
            return Quantity(lots: previous)
        }
        if size.lots != 0 {
            keys.insert(key, at: index)
            sizes.insert(size.lots, at: index)
        }
        return .zero
    }

    /// Removes every level, keeping the storage.
    @inlinable
    public mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        sizes.removeAll(keepingCapacity: true)
    }

    /// The first index whose key is not less than `key`.
    @inlinable
    func lowerBound(_ key: Int64) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low &+ high) >> 1
            if keys[middle] < key { low = middle &+ 1 } else { high = middle }
        }
        return low
    }
}

/// An L2 order book with integer prices and sizes, built for the hot path.
///
/// Apply a snapshot with ``replace(bids:asks:)`` and level changes with ``apply(side:price:size:)``
/// (a size of zero removes the level). Queries are O(1) at the top of the book. Once the book has
/// reached its working depth, applying a change allocates nothing.
///
/// ```swift
/// var book = OrderBook()
/// book.replace(bids: [BookLevel(price: Price(ticks: 302466), size: Quantity(lots: 12000))],
///              asks: [BookLevel(price: Price(ticks: 302470), size: Quantity(lots: 8000))])
/// book.apply(side: .buy, price: Price(ticks: 302467), size: Quantity(lots: 500))
/// book.spreadTicks   // 3
/// ```
public struct OrderBook: Sendable {
    @usableFromInline var bidSide: BookSide
    @usableFromInline var askSide: BookSide

    /// The bid side (best = highest price).
    @inlinable
    public var bids: BookSide { bidSide }
    /// The ask side (best = lowest price).
    @inlinable
    public var asks: BookSide { askSide }

    /// An empty book with room for `capacity` levels per side.
    public init(capacity: Int = 256) {
        bidSide = BookSide(side: .buy, capacity: capacity)
        askSide = BookSide(side: .sell, capacity: capacity)
    }

    /// The side of the book that holds `side` orders.
    @inlinable
    public func levels(_ side: Side) -> BookSide { side == .buy ? bids : asks }

    /// Replaces the whole book with a snapshot. Levels may come in any order; zero sizes are ignored.
    public mutating func replace(bids newBids: some Sequence<BookLevel>, asks newAsks: some Sequence<BookLevel>) {
        bidSide.removeAll()
        askSide.removeAll()
        for level in newBids { bidSide.set(price: level.price, size: level.size) }
        for level in newAsks { askSide.set(price: level.price, size: level.size) }
    }

    /// Sets the size of one level; a size of zero removes it.
    ///
    /// - Returns: the size that was there before.
    @inlinable
    @discardableResult
    public mutating func apply(side: Side, price: Price, size: Quantity) -> Quantity {
        side == .buy ? bidSide.set(price: price, size: size) : askSide.set(price: price, size: size)
    }

    /// Removes every level.
    public mutating func removeAll() {
        bidSide.removeAll()
        askSide.removeAll()
    }

    /// The best bid, if any.
    @inlinable
    public var bestBid: BookLevel? { bids.best }

    /// The best ask, if any.
    @inlinable
    public var bestAsk: BookLevel? { asks.best }

    /// Whether both sides have at least one level.
    @inlinable
    public var isTwoSided: Bool { !bids.isEmpty && !asks.isEmpty }

    /// The mid price in ticks (may be a half tick), if the book is two-sided.
    @inlinable
    public var midTicks: Double? {
        guard let bid = bids.best, let ask = asks.best else { return nil }
        return (Double(bid.price.ticks) + Double(ask.price.ticks)) * 0.5
    }

    /// The size-weighted mid (microprice) in ticks: `(bid·askSize + ask·bidSize) / (bidSize + askSize)`.
    @inlinable
    public var micropriceTicks: Double? {
        guard let bid = bids.best, let ask = asks.best else { return nil }
        let bidSize = Double(bid.size.lots)
        let askSize = Double(ask.size.lots)
        let total = bidSize + askSize
        guard total > 0 else { return nil }
        return (Double(bid.price.ticks) * askSize + Double(ask.price.ticks) * bidSize) / total
    }

    /// Best ask minus best bid, in ticks, if the book is two-sided.
    @inlinable
    public var spreadTicks: Int64? {
        guard let bid = bids.best, let ask = asks.best else { return nil }
        return ask.price.ticks - bid.price.ticks
    }

    /// Whether the best bid is above the best ask: the book is inconsistent and must be resynced.
    @inlinable
    public var isCrossed: Bool {
        guard let bid = bids.best, let ask = asks.best else { return false }
        return bid.price > ask.price
    }

    /// Whether the best bid is at or above the best ask.
    @inlinable
    public var isLockedOrCrossed: Bool {
        guard let bid = bids.best, let ask = asks.best else { return false }
        return bid.price >= ask.price
    }

    /// The total size on `side` whose price lies within `fraction` of the mid
    /// (bids at or above `mid × (1 − fraction)`, asks at or below `mid × (1 + fraction)`).
    ///
    /// This is the depth the order-book-imbalance signal compares. Zero if the book is one-sided.
    @inlinable
    public func depth(_ side: Side, withinFractionOfMid fraction: Double) -> Quantity {
        guard let mid = midTicks else { return .zero }
        if side == .buy {
            let limit = Price(ticks: Int64(snapped(mid * (1 - fraction)).rounded(.up)))
            return bids.totalSize(atOrBetterThan: limit)
        } else {
            let limit = Price(ticks: Int64(snapped(mid * (1 + fraction)).rounded(.down)))
            return asks.totalSize(atOrBetterThan: limit)
        }
    }
}
