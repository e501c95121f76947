/// What an exchange says about one market: its identity, decimals, increments and minimums.
///
/// Prices are integers of `10^-priceDecimals` and sizes integers of `10^-sizeDecimals` (Lighter's
/// integer encoding). `tickSize` and `lotSize` are the allowed increments in those units (1 on
/// Lighter, where the decimals already are the increments). Notional values are exact integers
/// in units of `10^-(priceDecimals + sizeDecimals)` of the quote currency.
///
/// ```swift
/// let eth = try MarketSpec(symbol: "ETH", marketID: 0, priceDecimals: 2, sizeDecimals: 4,
///                          minBaseAmount: "0.0050", minQuoteAmount: "10")
/// let price = try eth.price("3024.66")          // Price(ticks: 302466)
/// eth.string(price)                               // "3024.66"
/// ```
public struct MarketSpec: Hashable, Sendable, CustomStringConvertible {
    /// Errors building a spec or converting values.
    public struct Error: Swift.Error, Hashable, CustomStringConvertible {
        /// What went wrong, in words.
        public let description: String
    }

    /// The market's symbol, e.g. `ETH`.
    public var symbol: String
    /// The exchange's market index.
    public var marketID: Int
    /// Decimals of the integer price.
    public var priceDecimals: Int
    /// Decimals of the integer size.
    public var sizeDecimals: Int
    /// The price increment, in price units (≥ 1).
    public var tickSize: Int64
    /// The size increment, in size units (≥ 1).
    public var lotSize: Int64
    /// The smallest order size the exchange accepts.
    public var minBaseAmount: Quantity
    /// The smallest order notional the exchange accepts, in units of `10^-notionalDecimals`.
    public var minQuoteNotional: Int64

    /// Creates a spec from integer values.
    ///
    /// - Throws: ``Error`` if decimals are outside 0…12 together, or increments are not positive.
    public init(
        symbol: String, marketID: Int, priceDecimals: Int, sizeDecimals: Int, tickSize: Int64 = 1,
        lotSize: Int64 = 1, minBaseAmount: Quantity = .zero, minQuoteNotional: Int64 = 0
    ) throws(Error) {
        guard (0...12).contains(priceDecimals), (0...12).contains(sizeDecimals),
            priceDecimals + sizeDecimals <= 18
        else {
            throw Error(description: "\(symbol): price/size decimals \(priceDecimals)/\(sizeDecimals) out of range")
        }
        guard tickSize > 0, lotSize > 0 else {
            throw Error(description: "\(symbol): tick size and lot size must be positive")
        }
        guard minBaseAmount.lots >= 0, minQuoteNotional >= 0 else {
            throw Error(description: "\(symbol): minimums must not be negative")
        }
        self.symbol = symbol
        self.marketID = marketID
        self.priceDecimals = priceDecimals
        self.sizeDecimals = sizeDecimals
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.minBaseAmount = minBaseAmount
        self.minQuoteNotional = minQuoteNotional
    }

    /// Creates a spec with minimums given as decimal text, as the exchange publishes them.
    public init(
        symbol: String, marketID: Int, priceDecimals: Int, sizeDecimals: Int,
        minBaseAmount: String, minQuoteAmount: String
    ) throws(Error) {
        let base: Int64
        let quote: Int64
        do {
            base = try FixedPoint.parse(minBaseAmount, decimals: sizeDecimals)
            quote = try FixedPoint.parse(minQuoteAmount, decimals: priceDecimals + sizeDecimals)
        } catch {
            throw Error(description: "\(symbol): minimums: \(error)")
        }
        try self.init(
            symbol: symbol, marketID: marketID, priceDecimals: priceDecimals, sizeDecimals: sizeDecimals,
            minBaseAmount: Quantity(lots: base), minQuoteNotional: quote)
    }

    /// Decimals of an exact notional (price × size).
    @inlinable
    public var notionalDecimals: Int { priceDecimals + sizeDecimals }

    public var description: String {
        "\(symbol)#\(marketID) (price decimals \(priceDecimals), size decimals \(sizeDecimals))"
    }

    // MARK: Prices

    /// Parses decimal text into a price, exactly.
    /// - Throws: ``Error`` if the text is not a number or has more decimals than the market.
    public func price(_ text: some StringProtocol) throws(Error) -> Price {
        do { return Price(ticks: try FixedPoint.parse(text, decimals: priceDecimals)) } catch {
            throw Error(description: "\(symbol) price: \(error)")
        }
    }

    /// The price as decimal text with the market's decimals.
    public func string(_ price: Price) -> String { FixedPoint.format(price.ticks, decimals: priceDecimals) }

    /// The price as a `Double` (for models).
    @inlinable @inline(__always)
    public func double(_ price: Price) -> Double { FixedPoint.double(price.ticks, decimals: priceDecimals) }

    /// The nearest price on the tick grid at or below `value` (for bids).
    @inlinable @inline(__always)
    public func priceRoundedDown(_ value: Double) -> Price { Price(ticks: priceGrid.roundedDown(value)) }

    /// The nearest price on the tick grid at or above `value` (for asks).
    @inlinable @inline(__always)
    public func priceRoundedUp(_ value: Double) -> Price { Price(ticks: priceGrid.roundedUp(value)) }

    /// The price grid (decimals and tick), for code that rounds many prices in a row.
    @inlinable
    public var priceGrid: DecimalGrid { DecimalGrid(scale: FixedPoint.scale(priceDecimals), increment: tickSize) }

