import RealModule

/// The distribution of the standardised innovations `z_t` of a GARCH model.
public enum GARCHInnovation: String, Sendable, Hashable, Codable {
    /// Standard normal.
    case normal
    /// Student's t with `ν > 2` degrees of freedom, scaled to unit variance (the `arch`
    /// package's `StudentsT`).
    case studentT
}

/// The mean of the returns in a GARCH model.
public enum GARCHMean: String, Sendable, Hashable, Codable {
    /// `r_t = ε_t` (the `arch` package's `ZeroMean`).
    case zero
    /// `r_t = μ + ε_t` (the `arch` package's `ConstantMean`).
    case constant
}

/// Parameters of a GARCH(1,1) model, in the units of the returns it was fitted on (one return
/// per interval of `intervalSeconds`): `r_t = μ + ε_t`, `ε_t = σ_t z_t`,
/// `σ²_t = ω + α ε²_{t−1} + β σ²_{t−1}`.
public struct GARCHParameters: Sendable, Hashable, Codable {
    /// Mean return per interval (0 for a zero-mean model).
    public var mu: Double
    /// Variance intercept ω (return units squared, per interval).
    public var omega: Double
    /// ARCH coefficient α (dimensionless).
    public var alpha: Double
    /// GARCH coefficient β (dimensionless).
    public var beta: Double
    /// Student-t degrees of freedom ν; nil for normal innovations.
    public var nu: Double?

    /// Creates the parameter set.
    public init(mu: Double, omega: Double, alpha: Double, beta: Double, nu: Double? = nil) {
        self.mu = mu
        self.omega = omega
        self.alpha = alpha
        self.beta = beta
        self.nu = nu
    }

    /// Persistence `α + β` (< 1 for a stationary model).
    public var persistence: Double { alpha + beta }

    /// Unconditional variance per interval `ω / (1 − α − β)`; +∞ when `α + β ≥ 1`.
    public var unconditionalVariance: Double {
        persistence < 1 ? omega / (1 - persistence) : .infinity
    }
}

/// Why a GARCH fit was not made or not used.
public struct GARCHFitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in words.
    public let reason: String

    /// Creates the error with `reason`.
    public init(reason: String) { self.reason = reason }

    /// `GARCH fit failed: <reason>`.
    public var description: String { "GARCH fit failed: \(reason)" }
}

/// A fitted GARCH(1,1) model: estimates, standard errors, log-likelihood and the conditional
/// variance at the end of the sample.
///
/// Units: parameters and variances are per interval of `intervalSeconds` (the spacing of the
/// returns). `nextVariance`, `forecastVariance(horizon:)` and `unconditionalVariance` are in
/// return units squared per interval; the `perSecond…` and `perDay…` properties convert them
/// assuming variance adds up over time (variance per second = variance per interval / Δ;
/// per day = per second × 86 400).
public struct GARCHFit: Sendable, Hashable, Codable {
    /// The mean specification fitted.
    public let mean: GARCHMean
    /// The innovation distribution fitted.
    public let innovation: GARCHInnovation
    /// Maximum-likelihood estimates.
    public let parameters: GARCHParameters
    /// Standard errors from the inverse of the numerical Hessian of the log-likelihood (the
    /// "classic" covariance, not the sandwich); nil when the Hessian is not positive definite
    /// (for example an estimate on the boundary α ≈ 0).
    public let standardErrors: GARCHParameters?
    /// Maximised log-likelihood (natural log, returns in their own units).
    public let logLikelihood: Double
    /// Number of returns fitted.
    public let observationCount: Int
    /// Seconds between consecutive returns.
    public let intervalSeconds: Double
    /// The value σ²₀ the recursion starts from (the `arch` backcast: 0.94-weighted mean of the
    /// first min(75, n) squared demeaned returns).
    public let backcast: Double
    /// Conditional variance σ²_T of the last return.
    public let lastVariance: Double
    /// One-step-ahead conditional variance σ²_{T+1} (per interval).
    public let nextVariance: Double
    /// Function evaluations the optimiser spent (all starts).
    public let evaluations: Int

