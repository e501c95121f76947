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
/// exactly equivariant, so the estimates are mapped back without loss), then BFGS with the
/// analytic gradient (`GARCHLikelihood`, value and gradient in one pass) minimises the negative
/// mean log-likelihood over an unconstrained parametrisation (`ω = e^θ`, `α+β = logistic(θ)`,
/// `α/(α+β) = logistic(θ)`, `ν = 2.05 + 497.95·logistic(θ)`, so ω > 0, α, β ≥ 0, α+β < 1 and
/// 2.05 < ν < 500 hold by construction) from the best of several starting points until two
/// runs have converged (Nelder–Mead is the last resort), and a Newton
/// step in the natural parameters, with the Hessian from differences of the analytic gradient,
/// polishes the estimate when it stays inside the constraints.
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
        let likelihood = GARCHLikelihood(returns: scaled, backcast: scaledBackcast, hasMean: hasMean, hasNu: hasNu)
        let dimension = likelihood.dimension
        let offset = hasMean ? 1 : 0

        // θ → x = (μ?, ω, α, β, ν?) in scaled units.
        func natural(_ theta: UnsafeBufferPointer<Double>, into x: UnsafeMutableBufferPointer<Double>) {
            if hasMean { x[0] = theta[0] }
            x[offset] = Double.exp(theta[offset])
            let persistence = logistic(theta[offset + 1])
            let share = logistic(theta[offset + 2])
            x[offset + 1] = persistence * share
            x[offset + 2] = persistence * (1 - share)
            if hasNu { x[offset + 3] = 2.05 + 497.95 * logistic(theta[offset + 3]) }
        }
        func naturalArray(_ theta: [Double]) -> [Double] {
            var x = [Double](repeating: 0, count: dimension)
            theta.withUnsafeBufferPointer { t in x.withUnsafeMutableBufferPointer { natural(t, into: $0) } }
            return x
        }
        // f(θ) = −log L(x(θ))/n and ∇_θ f by the chain rule; the two buffers are reused by every evaluation.
        var xBuffer = [Double](repeating: 0, count: dimension)
        var naturalGradient = [Double](repeating: 0, count: dimension)
        func objective(_ theta: UnsafeBufferPointer<Double>, _ gradient: UnsafeMutableBufferPointer<Double>) -> Double {
            xBuffer.withUnsafeMutableBufferPointer { x in
                natural(theta, into: x)
                let logL = naturalGradient.withUnsafeMutableBufferPointer {
                    likelihood.logLikelihood(UnsafeBufferPointer(x), gradient: $0)
                }
                guard logL.isFinite else { return .infinity }
                let g = naturalGradient
                if hasMean { gradient[0] = -g[0] / count }
                let omega = x[offset]
                let persistence = logistic(theta[offset + 1])
                let share = logistic(theta[offset + 2])
                let gAlpha = g[offset + 1], gBeta = g[offset + 2]
                gradient[offset] = -g[offset] * omega / count
                gradient[offset + 1] = -(gAlpha * share + gBeta * (1 - share)) * persistence * (1 - persistence) / count
                gradient[offset + 2] = -(gAlpha - gBeta) * persistence * share * (1 - share) / count
                if hasNu {
                    let l = logistic(theta[offset + 3])
                    gradient[offset + 3] = -g[offset + 3] * 497.95 * l * (1 - l) / count
                }
                return -logL / count
            }
        }
        func objectiveValue(_ theta: [Double]) -> Double {
            let x = naturalArray(theta)
            let logL = likelihood.logLikelihood(x)
            return logL.isFinite ? -logL / count : .infinity
        }

        // Several starts, evaluated once each (value only); BFGS from the best ones in order until two
        // runs have converged (the better optimum wins). Nelder–Mead is the last resort.
        var starts: [(value: Double, theta: [Double])] = []
        for (alpha, beta) in [(0.05, 0.90), (0.10, 0.80), (0.03, 0.96), (0.20, 0.50)] {
            for nu in hasNu ? [8.0, 4.0] : [0] {
                var theta: [Double] = []
                if hasMean { theta.append(sampleMean(scaled)) }
                theta.append(Double.log(1 - alpha - beta))
                theta.append(logit(alpha + beta))
                theta.append(logit(alpha / (alpha + beta)))
                if hasNu { theta.append(logit((nu - 2.05) / 497.95)) }
                let startValue = objectiveValue(theta)
                if startValue.isFinite { starts.append((startValue, theta)) }
            }
        }
        var evaluations = starts.count
        var best: (point: [Double], value: Double)?
        let bfgs = BFGSMinimizer()
        var convergedRuns = 0
        for start in starts.sorted(by: { $0.value < $1.value }) {
            let run = bfgs.minimize(objective, start: start.theta)
            evaluations += run.evaluations
            if run.value.isFinite, run.value < (best?.value ?? .infinity) { best = (run.point, run.value) }
            if run.converged { convergedRuns += 1 }
            if convergedRuns == 2 { break }
        }
        if best == nil, let first = starts.min(by: { $0.value < $1.value }) {
            let run = NelderMead().minimizeWithRestarts({ objectiveValue($0) }, start: first.theta, step: 0.3)
            evaluations += run.evaluations
            if run.value.isFinite { best = (run.point, run.value) }
        }
        guard let solution = best else {
            throw GARCHFitError(reason: "no starting point gave a finite likelihood")
        }

        // Newton polish in the natural parameters with the Hessian from central differences of the
        // analytic gradient (the same Hessian gives the standard errors); a step is kept only when it
        // stays inside the constraints and does not lower the likelihood.
        var point = naturalArray(solution.point)
        var pointLogL = -solution.value * count
        var scratch = [Double](repeating: 0, count: dimension)
        func feasible(_ x: [Double]) -> Bool {
            x[offset] > 0 && x[offset + 1] >= 0 && x[offset + 2] >= 0 && x[offset + 1] + x[offset + 2] < 1
                && (!hasNu || (x[offset + 3] > 2.05 && x[offset + 3] < 500))
        }
        var hessian = negativeHessian(likelihood, at: point, evaluations: &evaluations)
        for _ in 0..<2 {
            guard let h = hessian, let inverse = invertPositiveDefinite(h) else { break }
            var gradient = [Double](repeating: 0, count: dimension)
            _ = likelihood.logLikelihood(point, gradient: &gradient)
            evaluations += 1
            // Newton step for −log L: Δ = H⁻¹ ∇ log L (H is the Hessian of −log L).
            let step = (0..<dimension).map { i in (0..<dimension).reduce(0.0) { $0 + inverse[i][$1] * gradient[$1] } }
            let candidate = zip(point, step).map { $0 + $1 }
            guard feasible(candidate) else { break }
            let candidateLogL = likelihood.logLikelihood(candidate, gradient: &scratch)
            evaluations += 1
            guard candidateLogL.isFinite, candidateLogL >= pointLogL else { break }
            let relativeStep = zip(step, point).reduce(0.0) { max($0, abs($1.0) / max(abs($1.1), 1e-8)) }
            point = candidate
            pointLogL = candidateLogL
            if relativeStep < 1e-6 { break }
            hessian = negativeHessian(likelihood, at: point, evaluations: &evaluations)
        }
        let p = (mu: hasMean ? point[0] : 0, omega: point[offset], alpha: point[offset + 1], beta: point[offset + 2],
                 nu: hasNu ? point[offset + 3] : nil as Double?)

        // Standard errors: inverse of the Hessian of −log L in natural scaled parameters.
        let covariance = hessian.flatMap(invertPositiveDefinite)
        var errors: GARCHParameters?
        if let covariance {
            let se = covariance.indices.map { covariance[$0][$0].squareRoot() }
            var muError = 0.0
            if hasMean { muError = se[0] * scale }
            errors = GARCHParameters(
                mu: muError, omega: se[offset] * scale * scale, alpha: se[offset + 1], beta: se[offset + 2],
                nu: hasNu ? se[offset + 3] : nil)
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
        let logLikelihood = pointLogL - count * Double.log(scale)
        return GARCHFit(
            mean: mean, innovation: innovation, parameters: parameters, standardErrors: errors,
            logLikelihood: logLikelihood, observationCount: returns.count, intervalSeconds: intervalSeconds,
            backcast: start0, lastVariance: variance, nextVariance: next, evaluations: evaluations)
    }

    /// Hessian of −log L at `x` by central differences of the analytic gradient (step 1e-5 relative,
    /// at least 1e-8), symmetrised; nil if a value is not finite.
    private func negativeHessian(_ likelihood: GARCHLikelihood, at x: [Double], evaluations: inout Int) -> [[Double]]? {
        let n = x.count
        var hessian = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        var plus = [Double](repeating: 0, count: n)
        var minus = [Double](repeating: 0, count: n)
        for j in 0..<n {
            let step = max(abs(x[j]), 1e-3) * 1e-5
            var shifted = x
            shifted[j] = x[j] + step
            let up = likelihood.logLikelihood(shifted, gradient: &plus)
            shifted[j] = x[j] - step
            let down = likelihood.logLikelihood(shifted, gradient: &minus)
            evaluations += 2
            guard up.isFinite, down.isFinite else { return nil }
            for i in 0..<n { hessian[i][j] = -(plus[i] - minus[i]) / (2 * step) }
        }
        for i in 0..<n {
            for j in 0..<i {
                let average = 0.5 * (hessian[i][j] + hessian[j][i])
                guard average.isFinite else { return nil }
                hessian[i][j] = average
                hessian[j][i] = average
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
