import RealModule

/// The closed-form quotes of Avellaneda & Stoikov (2008), "High-frequency trading in a limit
/// order book", Quantitative Finance 8(3), 217–224, equations (29)–(30):
///
/// - reservation price `r = s − q·γ·σ²·(T−t)`;
/// - optimal total spread `δ_a + δ_b = γ·σ²·(T−t) + (2/γ)·ln(1 + γ/k)`;
/// - `bid = r − δ/2`, `ask = r + δ/2`.
///
/// Units: `s` and quotes in price units; `q` in the same size unit in which the model was
/// calibrated (e.g. base-asset units or lots); `σ` in price units per √second (the mid's
/// standard deviation over one second); `T − t` in seconds; `γ` in 1/(price unit · size unit)
/// (risk aversion of the exponential utility); `k` in 1/price unit (decay of the fill
/// intensity `λ(δ) = A·e^(−kδ)` with the distance `δ` from the mid).
public enum AvellanedaStoikov {
    /// Reservation (indifference) price `r = s − q·γ·σ²·τ`, with `τ = T − t` in seconds.
    public static func reservationPrice(
        mid s: Double, inventory q: Double, gamma: Double, sigma: Double, timeRemaining tau: Double
    ) -> Double {
        s - q * gamma * sigma * sigma * tau
    }

    /// The liquidity part of the spread, `(2/γ)·ln(1 + γ/k)`; its limit `2/k` as `γ → 0`.
    /// Computed with `log(onePlus:)` so small `γ/k` keeps full precision.
    public static func liquiditySpread(gamma: Double, k: Double) -> Double {
        gamma > 0 ? (2 / gamma) * Double.log(onePlus: gamma / k) : 2 / k
    }

    /// Optimal total spread `δ = γ·σ²·τ + (2/γ)·ln(1 + γ/k)`, with `τ = T − t` in seconds.
    public static func optimalSpread(gamma: Double, sigma: Double, k: Double, timeRemaining tau: Double) -> Double {
        gamma * sigma * sigma * tau + liquiditySpread(gamma: gamma, k: k)
    }

    /// Bid and ask `r ∓ δ/2` around the reservation price.
    public static func quote(
        mid s: Double, inventory q: Double, gamma: Double, sigma: Double, k: Double, timeRemaining tau: Double
    ) -> ModelQuote {
        let r = reservationPrice(mid: s, inventory: q, gamma: gamma, sigma: sigma, timeRemaining: tau)
        let half = optimalSpread(gamma: gamma, sigma: sigma, k: k, timeRemaining: tau) / 2
        return ModelQuote(bid: r - half, ask: r + half, center: r, halfSpread: half)
    }
}

/// An Avellaneda–Stoikov quoting model with fixed `γ`, `k` and horizon; `σ` is passed on each
/// call because it is estimated live.
public struct AvellanedaStoikovModel: Sendable, Hashable {
    /// How `T − t` is obtained.
    public enum Horizon: Sendable, Hashable {
        /// Finite horizon: the session ends at `end` (seconds, on the same clock as the `time`
        /// passed to `quote`); `T − t = max(end − t, 0)`, so the inventory term and the
        /// risk part of the spread shrink to zero at the end.
        case sessionEnd(seconds: Double)
        /// Rolling horizon: `T − t = τ` always (a constant look-ahead of `τ` seconds), the
        /// usual choice for a market that never closes.
        case rolling(seconds: Double)
    }

    /// Risk aversion `γ` (> 0).
    public let gamma: Double
    /// Fill-intensity decay `k` per price unit (> 0).
    public let k: Double
    /// The horizon.
    public let horizon: Horizon

    /// Creates a model; throws if `γ` or `k` is not positive, or the rolling horizon is negative.
    public init(gamma: Double, k: Double, horizon: Horizon) throws(QuantParameterError) {
        try QuantParameterError.requirePositive(gamma, "gamma")
        try QuantParameterError.requirePositive(k, "k")
        switch horizon {
        case .sessionEnd(let end):
            guard end.isFinite else {
                throw QuantParameterError(parameter: "horizon.sessionEnd", value: end, requirement: "must be finite")
            }
        case .rolling(let tau):
            try QuantParameterError.requireNonNegative(tau, "horizon.rolling")
        }
        self.gamma = gamma
        self.k = k
        self.horizon = horizon
    }

    /// `T − t` in seconds at time `t` (seconds).
    public func timeRemaining(at t: Double) -> Double {
        switch horizon {
        case .sessionEnd(let end): return max(end - t, 0)
        case .rolling(let tau): return tau
        }
    }

    /// The quote at time `t` (seconds) for mid `s`, inventory `q` and volatility `σ` (price
    /// units per √second).
    public func quote(mid s: Double, inventory q: Double, sigma: Double, time t: Double) -> ModelQuote {
        AvellanedaStoikov.quote(mid: s, inventory: q, gamma: gamma, sigma: sigma, k: k, timeRemaining: timeRemaining(at: t))
    }
}
