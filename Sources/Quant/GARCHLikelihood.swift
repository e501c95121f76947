import RealModule

/// The GARCH(1,1) log-likelihood of a fixed return series and, in the same pass, its gradient
/// with respect to the natural parameters `x = [μ?, ω, α, β, ν?]` (μ only for a constant
/// mean, ν only for Student-t innovations).
///
/// The gradient follows the variance recursion: with `h_t = ω + α ε²_{t−1} + β h_{t−1}` and
/// `h_0 = ω + (α+β)·b` (b the backcast, independent of the parameters),
/// `∂h_t/∂ω = 1 + β ∂h_{t−1}/∂ω`, `∂h_t/∂α = ε²_{t−1} + β ∂h_{t−1}/∂α`,
/// `∂h_t/∂β = h_{t−1} + β ∂h_{t−1}/∂β`, `∂h_t/∂μ = −2α ε_{t−1} + β ∂h_{t−1}/∂μ`
/// (at t = 0: 1, b, b, 0), and `∂ℓ/∂θ = ∂ℓ_t/∂h_t · ∂h_t/∂θ` plus the direct terms in μ and ν.
///
/// Speed: one loop over a contiguous buffer, nothing allocated per evaluation, and no logarithm
/// per observation: `Σ log h_t` is taken as the logarithm of a running product whose binary
/// exponent is moved into an integer every 8 factors (exact up to rounding, and safe from
/// overflow for factors within about 10^±38). A product that stops being a normal number
/// (a non-positive, infinite or NaN variance) makes the value −∞.
struct GARCHLikelihood {
    /// The returns (contiguous).
    let returns: [Double]
    /// σ²₀ the recursion starts from.
    let backcast: Double
    /// Whether x starts with μ.
    let hasMean: Bool
    /// Whether x ends with ν.
    let hasNu: Bool

    /// Length of the parameter vector x.
    var dimension: Int { 3 + (hasMean ? 1 : 0) + (hasNu ? 1 : 0) }

    /// The log-likelihood at `x`; when `gradient` is non-nil it receives ∂ log L/∂x
    /// (`dimension` values). Non-finite (−∞ or NaN) when x is outside the model's domain.
    func logLikelihood(_ x: UnsafeBufferPointer<Double>, gradient: UnsafeMutableBufferPointer<Double>?) -> Double {
        let offset = hasMean ? 1 : 0
        let mu = hasMean ? x[0] : 0
        let omega = x[offset]
        let alpha = x[offset + 1]
        let beta = x[offset + 2]
        if hasNu {
            let nu = x[offset + 3]
            guard nu > 2, nu.isFinite else { return -.infinity }
            return studentT(mu: mu, omega: omega, alpha: alpha, beta: beta, nu: nu, gradient: gradient)
        }
        return normal(mu: mu, omega: omega, alpha: alpha, beta: beta, gradient: gradient)
    }

    /// Convenience over arrays (allocates nothing when `gradient` already has `dimension` elements).
    func logLikelihood(_ x: [Double], gradient: inout [Double]) -> Double {
        if gradient.count != dimension { gradient = [Double](repeating: 0, count: dimension) }
        return x.withUnsafeBufferPointer { point in
            gradient.withUnsafeMutableBufferPointer { logLikelihood(point, gradient: $0) }
        }
    }

    /// Value only, over an array.
    func logLikelihood(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { logLikelihood($0, gradient: nil) }
    }

    private static let logTwo = Double.log(2.0)

    private func normal(
        mu: Double, omega: Double, alpha: Double, beta: Double, gradient: UnsafeMutableBufferPointer<Double>?
    ) -> Double {
        let count = returns.count
        let b = backcast
        var product = 1.0
        var exponentSum = 0
        var sumRatio = 0.0
        var valid = true
        if let gradient {
            var gMu = 0.0, gOmega = 0.0, gAlpha = 0.0, gBeta = 0.0
            returns.withUnsafeBufferPointer { r in
                var h = omega + (alpha + beta) * b
                var dOmega = 1.0, dAlpha = b, dBeta = b, dMu = 0.0
                var previousSquare = 0.0, previousE = 0.0
                for t in 0..<count {
                    if t > 0 {
                        dOmega = 1 + beta * dOmega
                        dAlpha = previousSquare + beta * dAlpha
                        dBeta = h + beta * dBeta
                        dMu = -2 * alpha * previousE + beta * dMu
                        h = omega + alpha * previousSquare + beta * h
                    }
                    let e = r[t] - mu
                    let square = e * e
                    let inverse = 1 / h
                    let ratio = square * inverse
                    sumRatio += ratio
                    product *= h
                    if t & 7 == 7 {
                        guard product.isNormal, product > 0 else { valid = false; return }
                        exponentSum += Int(product.exponent)
                        product = product.significand
                    }
                    // 2 ∂ℓ/∂h = (ε²/h − 1)/h.
                    let weight = (ratio - 1) * inverse
                    gOmega += weight * dOmega
                    gAlpha += weight * dAlpha
                    gBeta += weight * dBeta
                    gMu += weight * dMu + 2 * e * inverse
                    previousSquare = square
                    previousE = e
                }
            }
            var index = 0
            if hasMean { gradient[0] = 0.5 * gMu; index = 1 }
            gradient[index] = 0.5 * gOmega
            gradient[index + 1] = 0.5 * gAlpha
            gradient[index + 2] = 0.5 * gBeta
        } else {
            returns.withUnsafeBufferPointer { r in
                var h = omega + (alpha + beta) * b
                var previousSquare = 0.0
                for t in 0..<count {
                    if t > 0 { h = omega + alpha * previousSquare + beta * h }
                    let e = r[t] - mu
                    let square = e * e
                    sumRatio += square / h
                    product *= h
                    if t & 7 == 7 {
                        guard product.isNormal, product > 0 else { valid = false; return }
                        exponentSum += Int(product.exponent)
                        product = product.significand
                    }
                    previousSquare = square
                }
            }
        }
        guard valid, product.isNormal, product > 0 else { return -.infinity }
        let sumLogVariance = Double.log(product) + Double(exponentSum) * Self.logTwo
        return -0.5 * (Double(count) * Double.log(2 * Double.pi) + sumLogVariance + sumRatio)
    }