    /// The size grid (decimals and lot).
    @inlinable
    public var sizeGrid: DecimalGrid { DecimalGrid(scale: FixedPoint.scale(sizeDecimals), increment: lotSize) }

    /// The nearest price on the tick grid to `value`.
    @inlinable
    public func priceRounded(_ value: Double) -> Price {
        let units = FastRounding.nearest(value * FixedPoint.scale(priceDecimals) / Double(tickSize))
        return Price(ticks: saturatingInt64(units) * tickSize)
    }

    // MARK: Sizes

    /// Parses decimal text into a size, exactly.
    public func quantity(_ text: some StringProtocol) throws(Error) -> Quantity {
        do { return Quantity(lots: try FixedPoint.parse(text, decimals: sizeDecimals)) } catch {
            throw Error(description: "\(symbol) size: \(error)")
        }
    }

    /// The size as decimal text with the market's decimals.
    public func string(_ quantity: Quantity) -> String { FixedPoint.format(quantity.lots, decimals: sizeDecimals) }

    /// The size as a `Double` (for models).
    @inlinable @inline(__always)
    public func double(_ quantity: Quantity) -> Double { FixedPoint.double(quantity.lots, decimals: sizeDecimals) }

    /// The largest size on the lot grid at or below `value` (never rounds an order up by accident).
    @inlinable @inline(__always)
    public func quantityRoundedDown(_ value: Double) -> Quantity { Quantity(lots: sizeGrid.roundedDown(value)) }

    /// The smallest size on the lot grid at or above `value`.
    @inlinable @inline(__always)
    public func quantityRoundedUp(_ value: Double) -> Quantity { Quantity(lots: sizeGrid.roundedUp(value)) }

    // MARK: Notional and minimums

    /// The exact notional of `quantity` at `price`, in units of `10^-notionalDecimals`.
    @inlinable
    public func notional(price: Price, quantity: Quantity) -> Int128 {
        Int128(price.ticks) * Int128(quantity.lots)
    }

    /// The notional as a `Double` in quote currency.
    @inlinable
    public func notionalValue(price: Price, quantity: Quantity) -> Double {
        double(price) * double(quantity)
    }

    /// Whether an order of `quantity` at `price` meets the minimum size and notional.
    @inlinable
    public func meetsMinimums(price: Price, quantity: Quantity) -> Bool {
        quantity >= minBaseAmount && quantity.lots > 0
            && notional(price: price, quantity: quantity) >= Int128(minQuoteNotional)
    }

    /// The smallest size on the lot grid at `price` that meets both minimums.
    public func minimumQuantity(at price: Price) -> Quantity {
        var lots = ceilToMultiple(max(minBaseAmount.lots, 1), of: lotSize)
        if price.ticks > 0 {
            let needed = (Int128(minQuoteNotional) + Int128(price.ticks) - 1) / Int128(price.ticks)
            lots = max(lots, ceilToMultiple(Int64(clamping: needed), of: lotSize))
        }
        return Quantity(lots: lots)
    }
}

@inlinable @inline(__always)
func floorToMultiple(_ value: Int64, of step: Int64) -> Int64 {
    if step == 1 { return value }  // Lighter's increments: no division
    let remainder = value % step
    return remainder >= 0 ? value - remainder : value - remainder - step
}

@inlinable @inline(__always)
func ceilToMultiple(_ value: Int64, of step: Int64) -> Int64 {
    if step == 1 { return value }
    let remainder = value % step
    return remainder <= 0 ? value - remainder : value - remainder + step
}

/// Snaps a scaled value to the nearest integer when it is within floating-point noise of it, so
/// that `3024.66 × 100 = 302465.99999999994` rounds down to `302466`, not `302465`.
@inlinable @inline(__always)
func snapped(_ units: Double) -> Double {
    let nearest = FastRounding.nearest(units)
    return abs(units - nearest) <= 1e-9 * max(1, abs(units)) ? nearest : units
}

/// Converts a whole-valued `Double` to `Int64`, saturating at the bounds (NaN becomes 0).
@inlinable @inline(__always)
func saturatingInt64(_ value: Double) -> Int64 {
    if value.isNaN { return 0 }
    if value >= 9.223372036854775e18 { return .max }
    if value <= -9.223372036854775e18 { return .min }
    return Int64(value)
}

/// The integer grid of a market's prices or sizes: values are integers of `1 / scale`, on
/// multiples of `increment`. Two words, so rounding many values in a row passes nothing large.
public struct DecimalGrid: Hashable, Sendable {
    /// `10^decimals`.
    public let scale: Double
    /// The increment in integer units (the tick or the lot, ≥ 1).
    public let increment: Int64

    /// A grid of `increment` units of `1 / scale`.
    @inlinable
    public init(scale: Double, increment: Int64) {
        self.scale = scale
        self.increment = increment
    }

    /// The largest grid value at or below `value` (a value within floating-point noise of a whole
    /// unit counts as that unit), in integer units, saturating at the `Int64` bounds.
    @inlinable @inline(__always)
    public func roundedDown(_ value: Double) -> Int64 {
        floorToMultiple(saturatingInt64(FastRounding.down(snapped(value * scale))), of: increment)
    }

    /// The smallest grid value at or above `value`, in integer units (as ``roundedDown(_:)``).
    @inlinable @inline(__always)
    public func roundedUp(_ value: Double) -> Int64 {
        ceilToMultiple(saturatingInt64(FastRounding.up(snapped(value * scale))), of: increment)
    }
}
