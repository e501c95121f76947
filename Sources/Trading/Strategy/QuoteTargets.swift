import MarketCore

/// One quote a strategy wants resting on the book: a price and a size at a ladder level.
public struct QuoteLevel: Hashable, Sendable, CustomStringConvertible {
    /// The limit price.
    public var price: Price
    /// The order size.
    public var size: Quantity

    /// A quote of `size` at `price`.
    @inlinable
    public init(price: Price, size: Quantity) {
        self.price = price
        self.size = size
    }

    public var description: String { "\(size.lots)@\(price.ticks)" }
}

/// Why a strategy is not quoting a side (or at all). Cheap to copy: no strings on the hot path.
public enum NoQuoteReason: Hashable, Sendable, CustomStringConvertible {
    /// The book is empty, one-sided or crossed.
    case bookNotReady
    /// The model has not seen enough samples or time yet.
    case warmingUp(samples: Int, needed: Int)
    /// The model's inputs are not usable (e.g. zero volatility estimate and no floor).
    case modelNotReady
    /// The position is at its limit and this side would grow it.
    case positionLimit
    /// The bid and ask would cross or touch after rounding, so the pair was dropped.
    case crossedPair
    /// The model's spread is wider than the configured maximum.
    case spreadTooWide(bps: Double)
    /// The size after rounding is below the exchange minimum and could not be raised.
    case belowMinimumSize
    /// Quoting is halted by a risk rule or an operator.
    case halted

    public var description: String {
        switch self {
        case .bookNotReady: "book_not_ready"
        case .warmingUp(let samples, let needed): "warming_up \(samples)/\(needed)"
        case .modelNotReady: "model_not_ready"
        case .positionLimit: "position_limit"
        case .crossedPair: "crossed_pair"
        case .spreadTooWide(let bps): "spread_too_wide \(Int(bps.rounded()))bp"
        case .belowMinimumSize: "below_min_size"
        case .halted: "halted"
        }
    }
}

/// Which alpha moved a strategy's fair price, for the decision log: `alpha=binance_obi` (a fresh
/// external alpha) or `alpha=lighter_obi` (the market's own order-book imbalance).
public struct QuoteAlphaNote: Hashable, Sendable, CustomStringConvertible {
    /// The alpha's short name (an ``ExternalAlpha/source`` or `lighter_obi`).
    public var source: StaticString

    /// A note naming `source`.
    public init(source: StaticString) { self.source = source }

    /// The market's own (Lighter) order-book imbalance.
    public static let lighterOBI = QuoteAlphaNote(source: "lighter_obi")

    /// `alpha=<source>`.
    public var description: String { "alpha=\(source)" }

    /// Same text (compared byte by byte, without building `String`s: the engine compares notes on
    /// every quote).
    public static func == (lhs: QuoteAlphaNote, rhs: QuoteAlphaNote) -> Bool {
        lhs.source.withUTF8Buffer { left in
            rhs.source.withUTF8Buffer { right in
                left.count == right.count
                    && (left.baseAddress == right.baseAddress || left.elementsEqual(right))
            }
        }
    }

    public func hash(into hasher: inout Hasher) {
        source.withUTF8Buffer { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// What a strategy wants on the book right now: up to N levels per side, best first, or a reason
/// for each side it leaves empty.
///
/// A strategy fills a `QuoteTargets` it is handed and the engine reuses the same value for every
/// update, so once its arrays have grown to the ladder depth no update allocates.
public struct QuoteTargets: Hashable, Sendable {
    /// Bid levels, best (highest) first.
    public private(set) var bids: [QuoteLevel]
    /// Ask levels, best (lowest) first.
    public private(set) var asks: [QuoteLevel]
    /// Why there are no bids, if there are none.
    public var bidReason: NoQuoteReason?
    /// Why there are no asks, if there are none.
    public var askReason: NoQuoteReason?
    /// The model's fair (reservation) price in ticks, for the decision log.
    public var fairTicks: Double
    /// The model's half-spread in ticks, for the decision log.
    public var halfSpreadTicks: Double
    /// Which alpha the strategy used for these targets, if it uses one (the engine appends it to
    /// the reasons of the decisions it makes from them).
    public var alpha: QuoteAlphaNote?

    /// Empty targets with room for `levels` per side.
    public init(levels: Int = 4) {
        bids = []
        asks = []
        bids.reserveCapacity(levels)
        asks.reserveCapacity(levels)
        bidReason = nil
        askReason = nil
        fairTicks = .nan
        halfSpreadTicks = .nan
        alpha = nil
    }

    /// The levels for `side`.
    @inlinable
    public func levels(_ side: Side) -> [QuoteLevel] { side == .buy ? bids : asks }

    /// The reason `side` is empty, if it is.
    @inlinable
    public func reason(_ side: Side) -> NoQuoteReason? { side == .buy ? bidReason : askReason }

    /// Clears both sides and reasons, keeping storage.
    public mutating func removeAll() {
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
        bidReason = nil
        askReason = nil
        fairTicks = .nan
        halfSpreadTicks = .nan
        alpha = nil
    }

    /// Appends a level to `side` (callers append best first).
    public mutating func append(_ level: QuoteLevel, to side: Side) {
        if side == .buy { bids.append(level) } else { asks.append(level) }
    }

    /// Removes every level of `side` and records why.
    public mutating func suppress(_ side: Side, because reason: NoQuoteReason) {
        if side == .buy {
            bids.removeAll(keepingCapacity: true)
            bidReason = reason
        } else {
            asks.removeAll(keepingCapacity: true)
            askReason = reason
        }
    }

    /// Removes everything and records the same reason for both sides.
    public mutating func suppressAll(because reason: NoQuoteReason) {
        suppress(.buy, because: reason)
        suppress(.sell, because: reason)
    }
}
