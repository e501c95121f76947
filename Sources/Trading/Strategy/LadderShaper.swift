import MarketCore
import Quant

/// The rules every strategy's quotes pass through, and the ladder that spreads them over levels.
///
/// Given a model's bid and ask (as `Double` prices), it:
/// 1. widens the pair symmetrically to the minimum total spread, and drops both sides when the
///    model's spread exceeds the maximum (reason `spread_too_wide`);
/// 2. builds `levels` quotes per side, level `i` at `i × spacing × halfSpread` beyond the first,
///    with sizes multiplied by `sizeMultiplier` per level;
/// 3. rounds bids down and asks up to the tick, sizes down to the lot, raising them to the
///    exchange minimums (a level that still cannot meet them is dropped);
/// 4. keeps quotes passive (a bid never at or above the market's best ask, an ask never at or
///    below its best bid) and drops the pair when our bid would touch or cross our ask (reason
///    `crossed_pair`);
/// 5. suppresses the side that would grow the position when it is at the limit (reason
///    `position_limit`), keeping the side that reduces it.
public struct LadderShaper: Sendable, Hashable {
    /// Quote levels per side (1 = plain two-sided quoting).
    public var levels: Int
    /// Distance between levels as a multiple of the model's half-spread.
    public var spacing: Double
    /// Size of level `i+1` = size of level `i` × this.
    public var sizeMultiplier: Double
    /// Narrowest total spread, in basis points of mid.
    public var minSpreadBps: Double
    /// Widest total spread, in basis points of mid, before quoting stops.
    public var maxSpreadBps: Double

    /// A shaper.
    public init(levels: Int = 1, spacing: Double = 1, sizeMultiplier: Double = 1, minSpreadBps: Double = 0, maxSpreadBps: Double = 10_000) {
        self.levels = max(1, levels)
        self.spacing = spacing
        self.sizeMultiplier = sizeMultiplier
        self.minSpreadBps = minSpreadBps
        self.maxSpreadBps = maxSpreadBps
    }

    /// Writes the shaped ladder for a model quote into `targets`.
    ///
    /// - Parameters:
    ///   - bid: the model's best bid, in price units.
    ///   - ask: the model's best ask, in price units.
    ///   - mid: the market mid, in price units (for the bps limits).
    ///   - input: the strategy input (spec, position, limits, base size).
    ///   - targets: cleared by the caller; receives levels or reasons.
    public func shape(bid: Double, ask: Double, mid: Double, input: QuoteInput, into targets: inout QuoteTargets) {
        let spec = input.spec
        guard bid.isFinite, ask.isFinite, mid.isFinite, mid > 0 else {
            targets.suppressAll(because: .modelNotReady)
            return
        }
        guard ask > bid else {
            targets.suppressAll(because: .crossedPair)
            return
        }
        var bestBid = bid
        var bestAsk = ask
        let spreadBps = (bestAsk - bestBid) / mid * 10_000
        if spreadBps > maxSpreadBps {
            targets.suppressAll(because: .spreadTooWide(bps: spreadBps))
            return
        }
        let minSpread = mid * minSpreadBps / 10_000
        if bestAsk - bestBid < minSpread {
            let widen = (minSpread - (bestAsk - bestBid)) / 2
            bestBid -= widen
            bestAsk += widen
        }
        let half = (bestAsk - bestBid) / 2
        let grid = spec.priceGrid
        var firstBid = Price(ticks: grid.roundedDown(bestBid))
        var firstAsk = Price(ticks: grid.roundedUp(bestAsk))
        // Post-only safety: never bid at or above the market's best ask, nor offer at or below
        // its best bid (such an order would take, or be rejected as post-only).
        if let marketAsk = input.book.bestAsk?.price, firstBid >= marketAsk { firstBid = marketAsk - spec.tickSize }
        if let marketBid = input.book.bestBid?.price, firstAsk <= marketBid { firstAsk = marketBid + spec.tickSize }
        if firstBid >= firstAsk || firstBid.ticks <= 0 {
            targets.suppressAll(because: .crossedPair)
            return
        }

        let position = input.position.lots
        let limit = input.maxPosition.lots
        let bidAllowed = !(limit >= 0 && position >= limit)
        let askAllowed = !(limit >= 0 && position <= -limit)

        var size = Double(input.orderSize.lots)
        for level in 0..<levels {
            let offset = Double(level) * spacing * half
            let lots = floorToLot(size, spec: spec)
            if bidAllowed {
                let price =
                    level == 0
                    ? firstBid : min(Price(ticks: grid.roundedDown(bestBid - offset)), firstBid - Int64(level) * spec.tickSize)
                if price.ticks > 0 {
                    targets.append(QuoteLevel(price: price, size: Self.quoteSize(lots: lots, at: price, spec: spec)), to: .buy)
                }
            }
            if askAllowed {
                let price =
                    level == 0
                    ? firstAsk : max(Price(ticks: grid.roundedUp(bestAsk + offset)), firstAsk + Int64(level) * spec.tickSize)
                targets.append(QuoteLevel(price: price, size: Self.quoteSize(lots: lots, at: price, spec: spec)), to: .sell)
            }
            size *= sizeMultiplier
        }
        if !bidAllowed { targets.suppress(.buy, because: .positionLimit) }
        if !askAllowed { targets.suppress(.sell, because: .positionLimit) }
        targets.fairTicks = (bestBid + bestAsk) / 2 * pow10(spec.priceDecimals)
        targets.halfSpreadTicks = half * pow10(spec.priceDecimals)
    }

    /// `max(lots, spec.minimumQuantity(at: price))` for `lots` on the lot grid. When `lots`
    /// already meets both minimums (the usual case) it is the answer: it is a lot multiple at
    /// least the base minimum and at least `⌈minQuoteNotional / price⌉`, so no smaller lot
    /// multiple can exceed it; this skips the 128-bit division of `minimumQuantity`.
    @inline(__always)
    static func quoteSize(lots: Int64, at price: Price, spec: MarketSpec) -> Quantity {
        if price.ticks > 0, lots >= max(spec.minBaseAmount.lots, 1),
            Int128(lots) * Int128(price.ticks) >= Int128(spec.minQuoteNotional)
        {
            return Quantity(lots: lots)
        }
        return max(Quantity(lots: lots), spec.minimumQuantity(at: price))
    }

    private func floorToLot(_ lots: Double, spec: MarketSpec) -> Int64 {
        guard lots.isFinite, lots > 0 else { return 0 }
        let whole = Int64(min(lots, 9.0e18))
        return whole - whole % spec.lotSize
    }
}

@inlinable
func pow10(_ exponent: Int) -> Double { FixedPoint.scale(exponent) }

extension QuoteInput {
    /// The mid in price units, if the book is two-sided and not crossed.
    @inlinable
    public var midPrice: Double? {
        guard !book.isLockedOrCrossed, let mid = book.midTicks else { return nil }
        return mid / pow10(spec.priceDecimals)
    }

    /// The position in base units.
    @inlinable
    public var positionBase: Double { spec.double(position) }
}
