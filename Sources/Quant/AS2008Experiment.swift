import RealModule

/// Parameters of the Monte-Carlo experiment of Avellaneda & Stoikov (2008), "High-frequency
/// trading in a limit order book", Quantitative Finance 8(3), 217–224, section 3.3
/// ("Numerical simulations"): `s = 100, T = 1, σ = 2, dt = 0.005, q = 0, k = 1.5, A = 140`.
public struct AS2008Parameters: Sendable, Hashable, Codable {
    /// Initial mid price `s₀`.
    public var initialMid: Double
    /// Horizon `T` (time units; the paper's are abstract).
    public var horizon: Double
    /// Volatility `σ`, price units per √time unit.
    public var sigma: Double
    /// Time step `dt`.
    public var timeStep: Double
    /// Initial inventory `q₀`.
    public var initialInventory: Double
    /// Fill intensity at zero distance `A`, per time unit.
    public var intensityA: Double
    /// Fill-intensity decay `k`, per price unit.
    public var intensityK: Double

    /// Creates parameters; the defaults are the paper's.
    public init(
        initialMid: Double = 100, horizon: Double = 1, sigma: Double = 2, timeStep: Double = 0.005,
        initialInventory: Double = 0, intensityA: Double = 140, intensityK: Double = 1.5
    ) {
        self.initialMid = initialMid
        self.horizon = horizon
        self.sigma = sigma
        self.timeStep = timeStep
        self.initialInventory = initialInventory
        self.intensityA = intensityA
        self.intensityK = intensityK
    }

    /// The paper's parameters.
    public static let paper = AS2008Parameters()

    /// Number of steps `round(T/dt)` (200 for the paper).
    public var stepCount: Int { Int((horizon / timeStep).rounded()) }
}

/// The two quoting strategies the paper compares.
public enum AS2008Strategy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Quotes the optimal spread `γσ²(T−t) + (2/γ)ln(1+γ/k)` around the reservation price
    /// `r = s − qγσ²(T−t)`.
    case inventory
    /// Quotes the inventory strategy's time-averaged spread, constant, around the mid price.
    case symmetric
}

/// Statistics of one strategy over all simulated paths.
public struct AS2008Summary: Sendable, Hashable, Codable {
    /// The strategy.
    public var strategy: AS2008Strategy
    /// Number of simulated paths `n`.
    public var paths: Int
    /// Mean quoted total spread `δ_a + δ_b` over all steps and paths.
    public var averageSpread: Double
    /// Mean terminal profit `X_T + q_T·s_T`.
    public var profitMean: Double
    /// Sample standard deviation of the terminal profit (divisor `n − 1`).
    public var profitStd: Double
    /// Standard error of `profitMean`: `profitStd/√n`.
    public var profitMeanStandardError: Double
    /// Standard error of `profitStd` by the delta method, `sqrt((m₄ − s⁴)/n)/(2s)`, with `m₄`
    /// the fourth central moment (valid for non-normal profits too).
    public var profitStdStandardError: Double
    /// Mean terminal inventory `q_T`.
    public var finalInventoryMean: Double
    /// Sample standard deviation of the terminal inventory.
    public var finalInventoryStd: Double
    /// Standard error of `finalInventoryMean`.
    public var finalInventoryMeanStandardError: Double
    /// Standard error of `finalInventoryStd` (delta method, as for the profit).
    public var finalInventoryStdStandardError: Double
}

/// The result of the experiment for one `γ`.
public struct AS2008Result: Sendable, Hashable, Codable {
    /// Risk aversion `γ`.
    public var gamma: Double
    /// RNG seed.
    public var seed: UInt64
    /// The parameters used.
    public var parameters: AS2008Parameters
    /// The inventory strategy's statistics.
    public var inventory: AS2008Summary
    /// The symmetric strategy's statistics.
    public var symmetric: AS2008Summary
    /// The paper's published row for this `γ`, if it published one.
    public var published: AS2008PublishedTable?
}

/// One row of the paper's tables.
public struct AS2008PublishedRow: Sendable, Hashable, Codable {
    /// Average spread.
    public var averageSpread: Double
    /// Mean profit.
    public var profit: Double
    /// Standard deviation of profit.
    public var profitStd: Double
    /// Mean final inventory.
    public var finalInventory: Double
    /// Standard deviation of final inventory.
    public var finalInventoryStd: Double
}

/// One of the paper's tables (1000 simulations each): the two strategies for one `γ`.
public struct AS2008PublishedTable: Sendable, Hashable, Codable {
    /// Table number in the paper.
    public var table: Int
    /// `γ` of the table.
    public var gamma: Double
    /// The inventory strategy's row.
    public var inventory: AS2008PublishedRow
    /// The symmetric strategy's row.
    public var symmetric: AS2008PublishedRow
    /// Number of simulations behind the table.
    public var paths: Int
}

