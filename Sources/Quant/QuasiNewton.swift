/// BFGS quasi-Newton minimisation of a smooth function with an analytic gradient, on an
/// unconstrained space (Nocedal & Wright, *Numerical Optimization*, 2nd ed., algorithm 6.1:
/// inverse-Hessian update, backtracking Armijo line search with safeguarded quadratic
/// interpolation, the first step's Hessian scaled by sᵀy/yᵀy, updates skipped when the
/// curvature sᵀy is not positive). Deterministic. Used by the GARCH fit on a reparametrisation
/// that keeps the model's constraints by construction.
struct BFGSMinimizer {
    /// The point reached, its value and gradient, how many function+gradient evaluations were
    /// spent, and whether it converged (the gradient test, or `stallIterations` iterations of
    /// negligible progress) rather than failing the line search or reaching the iteration cap.
    struct Result {
        var point: [Double]
        var value: Double
        var gradient: [Double]
        var evaluations: Int
        var converged: Bool
    }

    /// Largest number of iterations.
    var maximumIterations = 300
    /// Converged when every gradient component is at most this in absolute value.
    var gradientTolerance = 1e-9
    /// Largest step (max-norm) of the first iteration, before any curvature is known.
    var firstStepLength = 0.5
    /// Also converged after this many consecutive iterations that each lowered the value by at most
    /// `stallTolerance`·max(1, |value|) (a run creeping along a flat valley toward a boundary of the
    /// original parameters, where the reparametrised gradient vanishes only slowly).
    var stallIterations = 10
    /// See `stallIterations`.
    var stallTolerance = 1e-13

    /// Minimises `function`, which returns the value at its first argument and writes the
    /// gradient into its second (same length). Non-finite values count as +∞ (the line search
    /// backs off).
    func minimize(
        _ function: (UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Double,
        start: [Double]
    ) -> Result {
        let n = start.count
        var evaluations = 0
        func evaluate(_ x: [Double], _ g: inout [Double]) -> Double {
            evaluations += 1
            let value = x.withUnsafeBufferPointer { point in g.withUnsafeMutableBufferPointer { function(point, $0) } }
            return value.isFinite && g.allSatisfy(\.isFinite) ? value : .infinity
        }
        var x = start
        var gradient = [Double](repeating: 0, count: n)
        var value = evaluate(x, &gradient)
        guard value.isFinite else {
            return Result(point: x, value: .infinity, gradient: gradient, evaluations: evaluations, converged: false)
        }
        // Inverse Hessian approximation, row-major.
        var inverse = [Double](repeating: 0, count: n * n)
        for i in 0..<n { inverse[i * n + i] = 1 }
        var direction = [Double](repeating: 0, count: n)
        var trial = [Double](repeating: 0, count: n)
        var trialGradient = [Double](repeating: 0, count: n)
        var s = [Double](repeating: 0, count: n)
        var y = [Double](repeating: 0, count: n)
        var hy = [Double](repeating: 0, count: n)
        var firstUpdate = true
        var converged = false
        var stalled = 0

        for iteration in 0..<maximumIterations {
            if gradient.allSatisfy({ abs($0) <= gradientTolerance }) { converged = true; break }
            for i in 0..<n {
                var sum = 0.0
                for j in 0..<n { sum -= inverse[i * n + j] * gradient[j] }
                direction[i] = sum
            }
            var slope = zip(direction, gradient).reduce(0) { $0 + $1.0 * $1.1 }
            if !(slope < 0) {
                // Not a descent direction: restart from steepest descent.
                for i in 0..<n * n { inverse[i] = 0 }
                for i in 0..<n { inverse[i * n + i] = 1; direction[i] = -gradient[i] }
                slope = -gradient.reduce(0) { $0 + $1 * $1 }
                firstUpdate = true
            }
            var step = 1.0
            if iteration == 0 || firstUpdate {
                let largest = direction.reduce(0) { max($0, abs($1)) }
                if largest > firstStepLength { step = firstStepLength / largest }
            }
            // Backtracking with the Armijo condition.
            var trialValue = Double.infinity
            var accepted = false
            for _ in 0..<60 {
                for i in 0..<n { trial[i] = x[i] + step * direction[i] }
                trialValue = evaluate(trial, &trialGradient)
                if trialValue <= value + 1e-4 * step * slope { accepted = true; break }
                // Minimiser of the quadratic through value, slope and trialValue, kept in [0.1, 0.5]·step.
                var next = 0.5 * step
                if trialValue.isFinite {
                    let curvature = trialValue - value - slope * step
                    if curvature > 0 { next = -slope * step * step / (2 * curvature) }
                }
                step = min(max(next, 0.1 * step), 0.5 * step)
            }
            guard accepted else { break }
            for i in 0..<n {
                s[i] = trial[i] - x[i]
                y[i] = trialGradient[i] - gradient[i]
            }
            let sy = zip(s, y).reduce(0) { $0 + $1.0 * $1.1 }
            let yy = y.reduce(0) { $0 + $1 * $1 }
            let improvement = value - trialValue
            x = trial
            swap(&gradient, &trialGradient)
            value = trialValue
            if sy > 1e-14 * yy.squareRoot() * s.reduce(0, { $0 + $1 * $1 }).squareRoot(), sy > 0 {
                if firstUpdate {
                    let scale = sy / yy
                    for i in 0..<n * n { inverse[i] = 0 }
                    for i in 0..<n { inverse[i * n + i] = scale }
                    firstUpdate = false
                }
                // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, expanded:
                // H − ρ (s (Hy)ᵀ + (Hy) sᵀ) + (ρ² yᵀHy + ρ) s sᵀ.
                let rho = 1 / sy
                for i in 0..<n {
                    var sum = 0.0
                    for j in 0..<n { sum += inverse[i * n + j] * y[j] }
                    hy[i] = sum
                }
                let yhy = zip(y, hy).reduce(0) { $0 + $1.0 * $1.1 }
                let factor = rho * rho * yhy + rho
                for i in 0..<n {
                    for j in 0..<n {
                        inverse[i * n + j] += -rho * (s[i] * hy[j] + hy[i] * s[j]) + factor * s[i] * s[j]
                    }
                }
            }
            // A step that changes neither the value nor the point measurably: stalled at the optimum
            // to the precision of the function.
            if improvement <= 1e-16 * max(1, abs(value)), s.allSatisfy({ abs($0) <= 1e-12 }) { break }
            stalled = improvement <= stallTolerance * max(1, abs(value)) ? stalled + 1 : 0
            if stalled >= stallIterations { converged = true; break }
        }
        if gradient.allSatisfy({ abs($0) <= gradientTolerance }) { converged = true }
        return Result(point: x, value: value, gradient: gradient, evaluations: evaluations, converged: converged)
    }
}
