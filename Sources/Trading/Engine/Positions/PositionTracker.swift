import MarketCore

/// Our position and PnL in one market, in exact integers.
///
/// Amounts are *notional units*: `10^-(priceDecimals + sizeDecimals)` of the quote currency, the
/// units of ``MarketSpec/notional(price:quantity:)`` and of ``Fill/fee``. Products use `Int128`.
///
/// The open position's cost is kept as a signed *cost basis* (Σ price × signed lots of the open
/// part: positive long, negative short). Reducing a position removes the closed share of the basis,
/// `basis × closed / |position|`, rounded toward zero; the rounding stays in the basis, so the
/// realised PnL of a round trip that ends flat is exact and intermediate values are off by less than
/// one notional unit.
///
/// ```swift
/// var book = PositionTracker()
/// book.apply(side: .buy, price: Price(ticks: 100), size: Quantity(lots: 2), fee: 3)
/// book.apply(side: .sell, price: Price(ticks: 110), size: Quantity(lots: 1), fee: 2)
/// book.realisedPnL        // 10   (sold 1 at 110 that cost 100)
/// book.feesPaid           // 5
/// book.unrealisedPnL(mark: Price(ticks: 120))   // 20   (1 lot: 120 − 100)
/// ```
public struct PositionTracker: Hashable, Sendable {
    /// The signed position (positive long).
    public private(set) var position: Quantity
    /// The signed cost of the open position, in notional units.
    public private(set) var costBasis: Int128
    /// Realised PnL before fees, in notional units.
    public private(set) var realisedPnL: Int128
    /// Fees paid (rebates negative), in notional units.
    public private(set) var feesPaid: Int128
    /// Total size bought, in lots.
    public private(set) var boughtLots: Int64
    /// Total size sold, in lots.
    public private(set) var soldLots: Int64
    /// Total notional traded (both sides), in notional units.
    public private(set) var tradedNotional: Int128
    /// Number of fills applied.
    public private(set) var fillCount: Int

    /// Flat, with nothing traded.
    public init() {
        position = .zero
        costBasis = 0
        realisedPnL = 0
        feesPaid = 0
        boughtLots = 0
        soldLots = 0
        tradedNotional = 0
        fillCount = 0
    }

    /// Applies one execution.
    ///
    /// - Parameters:
    ///   - side: our side.
    ///   - price: the execution price.
    ///   - size: the executed size (positive).
    ///   - fee: the fee in notional units (negative for a rebate).
    public mutating func apply(side: Side, price: Price, size: Quantity, fee: Int64) {
        guard size.lots > 0 else { return }
        fillCount += 1
        feesPaid += Int128(fee)
        let notional = Int128(price.ticks) * Int128(size.lots)
        tradedNotional += notional
        if side == .buy { boughtLots += size.lots } else { soldLots += size.lots }

        var remaining = size.lots
        let current = position.lots
        if current != 0 && (current > 0) != (side == .buy) {
            // Reducing: close up to |position| lots against the basis.
            let open = current.magnitude
            let closed = Int64(min(UInt64(remaining), open))
            let removed = costBasis * Int128(closed) / Int128(open)
            let direction: Int128 = current > 0 ? 1 : -1
            realisedPnL += direction * Int128(price.ticks) * Int128(closed) - removed
            costBasis -= removed
            position.lots += side.sign * closed
            remaining -= closed
            if position.lots == 0 { costBasis = 0 }
        }
        if remaining > 0 {
            // Opening or growing.
            costBasis += Int128(side.sign) * Int128(price.ticks) * Int128(remaining)
            position.lots += side.sign * remaining
        }
    }

    /// Applies a fill event.
    public mutating func apply(_ fill: Fill) {
        apply(side: fill.side, price: fill.price, size: fill.size, fee: fill.fee)
    }

    /// PnL of the open position marked at `mark`, in notional units.
    @inlinable
    public func unrealisedPnL(mark: Price) -> Int128 {
        Int128(position.lots) * Int128(mark.ticks) - costBasis
    }

    /// Realised + unrealised − fees, in notional units.
    @inlinable
    public func netPnL(mark: Price) -> Int128 {
        realisedPnL + unrealisedPnL(mark: mark) - feesPaid
    }

    /// The average entry price of the open position in ticks (fractional), or `nil` if flat.
    public var averageEntryTicks: Double? {
        guard position.lots != 0 else { return nil }
        return Double(costBasis) / Double(position.lots)
    }

    /// Replaces the position with the venue's view (after a mismatch), keeping realised PnL and fees.
    ///
    /// - Parameters:
    ///   - position: the venue's signed position.
    ///   - averageEntry: the venue's average entry price; if `nil` the basis is kept at our average
    ///     entry (or zero when we were flat).
    public mutating func reset(position newPosition: Quantity, averageEntry: Price?) {
        if let entry = averageEntry {
            costBasis = Int128(newPosition.lots) * Int128(entry.ticks)
        } else if position.lots != 0 {
            costBasis = costBasis * Int128(newPosition.lots) / Int128(position.lots)
        } else {
            costBasis = 0
        }
        position = newPosition
        if position.lots == 0 { costBasis = 0 }
    }
}

extension MarketSpec {
    /// A notional amount (in units of `10^-notionalDecimals`) as a `Double` in quote currency, for display.
    @inlinable
    public func notionalDouble(_ units: Int128) -> Double {
        Double(units) / Double(FixedPoint.powersOfTen[notionalDecimals])
    }

    /// A USD amount as notional units, rounded toward zero (for comparing against exact PnL).
    @inlinable
    public func notionalUnits(usd: Double) -> Int128 {
        Int128((usd * Double(FixedPoint.powersOfTen[notionalDecimals])).rounded(.towardZero))
    }
}
