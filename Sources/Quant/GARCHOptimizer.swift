/// Nelder–Mead simplex minimisation (Nelder & Mead 1965, with the standard coefficients
/// reflection 1, expansion 2, contraction ½, shrink ½), the GARCH fit's last resort (when no BFGS run gives a finite value) on its
/// unconstrained parametrisation. Deterministic: no randomness, the same input gives the same
/// path.
struct NelderMead {
    /// The best point found, its value and the number of function evaluations spent.
    struct Result {
        var point: [Double]
        var value: Double
        var evaluations: Int
    }

    /// Largest number of function evaluations for one run.
    var maximumEvaluations: Int = 20_000
    /// The run stops when the spread of values over the simplex is below this (absolute).
    var valueTolerance: Double = 1e-13
    /// … and the simplex's largest coordinate extent is below this.
    var pointTolerance: Double = 1e-9

    /// Minimises `function` from `start`; the initial simplex steps `step` along each axis.
    /// A non-finite value counts as +∞ (a rejected point).
    func minimize(_ function: ([Double]) -> Double, start: [Double], step: Double) -> Result {
        let dimension = start.count
        var evaluations = 0
        func evaluate(_ x: [Double]) -> Double {
            evaluations += 1
            let value = function(x)
            return value.isFinite ? value : .infinity
        }
        var simplex = [start]
        for axis in 0..<dimension {
            var vertex = start
            vertex[axis] += step
            simplex.append(vertex)
        }
        var values = simplex.map(evaluate)

        while evaluations < maximumEvaluations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            let spread = values[dimension] - values[0]
            var extent = 0.0
            for vertex in simplex.dropFirst() {
                for axis in 0..<dimension { extent = max(extent, abs(vertex[axis] - simplex[0][axis])) }
            }
            if spread.isFinite, spread <= valueTolerance, extent <= pointTolerance { break }

            var centroid = [Double](repeating: 0, count: dimension)
            for vertex in simplex.dropLast() {
                for axis in 0..<dimension { centroid[axis] += vertex[axis] / Double(dimension) }
            }
            func along(_ coefficient: Double) -> [Double] {
                (0..<dimension).map { centroid[$0] + coefficient * (simplex[dimension][$0] - centroid[$0]) }
            }
            let reflected = along(-1)
            let reflectedValue = evaluate(reflected)
            if reflectedValue < values[0] {
                let expanded = along(-2)
                let expandedValue = evaluate(expanded)
                if expandedValue < reflectedValue {
                    simplex[dimension] = expanded
                    values[dimension] = expandedValue
                } else {
                    simplex[dimension] = reflected
                    values[dimension] = reflectedValue
                }
                continue
            }
            if reflectedValue < values[dimension - 1] {
                simplex[dimension] = reflected
                values[dimension] = reflectedValue
                continue
            }
            let outside = reflectedValue < values[dimension]
            let contracted = along(outside ? -0.5 : 0.5)
            let contractedValue = evaluate(contracted)
            if contractedValue < (outside ? reflectedValue : values[dimension]) {
                simplex[dimension] = contracted
                values[dimension] = contractedValue
                continue
            }
            for index in 1...dimension {
                simplex[index] = (0..<dimension).map { simplex[0][$0] + 0.5 * (simplex[index][$0] - simplex[0][$0]) }
                values[index] = evaluate(simplex[index])
            }
        }
        let best = values.indices.min { values[$0] < values[$1] } ?? 0
        return Result(point: simplex[best], value: values[best], evaluations: evaluations)
    }

    /// Runs `minimize` repeatedly from the previous best with a fresh simplex of shrinking size
    /// until a restart no longer improves the value by more than `valueTolerance` (the classic
    /// remedy for a collapsed simplex): the "polish" after the first run.
    func minimizeWithRestarts(
        _ function: ([Double]) -> Double, start: [Double], step: Double, restarts: Int = 8
    ) -> Result {
        var result = minimize(function, start: start, step: step)
        var restartStep = step
        for _ in 0..<restarts {
            restartStep = max(restartStep * 0.3, 1e-4)
            let next = minimize(function, start: result.point, step: restartStep)
            let improvement = result.value - next.value
            let total = result.evaluations + next.evaluations
            if next.value < result.value { result = next }
            result.evaluations = total
            if improvement <= valueTolerance { break }
        }
        return result
    }
}

/// Inverts a small symmetric positive-definite matrix by Cholesky factorisation; nil when the
/// matrix is not positive definite (then it has no covariance interpretation).
func invertPositiveDefinite(_ matrix: [[Double]]) -> [[Double]]? {
    let n = matrix.count
    var lower = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for i in 0..<n {
        for j in 0...i {
            var sum = matrix[i][j]
            for k in 0..<j { sum -= lower[i][k] * lower[j][k] }
            if i == j {
                guard sum > 0, sum.isFinite else { return nil }
                lower[i][i] = sum.squareRoot()
            } else {
                lower[i][j] = sum / lower[j][j]
            }
        }
    }
    // Inverse of L by forward substitution, then A⁻¹ = L⁻ᵀ L⁻¹.
    var lowerInverse = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for column in 0..<n {
        for i in column..<n {
            var sum = i == column ? 1.0 : 0.0
            for k in column..<i { sum -= lower[i][k] * lowerInverse[k][column] }
            lowerInverse[i][column] = sum / lower[i][i]
        }
    }
    var inverse = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for i in 0..<n {
        for j in 0..<n {
            var sum = 0.0
            for k in max(i, j)..<n { sum += lowerInverse[k][i] * lowerInverse[k][j] }
            inverse[i][j] = sum
        }
    }
    return inverse
}
