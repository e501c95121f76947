import MarketCore

extension SizingConfiguration {
    /// The order size at `mid`: the rule's size rounded down to the lot, then raised to the smallest
    /// size that meets the market's minimum base amount and minimum notional at `mid`.
    ///
    /// ```swift
    /// // capital 1000 USD × usage 0.1 × leverage 2 / mid 2000 = 0.1 ETH
    /// SizingConfiguration(rule: .capitalFraction(usage: 0.1, leverage: 2))
    ///     .orderSize(spec: eth, mid: Price(ticks: 200_000), capitalUSD: 1000)   // 0.1000
    /// ```
    /// - Parameters:
    ///   - spec: the market.
    ///   - mid: the mid price (positive).
    ///   - capitalUSD: the capital to size with, when the configuration does not fix one.
    /// - Returns: the size, or `nil` if the rule needs a capital and none is known, or `mid` is not positive.
    public func orderSize(spec: MarketSpec, mid: Price, capitalUSD reported: Double?) -> Quantity? {
        guard mid.ticks > 0 else { return nil }
        let raw: Quantity
        switch rule {
        case .fixed(let size):
            raw = Quantity(lots: size.lots - size.lots % spec.lotSize)
        case .capitalFraction(let usage, let leverage):
            guard let capital = capitalUSD ?? reported, capital.isFinite, capital > 0 else { return nil }
            let base = capital * usage * leverage / spec.double(mid)
            guard base.isFinite, base >= 0 else { return nil }
            raw = spec.quantityRoundedDown(base)
        }
        let minimum = spec.minimumQuantity(at: mid)
        return raw < minimum ? minimum : raw
    }
}
