import RealModule

/// The closed-form asymptotic quotes of Guéant, Lehalle & Fernandez-Tapia, "Dealing with the
/// inventory risk: a solution to the market making problem", Mathematics and Financial
/// Economics 7 (2013), 477–507 (arXiv:1105.3115), in the form used by hftbacktest's tutorial
/// "GLFT market making model and grid trading" (nkaz001/hftbacktest, `compute_coeff`):
///
/// - `c1 = (1/(ξΔ))·ln(1 + ξΔ/k)`
/// - `c2 = sqrt( γ/(2·A·Δ·k) · (1 + ξΔ/k)^(k/(ξΔ) + 1) )`
/// - half spread `h = c1 + (Δ/2)·σ·c2`, skew `s = σ·c2`
/// - `bid = mid − (h + s·q)`, `ask = mid + (h − s·q)`, i.e. both quotes are centred on
///   `mid − s·q` (the reservation price).
///
/// `ξ = γ` gives the model's main special case (exponential utility); `ξ = 0` (risk-neutral
/// objective with a running inventory penalty) is the limit `c1 = 1/k`,
/// `c2 = sqrt(γ·e/(2·A·Δ·k))`.
///
/// Units: `A` in fills per second at zero distance and `k` per price unit, from the fill
/// intensity `λ(δ) = A·e^(−kδ)`; `σ` in price units per √second; `Δ` is the order size and `q`
/// the inventory expressed in orders (position / order size), so hftbacktest's convention is
/// `Δ = 1`. `γ` and `ξ` are per (price unit × order).
public enum GLFT {
    /// The two coefficients of the GLFT approximation.
    public struct Coefficients: Sendable, Hashable {
        /// `c1 = (1/(ξΔ))·ln(1 + ξΔ/k)`, in price units.
        public var c1: Double
        /// `c2 = sqrt(γ/(2AΔk)·(1 + ξΔ/k)^(k/(ξΔ)+1))`, in √second (so `σ·c2` is a price).
        public var c2: Double

        /// Creates the coefficients from known values.
        public init(c1: Double, c2: Double) {
            self.c1 = c1
            self.c2 = c2
        }
    }

    /// Computes `c1` and `c2`. `ξ = 0` uses the analytic limit; `ln(1+x)` and the power are
    /// evaluated through `log(onePlus:)` so small `ξΔ/k` keeps full precision.
    public static func coefficients(gamma: Double, xi: Double, delta: Double, A: Double, k: Double) -> Coefficients {
        let x = xi * delta / k
        if x == 0 {
            return Coefficients(c1: 1 / k, c2: (gamma * Double.exp(1) / (2 * A * delta * k)).squareRoot())
        }
        let log1p = Double.log(onePlus: x)
        let c1 = log1p / (xi * delta)
        let power = Double.exp((k / (xi * delta) + 1) * log1p)
        let c2 = (gamma / (2 * A * delta * k) * power).squareRoot()
        return Coefficients(c1: c1, c2: c2)
    }

    /// Half spread `c1 + (Δ/2)·σ·c2`, in price units.
    public static func halfSpread(_ coefficients: Coefficients, sigma: Double, delta: Double) -> Double {
        coefficients.c1 + delta / 2 * sigma * coefficients.c2
    }

    /// Skew per order of inventory `σ·c2`, in price units.
    public static func skew(_ coefficients: Coefficients, sigma: Double) -> Double {
        sigma * coefficients.c2
    }

    /// `bid = mid − (h + s·q)`, `ask = mid + (h − s·q)`, with `q` the inventory in orders.
    public static func quote(
        mid: Double, inventoryInOrders q: Double, sigma: Double, delta: Double, coefficients: Coefficients
    ) -> ModelQuote {
        let half = halfSpread(coefficients, sigma: sigma, delta: delta)
        let center = mid - skew(coefficients, sigma: sigma) * q
        return ModelQuote(bid: center - half, ask: center + half, center: center, halfSpread: half)
    }
}

/// A GLFT quoting model with fixed parameters; the coefficients are computed once at init.
public struct GLFTModel: Sendable, Hashable {
    /// Risk aversion `γ` (> 0).
    public let gamma: Double
    /// `ξ` (≥ 0); `ξ = γ` for the exponential-utility case.
    public let xi: Double
    /// Order size `Δ` in the position's unit (> 0). Inventory is divided by it.
    public let orderSize: Double
    /// Fill intensity at zero distance `A`, per second (> 0).
    public let A: Double
    /// Fill-intensity decay `k` per price unit (> 0).
    public let k: Double
    /// `c1`, `c2` for these parameters (with `Δ = 1` order, hftbacktest's convention).
    public let coefficients: GLFT.Coefficients

    /// Creates the model. `xi` defaults to `gamma`. The coefficients use `Δ = 1` (one order)
    /// and the inventory is expressed in orders of `orderSize`, as in hftbacktest.
    public init(gamma: Double, xi: Double? = nil, orderSize: Double, A: Double, k: Double) throws(QuantParameterError) {
        try QuantParameterError.requirePositive(gamma, "gamma")
        let xiValue = xi ?? gamma
        try QuantParameterError.requireNonNegative(xiValue, "xi")
        try QuantParameterError.requirePositive(orderSize, "orderSize")
        try QuantParameterError.requirePositive(A, "A")
        try QuantParameterError.requirePositive(k, "k")
        self.gamma = gamma
        self.xi = xiValue
        self.orderSize = orderSize
        self.A = A
        self.k = k
        self.coefficients = GLFT.coefficients(gamma: gamma, xi: xiValue, delta: 1, A: A, k: k)
    }

    /// The quote for mid `mid`, position `position` (in the unit of `orderSize`) and
    /// volatility `σ` (price units per √second).
    public func quote(mid: Double, position: Double, sigma: Double) -> ModelQuote {
        GLFT.quote(mid: mid, inventoryInOrders: position / orderSize, sigma: sigma, delta: 1, coefficients: coefficients)
    }
}