    /// Unconditional (long-run) variance per interval.
    public var unconditionalVariance: Double { parameters.unconditionalVariance }

    /// Variance forecasts for the next `horizon` intervals: `E[σ²_{T+h}]` for h = 1…horizon,
    /// `σ²_{T+h} = ω + (α+β) σ²_{T+h−1}` from `σ²_{T+1}`.
    public func forecastVariance(horizon: Int) -> [Double] {
        guard horizon > 0 else { return [] }
        var forecasts = [nextVariance]
        for _ in 1..<horizon {
            forecasts.append(parameters.omega + parameters.persistence * (forecasts.last ?? nextVariance))
        }
        return forecasts
    }

    /// Next-interval volatility expressed per second: `sqrt(σ²_{T+1} / Δ)`.
    public var perSecondVolatility: Double { (nextVariance / intervalSeconds).squareRoot() }
    /// Next-interval volatility expressed per day (86 400 s): `sqrt(σ²_{T+1} · 86400 / Δ)`.
    public var perDayVolatility: Double { (nextVariance * 86_400 / intervalSeconds).squareRoot() }
    /// Long-run volatility per second: `sqrt(ω / (1−α−β) / Δ)`.
    public var perSecondUnconditionalVolatility: Double { (unconditionalVariance / intervalSeconds).squareRoot() }
    /// Long-run volatility per day: `sqrt(ω / (1−α−β) · 86400 / Δ)`.
    public var perDayUnconditionalVolatility: Double {
        (unconditionalVariance * 86_400 / intervalSeconds).squareRoot()
    }
}

/// A GARCH(1,1) model specification and its maximum-likelihood fit.
///
/// The likelihood matches the `arch` package (version 8) exactly: the recursion starts from
/// `σ²₀ = ω + (α+β)·b` where `b` is the backcast computed once from the returns demeaned by
/// their sample mean (constant mean) or not demeaned (zero mean); normal log density
/// `−½(log 2π + log σ² + ε²/σ²)`; Student-t log density
/// `lnΓ((ν+1)/2) − lnΓ(ν/2) − ½ log(π(ν−2)) − ½ log σ² − (ν+1)/2 · log(1 + ε²/(σ²(ν−2)))`.
///
/// Fitting: the returns are divided by their sample standard deviation (the likelihood is
/// exactly equivariant, so the estimates are mapped back without loss), then Nelder–Mead
/// minimises the negative mean log-likelihood over an unconstrained parametrisation
/// (`ω = e^θ`, `α+β = logistic(θ)`, `α/(α+β) = logistic(θ)`, `ν = 2.05 + 497.95·logistic(θ)`,
/// so ω > 0, α, β ≥ 0, α+β < 1 and 2.05 < ν < 500 hold by construction) from the two best of
/// several starting points, and the best run is polished by restarts.
public struct GARCHModel: Sendable, Hashable {
    /// The mean specification.
    public var mean: GARCHMean
    /// The innovation distribution.
    public var innovation: GARCHInnovation
    /// Fewer returns than this is an error (`estimateVolatility` falls back to the rolling std).
    public var minimumObservations: Int

    /// Creates the specification.
    public init(mean: GARCHMean = .zero, innovation: GARCHInnovation = .normal, minimumObservations: Int = 100) {
        self.mean = mean
        self.innovation = innovation
        self.minimumObservations = minimumObservations
    }

    /// The backcast σ²₀ for `returns`: `Σ w_i e_i² / Σ w_i` over the first min(75, n) values,
    /// `w_i = 0.94^i`, with `e = r − mean(r)` (constant mean) or `e = r` (zero mean).
    public func backcast(_ returns: [Double]) -> Double {
        let center = mean == .constant ? sampleMean(returns) : 0
        let count = min(75, returns.count)
        var weighted = 0.0
        var weights = 0.0
        var weight = 1.0
        for index in 0..<count {
            let e = returns[index] - center
            weighted += weight * e * e
            weights += weight
            weight *= 0.94
        }
        return weights > 0 ? weighted / weights : 0
    }

