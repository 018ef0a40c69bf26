import Assertions
import Foundation

/// A device's assertion database: only the image's trusted roots, then what the device verified
/// against them — its model, its serial, the seed's assertions, and what every refresh fetched
/// since (`assertions/verified.assert`). Nothing is taken on the store's word.
public struct DeviceAssertions: Sendable {
    public let storage: any DeviceStorage
    public private(set) var database: TrustDatabase

    /// Opens a device's assertions (`assertions/` of its folder). An assertion of the image that
    /// does not verify against the roots makes the device refuse to start, with the reason.
    public static func open(_ storage: any DeviceStorage) throws -> DeviceAssertions {
        if let database = storage.openAssertions() { return DeviceAssertions(storage: storage, database: database) }
        func read(_ name: String) throws -> [Assertion] {
            guard let bytes = storage.read("assertions/\(name)") else { return [] }
            return try AssertionStream.decode(bytes)
        }
        let roots = try read("trusted.assert")
        guard !roots.isEmpty else { throw DeviceAgentError("\(storage.location) holds no trusted.assert") }
        var database = try TrustDatabase(trusted: roots)
        let refused = database.addAll(
            try read("model.assert") + read("serial.assert") + read("seed.assert") + read("verified.assert"))
        if let first = refused.first {
            throw DeviceAgentError("the device's \(first.assertion) does not verify: \(first.error.message)")
        }
        storage.keepAssertions(database)
        return DeviceAssertions(storage: storage, database: database)
    }

    /// Adds assertions that verify against what the device holds, and keeps them on disk; a
    /// refused one changes nothing and says why.
    public mutating func add(_ assertions: [Assertion]) throws {
        var working = database
        // New ones, and newer revisions of what is held (a declaration the store updated).
        let fresh = assertions.filter { (working.find($0.reference)?.revision ?? Int.min) < $0.revision }
        let refused = working.addAll(fresh)
        if let first = refused.first {
            throw DeviceAgentError("\(first.assertion) does not verify: \(first.error.message)")
        }
        guard !fresh.isEmpty else { return }
        let record = "assertions/verified.assert"
        let kept = storage.read(record) ?? []
        let separator: [UInt8] = kept.isEmpty ? [] : [0x0a]
        try storage.replace(record, with: kept + separator + AssertionStream.encode(fresh))
        database = working
        storage.keepAssertions(working)
    }
}
