import MarketCore

/// What a strategy's ``QuoteStrategy/quote(_:into:)`` reads, so the engine can skip asking it
/// again when none of that changed.
///
/// ``everyUpdate`` (the default for strategies that say nothing) makes the engine ask on every book
/// change. ``bestPrices(clockStepNanos:readsTrades:)`` is a promise: the quote depends only on the
/// best bid and ask *prices* (and whether the book is crossed), on the input's `spec`, `position`,
/// `maxPosition`, `orderSize` and `externalAlpha`, on the time only through `now / clockStepNanos`
/// (the step of a sampling clock), and — when `readsTrades` — on the trades shown through
/// ``QuoteStrategy/observe(trade:)``; and asking again with all of these unchanged leaves the
/// strategy's state as it is and gives the same targets. The engine then reuses the previous
/// targets instead of asking, which gives exactly the decisions asking would have given.
public struct QuoteDependencies: Hashable, Sendable {
    /// Whether the quote reads only what is listed above (`false`: anything in the input).
    public var readsOnlyBestPrices: Bool
    /// The step of the strategy's clock in nanoseconds: the quote may change when `now` crosses a
    /// multiple of it. `nil`: the quote does not read the time.
    public var clockStepNanos: Int64?
    /// Whether a public trade shown to the strategy can change its next quote.
    public var readsTrades: Bool

    /// The quote may read anything: ask on every book change.
    public static let everyUpdate = QuoteDependencies(readsOnlyBestPrices: false, clockStepNanos: nil, readsTrades: true)

    /// The quote reads only the best prices, the position, limits and sizes, the external alpha,
    /// the time through a clock of step `clockStepNanos` (`nil`: not at all), and the trades if
    /// `readsTrades`.
    public static func bestPrices(clockStepNanos: Int64?, readsTrades: Bool = false) -> QuoteDependencies {
        QuoteDependencies(
            readsOnlyBestPrices: true, clockStepNanos: clockStepNanos.map { max(1, $0) }, readsTrades: readsTrades)
    }

    private init(readsOnlyBestPrices: Bool, clockStepNanos: Int64?, readsTrades: Bool) {
        self.readsOnlyBestPrices = readsOnlyBestPrices
        self.clockStepNanos = clockStepNanos
        self.readsTrades = readsTrades
    }
}

/// A strategy that says what its quote reads (see ``QuoteDependencies``), so the engine can skip
/// quotes that could not change.
///
/// The engine reads ``quoteDependencies`` when it is given the strategy (at creation and whenever
/// ``Engine/strategy`` is assigned or changed through it), so the value must not change as a
/// side effect of ``QuoteStrategy/quote(_:into:)`` or ``QuoteStrategy/observe(trade:)``.
public protocol QuoteDependencyDeclaring {
    /// What the strategy's quote reads.
    var quoteDependencies: QuoteDependencies { get }
}