    /// Log-likelihood of `returns` under `parameters` with the recursion started at `backcast`
    /// (default: `backcast(returns)`). `mu` is ignored for a zero-mean model; `nu` is required
    /// for Student-t innovations (nil gives −∞).
    public func logLikelihood(_ returns: [Double], parameters: GARCHParameters, backcast: Double? = nil) -> Double {
        let start = backcast ?? self.backcast(returns)
        return Self.logLikelihood(
            returns, mu: mean == .constant ? parameters.mu : 0, omega: parameters.omega,
            alpha: parameters.alpha, beta: parameters.beta, nu: innovation == .studentT ? (parameters.nu ?? .nan) : nil,
            backcast: start)
    }

    static func logLikelihood(
        _ returns: [Double], mu: Double, omega: Double, alpha: Double, beta: Double, nu: Double?, backcast: Double
    ) -> Double {
        var variance = omega + (alpha + beta) * backcast
        var previousSquare = 0.0
        var total = 0.0
        if let nu {
            guard nu > 2 else { return -.infinity }
            let constant = Double.logGamma((nu + 1) / 2) - Double.logGamma(nu / 2) - 0.5 * Double.log(Double.pi * (nu - 2))
            let half = (nu + 1) / 2
            for (index, r) in returns.enumerated() {
                if index > 0 { variance = omega + alpha * previousSquare + beta * variance }
                let e = r - mu
                previousSquare = e * e
                total += -0.5 * Double.log(variance) - half * Double.log(1 + previousSquare / (variance * (nu - 2)))
            }
            total += Double(returns.count) * constant
        } else {
            let logTwoPi = Double.log(2 * Double.pi)
            for (index, r) in returns.enumerated() {
                if index > 0 { variance = omega + alpha * previousSquare + beta * variance }
                let e = r - mu
                previousSquare = e * e
                total += -0.5 * (logTwoPi + Double.log(variance) + previousSquare / variance)
            }
        }
        return total
    }