    private func studentT(
        mu: Double, omega: Double, alpha: Double, beta: Double, nu: Double,
        gradient: UnsafeMutableBufferPointer<Double>?
    ) -> Double {
        let count = returns.count
        let b = backcast
        let half = (nu + 1) / 2
        let inverseNuMinusTwo = 1 / (nu - 2)
        var productVariance = 1.0
        var exponentVariance = 0
        var productTail = 1.0
        var exponentTail = 0
        var valid = true
        @inline(__always) func renormalize() -> Bool {
            guard productVariance.isNormal, productVariance > 0, productTail.isNormal, productTail > 0 else { return false }
            exponentVariance += Int(productVariance.exponent)
            productVariance = productVariance.significand
            exponentTail += Int(productTail.exponent)
            productTail = productTail.significand
            return true
        }
        if let gradient {
            var gMu = 0.0, gOmega = 0.0, gAlpha = 0.0, gBeta = 0.0, sumShare = 0.0
            returns.withUnsafeBufferPointer { r in
                var h = omega + (alpha + beta) * b
                var dOmega = 1.0, dAlpha = b, dBeta = b, dMu = 0.0
                var previousSquare = 0.0, previousE = 0.0
                for t in 0..<count {
                    if t > 0 {
                        dOmega = 1 + beta * dOmega
                        dAlpha = previousSquare + beta * dAlpha
                        dBeta = h + beta * dBeta
                        dMu = -2 * alpha * previousE + beta * dMu
                        h = omega + alpha * previousSquare + beta * h
                    }
                    let e = r[t] - mu
                    let square = e * e
                    let inverse = 1 / h
                    let q = square * inverse * inverseNuMinusTwo
                    let onePlusQ = 1 + q
                    let share = q / onePlusQ
                    sumShare += share
                    productVariance *= h
                    productTail *= onePlusQ
                    if t & 7 == 7, !renormalize() { valid = false; return }
                    // ∂ℓ/∂h = ((ν+1)/2 · q/(1+q) − ½)/h.
                    let weight = (half * share - 0.5) * inverse
                    gOmega += weight * dOmega
                    gAlpha += weight * dAlpha
                    gBeta += weight * dBeta
                    gMu += weight * dMu + 2 * half * e * inverse * inverseNuMinusTwo / onePlusQ
                    previousSquare = square
                    previousE = e
                }
            }
            if valid {
                let sumLogTail = Double.log(productTail) + Double(exponentTail) * Self.logTwo
                let constantDerivative = 0.5 * digamma((nu + 1) / 2) - 0.5 * digamma(nu / 2) - 0.5 * inverseNuMinusTwo
                let gNu = Double(count) * constantDerivative - 0.5 * sumLogTail + half * inverseNuMinusTwo * sumShare
                var index = 0
                if hasMean { gradient[0] = gMu; index = 1 }
                gradient[index] = gOmega
                gradient[index + 1] = gAlpha
                gradient[index + 2] = gBeta
                gradient[index + 3] = gNu
            }
        } else {
            returns.withUnsafeBufferPointer { r in
                var h = omega + (alpha + beta) * b
                var previousSquare = 0.0
                for t in 0..<count {
                    if t > 0 { h = omega + alpha * previousSquare + beta * h }
                    let e = r[t] - mu
                    let square = e * e
                    productVariance *= h
                    productTail *= 1 + square / h * inverseNuMinusTwo
                    if t & 7 == 7, !renormalize() { valid = false; return }
                    previousSquare = square
                }
            }
        }
        guard valid, productVariance.isNormal, productVariance > 0, productTail.isNormal, productTail > 0 else {
            return -.infinity
        }
        let constant = Double.logGamma((nu + 1) / 2) - Double.logGamma(nu / 2) - 0.5 * Double.log(Double.pi * (nu - 2))
        let sumLogVariance = Double.log(productVariance) + Double(exponentVariance) * Self.logTwo
        let sumLogTail = Double.log(productTail) + Double(exponentTail) * Self.logTwo
        return Double(count) * constant - 0.5 * sumLogVariance - half * sumLogTail
    }
}

/// The digamma function ψ(x) = d/dx ln Γ(x) for x > 0: the recurrence ψ(x) = ψ(x+1) − 1/x up
/// to x ≥ 10, then the asymptotic series ln x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ) to x⁻¹⁰ (error < 1e-13).
func digamma(_ value: Double) -> Double {
    guard value > 0, value.isFinite else { return .nan }
    var x = value
    var result = 0.0
    while x < 10 {
        result -= 1 / x
        x += 1
    }
    let f = 1 / (x * x)
    let series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))))
    return result + Double.log(x) - 0.5 / x - series
}
