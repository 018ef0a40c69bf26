/// SplitMix64: a small generator whose whole sequence follows from its seed, so a fleet run's
/// per-device decisions (boot times, refresh windows, time offline) repeat with the same seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// The generator of one device of a fleet seeded with `seed`.
    public init(seed: UInt64, device: Int) {
        var mixer = SeededRandom(seed: seed ^ (UInt64(device) &* 0x9E37_79B9_7F4A_7C15))
        state = mixer.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