    /// Fits the model to `returns` (one per `intervalSeconds`) by maximum likelihood.
    ///
    /// - Throws: `GARCHFitError` when there are fewer than `minimumObservations` returns, a
    ///   return is not finite, the returns have zero variance, or no start gives a finite
    ///   likelihood.
    public func fit(_ returns: [Double], intervalSeconds: Double = 1) throws(GARCHFitError) -> GARCHFit {
        guard intervalSeconds.isFinite, intervalSeconds > 0 else {
            throw GARCHFitError(reason: "interval must be > 0 seconds, got \(intervalSeconds)")
        }
        guard returns.count >= max(minimumObservations, 10) else {
            throw GARCHFitError(reason: "\(returns.count) returns, need at least \(max(minimumObservations, 10))")
        }
        guard returns.allSatisfy(\.isFinite) else {
            throw GARCHFitError(reason: "a return is not finite (NaN or infinite)")
        }
        let sampleAverage = sampleMean(returns)
        let scale = (returns.reduce(0) { $0 + ($1 - sampleAverage) * ($1 - sampleAverage) } / Double(returns.count))
            .squareRoot()
        let largest = returns.reduce(0) { max($0, abs($1)) }
        guard scale > 1e-12 * largest, scale.isFinite else {
            throw GARCHFitError(reason: "the returns have zero variance")
        }
        let scaled = returns.map { $0 / scale }
        let scaledBackcast = backcast(scaled)
        let count = Double(scaled.count)
        let hasMean = mean == .constant
        let hasNu = innovation == .studentT

        // θ → (μ, ω, α, β, ν) in scaled units.
        func natural(_ theta: [Double]) -> (mu: Double, omega: Double, alpha: Double, beta: Double, nu: Double?) {
            var index = 0
            var mu = 0.0
            if hasMean { mu = theta[0]; index = 1 }
            let omega = Double.exp(theta[index])
            let persistence = logistic(theta[index + 1])
            let share = logistic(theta[index + 2])
            let nu: Double? = hasNu ? 2.05 + 497.95 * logistic(theta[index + 3]) : nil
            return (mu, omega, persistence * share, persistence * (1 - share), nu)
        }
        func objective(_ theta: [Double]) -> Double {
            let p = natural(theta)
            return -Self.logLikelihood(
                scaled, mu: p.mu, omega: p.omega, alpha: p.alpha, beta: p.beta, nu: p.nu, backcast: scaledBackcast) / count
        }

        // Several starts: evaluate each, run the simplex from the two best (the full runs dominate the cost).
        let optimizer = NelderMead()
        var starts: [(value: Double, theta: [Double])] = []
        for (alpha, beta) in [(0.05, 0.90), (0.10, 0.80), (0.03, 0.96), (0.20, 0.50)] {
            for nu in hasNu ? [8.0, 4.0] : [0] {
                var theta: [Double] = []
                if hasMean { theta.append(sampleMean(scaled)) }
                theta.append(Double.log(1 - alpha - beta))
                theta.append(logit(alpha + beta))
                theta.append(logit(alpha / (alpha + beta)))
                if hasNu { theta.append(logit((nu - 2.05) / 497.95)) }
                let value = objective(theta)
                if value.isFinite { starts.append((value, theta)) }
            }
        }
        var evaluations = starts.count
        var best: NelderMead.Result?
        for start in starts.sorted(by: { $0.value < $1.value }).prefix(2) {
            let run = optimizer.minimize(objective, start: start.theta, step: 0.3)
            evaluations += run.evaluations
            if run.value.isFinite, run.value < (best?.value ?? .infinity) { best = run }
        }
        guard let start = best else {
            throw GARCHFitError(reason: "no starting point gave a finite likelihood")
        }
        let polished = optimizer.minimizeWithRestarts(objective, start: start.point, step: 0.05)
        evaluations += polished.evaluations
        let solution = polished.value <= start.value ? polished : start
        guard solution.value.isFinite else {
            throw GARCHFitError(reason: "the optimiser ended on a non-finite likelihood")
        }
        let p = natural(solution.point)

        // Standard errors: central-difference Hessian of −log L in natural scaled parameters.
        var naturalPoint: [Double] = []
        if hasMean { naturalPoint.append(p.mu) }
        naturalPoint += [p.omega, p.alpha, p.beta]
        if let nu = p.nu { naturalPoint.append(nu) }
        func negativeLogLikelihood(_ x: [Double]) -> Double {
            var index = 0
            var mu = 0.0
            if hasMean { mu = x[0]; index = 1 }
            return -Self.logLikelihood(
                scaled, mu: mu, omega: x[index], alpha: x[index + 1], beta: x[index + 2],
                nu: hasNu ? x[index + 3] : nil, backcast: scaledBackcast)
        }
        let covariance = numericalHessian(negativeLogLikelihood, at: naturalPoint).flatMap(invertPositiveDefinite)
        var errors: GARCHParameters?
        if let covariance {
            let se = covariance.indices.map { covariance[$0][$0].squareRoot() }
            var index = 0
            var muError = 0.0
            if hasMean { muError = se[0] * scale; index = 1 }
            errors = GARCHParameters(
                mu: muError, omega: se[index] * scale * scale, alpha: se[index + 1], beta: se[index + 2],
                nu: hasNu ? se[index + 3] : nil)
        }

        let parameters = GARCHParameters(
            mu: p.mu * scale, omega: p.omega * scale * scale, alpha: p.alpha, beta: p.beta, nu: p.nu)
        let start0 = backcast(returns)
        // Final recursion in original units for the end-of-sample variance.
        var variance = parameters.omega + parameters.persistence * start0
        var previousSquare = 0.0
        for (index, r) in returns.enumerated() {
            if index > 0 { variance = parameters.omega + parameters.alpha * previousSquare + parameters.beta * variance }
            let e = r - (hasMean ? parameters.mu : 0)
            previousSquare = e * e
        }
        let next = parameters.omega + parameters.alpha * previousSquare + parameters.beta * variance
        let logLikelihood = -solution.value * count - count * Double.log(scale)
        return GARCHFit(
            mean: mean, innovation: innovation, parameters: parameters, standardErrors: errors,
            logLikelihood: logLikelihood, observationCount: returns.count, intervalSeconds: intervalSeconds,
            backcast: start0, lastVariance: variance, nextVariance: next, evaluations: evaluations)
    }

