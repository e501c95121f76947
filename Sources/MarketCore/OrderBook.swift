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
/// Storage is one array of (key, size) entries kept in *ascending key order with the best level
/// last*, where the key is the price for bids and the negated price for asks. Changes near the top
/// of the book, which is where nearly all of them happen, therefore move only a few elements, and
/// once the array has grown to the book's working depth no change allocates. One array (not one
/// for keys and one for sizes) also means one reference to retain when a book is copied into a
/// quote input.
public struct BookSide: Sendable {
    /// One level in storage: the sort key and the size.
    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline var key: Int64
        @usableFromInline var size: Int64

        @inlinable
        init(key: Int64, size: Int64) {
            self.key = key
            self.size = size
        }
    }

    /// Which side this is.
    public let side: Side
    @usableFromInline var entries: [Entry]
    /// The sum of the sizes (wrapping), kept up to date by every change.
    @usableFromInline var total: Int64 = 0

    /// An empty side with room for `capacity` levels before it has to grow.
    public init(side: Side, capacity: Int = 256) {
        self.side = side
        self.entries = []
        self.entries.reserveCapacity(capacity)
    }

    /// The number of levels.
    @inlinable
    public var count: Int { entries.count }

    /// Whether the side has no levels.
    @inlinable
    public var isEmpty: Bool { entries.isEmpty }

    @inlinable
    func key(for price: Int64) -> Int64 { side == .buy ? price : -price }

    @inlinable
    func price(forKey key: Int64) -> Int64 { side == .buy ? key : -key }

    @inlinable
    func level(_ entry: Entry) -> BookLevel {
        BookLevel(price: Price(ticks: price(forKey: entry.key)), size: Quantity(lots: entry.size))
    }

    /// The best level (highest bid or lowest ask), if any.
    @inlinable
    public var best: BookLevel? {
        guard let last = entries.last else { return nil }
        return level(last)
    }

    /// The level `depth` places from the top (0 is the best), if the side is that deep.
    @inlinable
    public func level(at depth: Int) -> BookLevel? {
        guard depth >= 0, depth < entries.count else { return nil }
        return level(entries[entries.count - 1 - depth])
    }

    /// The size resting at `price`, or zero.
    @inlinable
    public func size(at price: Price) -> Quantity {
        let key = key(for: price.ticks)
        let index = lowerBound(key)
        return index < entries.count && entries[index].key == key ? Quantity(lots: entries[index].size) : .zero
    }

    /// Calls `body` for up to `limit` levels from the best down, without allocating.
    @inlinable
    public func forEachLevel(limit: Int = .max, _ body: (BookLevel) throws -> Void) rethrows {
        var index = entries.count - 1
        var remaining = limit
        while index >= 0 && remaining > 0 {
            try body(level(entries[index]))
            index -= 1
            remaining -= 1
        }
    }

    /// Up to `limit` levels from the best down, as an array (allocates; not for the hot path).
    public func levels(limit: Int = .max) -> [BookLevel] {
        var result: [BookLevel] = []
        result.reserveCapacity(Swift.min(limit, entries.count))
        forEachLevel(limit: limit) { result.append($0) }
        return result
    }

    /// The total size of the levels whose price is at least as good as `limit`.
    ///
    /// Finds where `limit` falls with a binary search, then sums whichever part of the side is
    /// smaller: the levels inside the limit, or those outside it, subtracted from the side's
    /// running total (sums wrap, so both give the same result). O(log n + min(inside, outside));
    /// O(1) when the limit takes in the whole side (a wide imbalance window) or none of it.
    @inlinable
    public func totalSize(atOrBetterThan limit: Price) -> Quantity {
        let limitKey = key(for: limit.ticks)
        return entries.withUnsafeBufferPointer { entries in
            guard let worst = entries.first, let best = entries.last else { return .zero }
            if limitKey <= worst.key { return Quantity(lots: total) }
            if limitKey > best.key { return .zero }
            let boundary = Self.lowerBound(limitKey, in: entries, count: entries.count)
            var sum: Int64 = 0
            if entries.count &- boundary <= boundary {
                var index = boundary
                while index < entries.count {
                    sum &+= entries[index].size
                    index &+= 1
                }
                return Quantity(lots: sum)
            }
            var index = 0
            while index < boundary {
                sum &+= entries[index].size
                index &+= 1
            }
            return Quantity(lots: total &- sum)
        }
    }

    /// The total size of all levels.
    @inlinable
    public var totalSize: Quantity { Quantity(lots: total) }

    /// Sets the size at `price`; a size of zero removes the level.
    ///
    /// - Returns: the size that was there before (zero if the level was new).
    @inlinable
    @discardableResult
    public mutating func set(price: Price, size: Quantity) -> Quantity {
        let key = key(for: price.ticks)
        // Most changes are at or near the top: look there first (see `topLowerBound`).
        let index = topLowerBound(key)
        if index < entries.count && entries[index].key == key {
            let previous = entries[index].size
            if size.lots == 0 {
                entries.remove(at: index)
            } else {
                entries[index].size = size.lots
            }
            total = total &- previous &+ size.lots
            return Quantity(lots: previous)
        }
        if size.lots != 0 {
            insert(Entry(key: key, size: size.lots), at: index)
            total &+= size.lots
        }
        return .zero
    }

    /// Removes every level, keeping the storage.
    @inlinable
    public mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        total = 0
    }

    /// The first index whose key is not less than `key`.
    @inlinable
    func lowerBound(_ key: Int64) -> Int {
        entries.withUnsafeBufferPointer { entries in Self.lowerBound(key, in: entries, count: entries.count) }
    }

    /// The first index below `count` whose key is not less than `key` (`count` if none), by a
    /// branch-free binary search: the loop runs ⌈log₂ count⌉ times whatever the keys, so it does
    /// not stall on mispredicted branches.
    @inlinable
    static func lowerBound(_ key: Int64, in entries: UnsafeBufferPointer<Entry>, count: Int) -> Int {
        guard count > 0 else { return 0 }
        var base = 0
        var length = count
        while length > 1 {
            let half = length >> 1
            base = entries[base &+ half &- 1].key < key ? base &+ half : base
            length &-= half
        }
        return entries[base].key < key ? base &+ 1 : base
    }

    /// ``lowerBound(_:)`` that first walks down from the best level: changes within the top
    /// 16 levels (nearly all of them) are found with a short predictable loop; deeper ones fall
    /// back to the binary search over the rest.
    @inlinable
    func topLowerBound(_ key: Int64) -> Int {
        entries.withUnsafeBufferPointer { entries in
            var index = entries.count
            let stop = Swift.max(0, entries.count &- 16)
            while index > stop && entries[index &- 1].key >= key { index &-= 1 }
            if index > stop || index == 0 { return index }
            return Self.lowerBound(key, in: entries, count: index)
        }
    }

    /// Inserts `entry` at `index` (append, then shift the tail up by one).
    @inlinable
    mutating func insert(_ entry: Entry, at index: Int) {
        let oldCount = entries.count
        entries.append(entry)
        guard index < oldCount else { return }
        entries.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            (base + index + 1).moveInitialize(from: base + index, count: oldCount - index)
            base[index] = entry
        }
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
            return bids.totalSize(atOrBetterThan: Self.lowestBid(withinFraction: fraction, of: mid))
        } else {
            return asks.totalSize(atOrBetterThan: Self.highestAsk(withinFraction: fraction, of: mid))
        }
    }

    /// ``depth(_:withinFractionOfMid:)`` of both sides at once (the mid is read once).
    @inlinable
    public func depths(withinFractionOfMid fraction: Double) -> (bids: Quantity, asks: Quantity) {
        guard let mid = midTicks else { return (.zero, .zero) }
        return (
            bids.totalSize(atOrBetterThan: Self.lowestBid(withinFraction: fraction, of: mid)),
            asks.totalSize(atOrBetterThan: Self.highestAsk(withinFraction: fraction, of: mid))
        )
    }

    /// The lowest bid price within `fraction` of `mid`: `⌈mid × (1 − fraction)⌉`.
    @inlinable @inline(__always)
    static func lowestBid(withinFraction fraction: Double, of mid: Double) -> Price {
        Price(ticks: Int64(FastRounding.up(snapped(mid * (1 - fraction)))))
    }

    /// The highest ask price within `fraction` of `mid`: `⌊mid × (1 + fraction)⌋`.
    @inlinable @inline(__always)
    static func highestAsk(withinFraction fraction: Double, of mid: Double) -> Price {
        Price(ticks: Int64(FastRounding.down(snapped(mid * (1 + fraction)))))
    }
}