/// The Monte-Carlo experiment of Avellaneda & Stoikov (2008), section 3.3, reproduced.
///
/// For each path and each of the `N = T/dt` steps, at time `t = i·dt` with mid `s`, inventory
/// `q` and cash `X`:
/// 1. the strategy sets its quotes (`AS2008Strategy`); `δ_a = ask − s`, `δ_b = s − bid`;
/// 2. with probability `λ(δ_a)·dt = A·e^(−kδ_a)·dt` (read literally, as the paper does: a value
///    ≥ 1 is a certain fill) the ask is hit: `q −= 1`, `X += ask`; independently, with
///    probability `A·e^(−kδ_b)·dt` the bid is hit: `q += 1`, `X −= bid`;
/// 3. the mid moves by `+σ√dt` or `−σ√dt` with probability 1/2 each.
///
/// The terminal profit is `X_T + q_T·s_T`. The symmetric strategy quotes, around the mid, the
/// inventory strategy's spread averaged over the time grid,
/// `(2/γ)ln(1+γ/k) + γσ²·(T − dt(N−1)/2)` (the paper: it "uses the average bid/ask spread of the
/// inventory strategy over the time period, but centres it around the mid-price").
///
/// Randomness comes from `Xoshiro256StarStar(seed:)` only: the same seed gives the same numbers.
public enum AS2008Experiment {
    /// The `γ` values of the paper's tables 1–3.
    public static let publishedGammas: [Double] = [0.1, 0.01, 1]

    /// The paper's tables 1–3 (Quantitative Finance 8(3), pp. 222–223), 1000 simulations each.
    /// The "Average spread" column equals the closed form `γσ²T/2 + (2/γ)ln(1+γ/k)`:
    /// 1.4908, 1.3489, 3.0217.
    public static let publishedTables: [AS2008PublishedTable] = [
        AS2008PublishedTable(
            table: 1, gamma: 0.1,
            inventory: AS2008PublishedRow(averageSpread: 1.49, profit: 65.0, profitStd: 6.6, finalInventory: 0.08, finalInventoryStd: 2.9),
            symmetric: AS2008PublishedRow(averageSpread: 1.49, profit: 68.4, profitStd: 12.7, finalInventory: 0.26, finalInventoryStd: 8.4),
            paths: 1000),
        AS2008PublishedTable(
            table: 2, gamma: 0.01,
            inventory: AS2008PublishedRow(averageSpread: 1.35, profit: 68.6, profitStd: 8.7, finalInventory: 0.12, finalInventoryStd: 5.1),
            symmetric: AS2008PublishedRow(averageSpread: 1.35, profit: 68.8, profitStd: 12.8, finalInventory: 0.09, finalInventoryStd: 8.7),
            paths: 1000),
        AS2008PublishedTable(
            table: 3, gamma: 1,
            inventory: AS2008PublishedRow(averageSpread: 3.02, profit: 31.4, profitStd: 5.0, finalInventory: 0.02, finalInventoryStd: 1.7),
            symmetric: AS2008PublishedRow(averageSpread: 3.02, profit: 44.0, profitStd: 11.0, finalInventory: 0.00, finalInventoryStd: 5.1),
            paths: 1000),
    ]

    /// The published table for `gamma`, if any.
    public static func publishedTable(gamma: Double) -> AS2008PublishedTable? {
        publishedTables.first { $0.gamma == gamma }
    }

    /// Runs `paths` simulations of both strategies for risk aversion `gamma`, seeded with `seed`.
    /// Throws if `gamma`, `paths` or a parameter is out of range.
    public static func run(
        gamma: Double, paths: Int, seed: UInt64, parameters: AS2008Parameters = .paper
    ) throws(QuantParameterError) -> AS2008Result {
        try QuantParameterError.requirePositive(gamma, "gamma")
        guard paths >= 2 else {
            throw QuantParameterError(parameter: "paths", value: Double(paths), requirement: "must be >= 2")
        }
        try QuantParameterError.requirePositive(parameters.horizon, "horizon")
        try QuantParameterError.requirePositive(parameters.timeStep, "timeStep")
        try QuantParameterError.requireNonNegative(parameters.sigma, "sigma")
        try QuantParameterError.requirePositive(parameters.intensityA, "intensityA")
        try QuantParameterError.requirePositive(parameters.intensityK, "intensityK")
        guard parameters.stepCount >= 1 else {
            throw QuantParameterError(parameter: "timeStep", value: parameters.timeStep, requirement: "must be <= horizon")
        }

        var generator = Xoshiro256StarStar(seed: seed)
        let symmetricSpread = averageInventorySpread(gamma: gamma, parameters: parameters)
        var inventoryStats = PathStatistics()
        var symmetricStats = PathStatistics()
        for _ in 0..<paths {
            inventoryStats.add(simulatePath(.inventory, gamma: gamma, symmetricSpread: symmetricSpread, parameters: parameters, generator: &generator))
            symmetricStats.add(simulatePath(.symmetric, gamma: gamma, symmetricSpread: symmetricSpread, parameters: parameters, generator: &generator))
        }
        return AS2008Result(
            gamma: gamma, seed: seed, parameters: parameters,
            inventory: inventoryStats.summary(.inventory),
            symmetric: symmetricStats.summary(.symmetric),
            published: parameters == .paper ? publishedTable(gamma: gamma) : nil)
    }

