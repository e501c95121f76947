/// A two-sided quote produced by a pricing model, in price units (`Double`; rounding to the
/// market's tick happens outside Quant).
public struct ModelQuote: Sendable, Hashable {
    /// Bid price.
    public var bid: Double
    /// Ask price.
    public var ask: Double
    /// The price the quote is built around: the reservation price (Avellaneda–Stoikov,
    /// GLFT) or the fair price (vol+OBI).
    public var center: Double
    /// Half of the model's total spread, `(ask − bid)/2` before any floor or clamp applied by
    /// the caller.
    public var halfSpread: Double

    /// Creates a quote.
    public init(bid: Double, ask: Double, center: Double, halfSpread: Double) {
        self.bid = bid
        self.ask = ask
        self.center = center
        self.halfSpread = halfSpread
    }
}
