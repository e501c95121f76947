import MarketCore

/// What a strategy sees when it is asked for quotes.
///
/// Built by the engine for each update; it holds the book by value (a copy-on-write reference,
/// not a deep copy), so building it allocates nothing.
public struct QuoteInput: Sendable {
    /// The market's book now.
    public var book: OrderBook
    /// The market's increments and minimums.
    public var spec: MarketSpec
    /// The engine's current time (event time in a backtest).
    public var now: Timestamp
    /// Our signed position (positive long).
    public var position: Quantity
    /// The largest absolute position allowed.
    public var maxPosition: Quantity
    /// The base order size chosen by the sizing rule, already on the lot grid and above minimums.
    public var orderSize: Quantity
    /// An alpha from outside (e.g. Binance order-book imbalance), if any.
    public var externalAlpha: ExternalAlpha?

    /// An input.
    public init(
        book: OrderBook, spec: MarketSpec, now: Timestamp, position: Quantity, maxPosition: Quantity,
        orderSize: Quantity, externalAlpha: ExternalAlpha? = nil
    ) {
        self.book = book
        self.spec = spec
        self.now = now
        self.position = position
        self.maxPosition = maxPosition
        self.orderSize = orderSize
        self.externalAlpha = externalAlpha
    }
}

/// A signal from outside the market's own book, in z-score units, with the time it was computed.
public struct ExternalAlpha: Hashable, Sendable {
    /// The signal (positive = price expected to rise).
    public var value: Double
    /// When it was last updated.
    public var updatedAt: Timestamp
    /// A short name for the decision log, e.g. `binance_obi`.
    public var source: StaticString

    /// An alpha value observed at `updatedAt`.
    public init(value: Double, updatedAt: Timestamp, source: StaticString) {
        self.value = value
        self.updatedAt = updatedAt
        self.source = source
    }

    public static func == (lhs: ExternalAlpha, rhs: ExternalAlpha) -> Bool {
        lhs.value == rhs.value && lhs.updatedAt == rhs.updatedAt
            && lhs.source.description == rhs.source.description
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
        hasher.combine(updatedAt)
    }
}

/// A quoting strategy: turns market state into target quotes.
///
/// Strategies never read the wall clock, sleep or talk to the network: time comes in
/// ``QuoteInput/now``. They may keep estimators (volatility, imbalance) updated from what they are
/// shown. The engine calls ``quote(_:into:)`` after every book change it acts on, and
/// ``observe(trade:)`` for every public trade.
public protocol QuoteStrategy: Sendable {
    /// A short name for logs and reports, e.g. `as`, `glft`, `volobi`, `grid`.
    var name: String { get }

    /// Updates the strategy's estimators from `input` and writes the quotes it wants into `targets`
    /// (which the caller has cleared).
    mutating func quote(_ input: QuoteInput, into targets: inout QuoteTargets)

    /// Shows the strategy a public trade.
    mutating func observe(trade: Trade)
}

extension QuoteStrategy {
    /// Trades are ignored unless a strategy overrides this.
    public mutating func observe(trade: Trade) {}
}
