/// Maker and taker fee rates, in parts per million of the notional, and the exact fee of a fill.
///
/// A rate of 40 ppm is 0.004 % (0.4 bps), Lighter's base premium maker fee. Negative rates are
/// rebates. Fees are exact integers in the market's notional units
/// (`10^-(priceDecimals + sizeDecimals)` of the quote currency); a charge is rounded up and a
/// rebate rounded toward zero, so the venue never pays out a fraction it did not owe.
///
/// ```swift
/// let fees = FeeSchedule.lighterPremium                       // 40 / 280 ppm
/// fees.fee(notional: 302466 * 1000, isMaker: true)            // ceil(302_466_000 × 40 / 10^6) = 12099
/// ```
public struct FeeSchedule: Hashable, Sendable {
    /// The maker rate in parts per million of the notional (negative: a rebate).
    public var makerPPM: Int64
    /// The taker rate in parts per million of the notional (negative: a rebate).
    public var takerPPM: Int64

    /// Rates in parts per million.
    public init(makerPPM: Int64, takerPPM: Int64) {
        self.makerPPM = makerPPM
        self.takerPPM = takerPPM
    }

    /// Rates in basis points (1 bp = 100 ppm), rounded to the nearest ppm.
    public init(makerBasisPoints: Double, takerBasisPoints: Double) {
        self.makerPPM = Int64((makerBasisPoints * 100).rounded())
        self.takerPPM = Int64((takerBasisPoints * 100).rounded())
    }

    /// No fees: Lighter's standard accounts.
    public static let zero = FeeSchedule(makerPPM: 0, takerPPM: 0)
    /// Lighter's standard account: no maker or taker fee.
    public static let lighterStandard = FeeSchedule.zero
    /// Lighter's premium account at the base tier: 0.004 % maker, 0.028 % taker.
    public static let lighterPremium = FeeSchedule(makerPPM: 40, takerPPM: 280)

    /// The rate that applies to a maker or a taker execution.
    @inlinable
    public func rate(isMaker: Bool) -> Int64 { isMaker ? makerPPM : takerPPM }

    /// The exact fee of an execution of `notional` (price ticks × size lots), in notional units.
    ///
    /// A positive fee is rounded up, a rebate toward zero.
    @inlinable
    public func fee(notional: Int128, isMaker: Bool) -> Int64 {
        let rate = Int128(rate(isMaker: isMaker))
        let product = notional * rate
        let million: Int128 = 1_000_000
        if product >= 0 {
            return Int64(clamping: (product + million - 1) / million)
        } else {
            return Int64(clamping: product / million)  // truncates toward zero
        }
    }
}