    /// Central-difference Hessian of `function` at `point`; nil if a value is not finite.
    private func numericalHessian(_ function: ([Double]) -> Double, at point: [Double]) -> [[Double]]? {
        let n = point.count
        let steps = point.map { max(abs($0), 1e-3) * 1e-4 }
        var hessian = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        let center = function(point)
        for i in 0..<n {
            for j in i..<n {
                func shifted(_ di: Double, _ dj: Double) -> Double {
                    var x = point
                    x[i] += di * steps[i]
                    x[j] += dj * steps[j]
                    return function(x)
                }
                let value: Double
                if i == j {
                    value = (shifted(1, 0) - 2 * center + shifted(-1, 0)) / (steps[i] * steps[i])
                } else {
                    value = (shifted(1, 1) - shifted(1, -1) - shifted(-1, 1) + shifted(-1, -1))
                        / (4 * steps[i] * steps[j])
                }
                guard value.isFinite else { return nil }
                hessian[i][j] = value
                hessian[j][i] = value
            }
        }
        return hessian
    }
}

/// A volatility estimate per interval: a GARCH fit, or the sample standard deviation when the
/// fit failed or the data is too short (flagged, with the reason).
public enum VolatilityEstimate: Sendable, Hashable {
    /// The GARCH fit succeeded.
    case garch(GARCHFit)
    /// Fallback: the population standard deviation of the last `window` returns (per
    /// interval), and why GARCH was not used.
    case rollingStandardDeviation(perInterval: Double, window: Int, intervalSeconds: Double, reason: String)

    /// Whether this is the fallback.
    public var isFallback: Bool {
        if case .rollingStandardDeviation = self { return true }
        return false
    }

    /// Next-interval volatility expressed per second.
    public var perSecondVolatility: Double {
        switch self {
        case .garch(let fit): fit.perSecondVolatility
        case .rollingStandardDeviation(let sigma, _, let interval, _): sigma / interval.squareRoot()
        }
    }

    /// Estimates the volatility of `returns`: a GARCH fit with `model`; when it throws or the
    /// fit is non-stationary (α+β ≥ 0.9999), the standard deviation of the last `window` returns
    /// (all if fewer), flagged with the reason.
    public static func estimate(
        _ returns: [Double], intervalSeconds: Double = 1, model: GARCHModel = GARCHModel(), window: Int = 3_600
    ) -> VolatilityEstimate {
        let reason: String
        do {
            let fit = try model.fit(returns, intervalSeconds: intervalSeconds)
            if fit.parameters.persistence < 0.9999, fit.nextVariance.isFinite, fit.nextVariance > 0 {
                return .garch(fit)
            }
            reason = "GARCH fit is not stationary (α+β = \(fit.parameters.persistence))"
        } catch {
            reason = error.description
        }
        var stats = RollingStats(capacity: max(window, 1))
        for value in returns where value.isFinite { stats.push(value) }
        return .rollingStandardDeviation(
            perInterval: stats.standardDeviation, window: stats.count, intervalSeconds: intervalSeconds, reason: reason)
    }
}

private func sampleMean(_ values: [Double]) -> Double {
    values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
}

private func logistic(_ x: Double) -> Double { 1 / (1 + Double.exp(-x)) }

private func logit(_ p: Double) -> Double { Double.log(p / (1 - p)) }