    /// The inventory strategy's spread averaged over the time grid `t_i = i·dt`, `i < N`:
    /// `(2/γ)ln(1+γ/k) + γσ²·(T − dt·(N−1)/2)`.
    public static func averageInventorySpread(gamma: Double, parameters: AS2008Parameters) -> Double {
        let steps = Double(parameters.stepCount)
        let meanRemaining = parameters.horizon - parameters.timeStep * (steps - 1) / 2
        return AvellanedaStoikov.liquiditySpread(gamma: gamma, k: parameters.intensityK)
            + gamma * parameters.sigma * parameters.sigma * meanRemaining
    }

    /// One path: returns (profit, final inventory, sum of quoted spreads).
    private static func simulatePath(
        _ strategy: AS2008Strategy, gamma: Double, symmetricSpread: Double,
        parameters p: AS2008Parameters, generator: inout Xoshiro256StarStar
    ) -> (profit: Double, inventory: Double, spreadSum: Double) {
        let steps = p.stepCount
        let priceStep = p.sigma * p.timeStep.squareRoot()
        let variance = p.sigma * p.sigma
        let liquidity = AvellanedaStoikov.liquiditySpread(gamma: gamma, k: p.intensityK)
        var mid = p.initialMid
        var inventory = p.initialInventory
        var cash = 0.0
        var spreadSum = 0.0
        for step in 0..<steps {
            let remaining = p.horizon - Double(step) * p.timeStep
            let center: Double
            let spread: Double
            switch strategy {
            case .inventory:
                center = mid - inventory * gamma * variance * remaining
                spread = gamma * variance * remaining + liquidity
            case .symmetric:
                center = mid
                spread = symmetricSpread
            }
            spreadSum += spread
            let ask = center + spread / 2
            let bid = center - spread / 2
            let askProbability = p.intensityA * Double.exp(-p.intensityK * (ask - mid)) * p.timeStep
            let bidProbability = p.intensityA * Double.exp(-p.intensityK * (mid - bid)) * p.timeStep
            if generator.nextUnitDouble() < askProbability {
                inventory -= 1
                cash += ask
            }
            if generator.nextUnitDouble() < bidProbability {
                inventory += 1
                cash -= bid
            }
            mid += generator.next() & 1 == 0 ? priceStep : -priceStep
        }
        return (cash + inventory * mid, inventory, spreadSum / Double(steps))
    }
}

/// Accumulates per-path outcomes and turns them into an `AS2008Summary`.
private struct PathStatistics {
    var profits: [Double] = []
    var inventories: [Double] = []
    var spreadSum = 0.0

    mutating func add(_ path: (profit: Double, inventory: Double, spreadSum: Double)) {
        profits.append(path.profit)
        inventories.append(path.inventory)
        spreadSum += path.spreadSum
    }

    func summary(_ strategy: AS2008Strategy) -> AS2008Summary {
        let profit = Moments(profits)
        let inventory = Moments(inventories)
        return AS2008Summary(
            strategy: strategy, paths: profits.count,
            averageSpread: spreadSum / Double(profits.count),
            profitMean: profit.mean, profitStd: profit.std,
            profitMeanStandardError: profit.meanStandardError, profitStdStandardError: profit.stdStandardError,
            finalInventoryMean: inventory.mean, finalInventoryStd: inventory.std,
            finalInventoryMeanStandardError: inventory.meanStandardError,
            finalInventoryStdStandardError: inventory.stdStandardError)
    }
}

/// Sample mean, standard deviation and their standard errors.
private struct Moments {
    let mean: Double
    let std: Double
    let meanStandardError: Double
    let stdStandardError: Double

    init(_ values: [Double]) {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        var m2 = 0.0
        var m4 = 0.0
        for value in values {
            let d = value - mean
            m2 += d * d
            m4 += d * d * d * d
        }
        let sampleVariance = m2 / (n - 1)
        let fourth = m4 / n
        let std = sampleVariance.squareRoot()
        self.mean = mean
        self.std = std
        self.meanStandardError = std / n.squareRoot()
        // Var(s²) ≈ (m₄ − s⁴)/n; SE(s) ≈ SE(s²)/(2s).
        let varianceOfVariance = max(fourth - sampleVariance * sampleVariance, 0) / n
        self.stdStandardError = std > 0 ? varianceOfVariance.squareRoot() / (2 * std) : 0
    }
}
