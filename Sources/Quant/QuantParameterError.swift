/// A model parameter outside its valid range. The message names the parameter, the value
/// received and what is required, so a configuration error can be traced to its key.
public struct QuantParameterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The parameter's name as the model's initializer spells it (for example `gamma`).
    public let parameter: String
    /// The value that was rejected.
    public let value: Double
    /// What the parameter must satisfy (for example `must be > 0`).
    public let requirement: String

    /// Creates the error for `parameter` holding `value`, which violates `requirement`.
    public init(parameter: String, value: Double, requirement: String) {
        self.parameter = parameter
        self.value = value
        self.requirement = requirement
    }

    /// `invalid parameter gamma = -1.0: must be > 0`.
    public var description: String {
        "invalid parameter \(parameter) = \(value): \(requirement)"
    }

    /// Throws unless `value` is finite and strictly positive.
    static func requirePositive(_ value: Double, _ parameter: String) throws(QuantParameterError) {
        guard value.isFinite, value > 0 else {
            throw QuantParameterError(parameter: parameter, value: value, requirement: "must be finite and > 0")
        }
    }

    /// Throws unless `value` is finite and not negative.
    static func requireNonNegative(_ value: Double, _ parameter: String) throws(QuantParameterError) {
        guard value.isFinite, value >= 0 else {
            throw QuantParameterError(parameter: parameter, value: value, requirement: "must be finite and >= 0")
        }
    }
}
