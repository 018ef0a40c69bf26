/// What the store reads from a snap's `meta/snap.yaml`, validated as snapd validates it, plus the
/// raw yaml it came from (served as `snap-yaml`).
public struct SnapMetadata: Sendable, Equatable, Codable {
    public enum SnapType: String, Sendable, Codable, CaseIterable {
        case app, gadget, kernel, base, os, snapd
    }

    public enum Confinement: String, Sendable, Codable, CaseIterable {
        case strict, classic, devmode
    }

    public var name: String
    public var version: String
    public var type: SnapType
    /// Empty when the snap names no base.
    public var base: String
    /// `["all"]` when snap.yaml lists none.
    public var architectures: [String]
    public var epoch: Epoch
    public var confinement: Confinement
    /// `stable` or `devel` when given; snapd itself ignores it, the store's policy reads it.
    public var grade: String?
    public var provenance: String
    public var summary: String
    public var description: String
    public var title: String
    public var license: String
    public var assumes: [String]
    public var apps: [String]
    public var hooks: [String]
    public var plugs: [String]
    public var slots: [String]
    public var rawYAML: String

    public static let defaultProvenance = "global-upload"

    /// The file name `snap pack` gives it: `NAME_VERSION_ARCH.snap`, ARCH being `multi` for several.
    public var defaultFileName: String {
        let architecture = architectures.count == 1 ? architectures[0] : (architectures.isEmpty ? "all" : "multi")
        return "\(name)_\(version)_\(architecture).snap"
    }

    /// Whether a device of `architecture` can install it.
    public func supports(architecture: String) -> Bool {
        architectures.contains("all") || architectures.contains(architecture)
    }
}
