/// Whether `a` and `b` agree within `tolerance` (absolute).
func isClose(_ a: Double, _ b: Double, tolerance: Double = 1e-12) -> Bool {
    abs(a - b) <= tolerance
}

/// Population mean and standard deviation by the two-pass textbook formula, as the independent
/// reference for the running statistics.
func directMeanAndStd(_ values: ArraySlice<Double>) -> (mean: Double, std: Double) {
    guard !values.isEmpty else { return (0, 0) }
    let mean = values.reduce(0, +) / Double(values.count)
    let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return (mean, (squares / Double(values.count)).squareRoot())
}
