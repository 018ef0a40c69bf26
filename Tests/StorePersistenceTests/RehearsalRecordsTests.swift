import Foundation
import StoreCore
import StorePersistence
import Testing

/// What rollouts and rehearsals keep in a store's file: faults with their firing counts, device
/// tags and groups. A store opened again on the same file finds them as they were.
@Suite struct RehearsalRecordsTests {
    @Test func faultsTagsAndGroupsOutliveTheStoreThatMadeThem() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rehearsal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("store.sqlite").path
        let device = DeviceRecord(
            brandID: "acme", model: "my-pi3", serial: "7", deviceKeyID: "key", registeredAt: nil, signedBy: nil,
            firstSeen: 1, lastSeen: 1, lastSession: 1)
        do {
            let catalogue = try SQLiteCatalogue(path: path)
            try await catalogue.addDeviceSession(tokenHash: "t", device: device, at: 1)
            try await catalogue.tagDevices([device.serialKey], add: ["canary", "lab"], remove: [])
            try await catalogue.tagDevices([device.serialKey], add: [], remove: ["lab"])
            try await catalogue.saveGroup(
                DeviceGroup(name: "canary", brandID: "acme", tag: "canary", serials: ["7", "8"]))
            let fault = try await catalogue.addFault(
                Fault(kind: .cut, endpoint: .download, snapID: "s", revision: 2, afterBytes: 1000, createdAt: 5))
            try await catalogue.recordFiring(ofFault: fault.id)
            try await catalogue.recordFiring(ofFault: fault.id)
        }
        let reopened = try SQLiteCatalogue(path: path)
        let faults = try await reopened.faults()
        #expect(faults.count == 1 && faults.first?.fired == 2 && faults.first?.afterBytes == 1000)
        #expect(faults.first?.kind == .cut && faults.first?.revision == 2)
        let tagged = try await reopened.devices(DeviceFilter(tag: "canary"))
        #expect(tagged.map(\.serial) == ["7"] && tagged.first?.tags == ["canary"])
        #expect(try await reopened.devices(DeviceFilter(tag: "lab")).isEmpty)
        let groups = try await reopened.groups()
        #expect(groups == [DeviceGroup(name: "canary", brandID: "acme", tag: "canary", serials: ["7", "8"])])
        #expect(groups.first?.contains(tagged[0]) == true)
        try await reopened.deleteFaults(id: nil)
        #expect(try await reopened.faults().isEmpty)
    }

    /// A device that keeps opening sessions keeps two rows, not one per session.
    @Test func aDeviceKeepsOnlyItsNewestSessions() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sessions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let catalogue = try SQLiteCatalogue(path: folder.appendingPathComponent("store.sqlite").path)
        let device = DeviceRecord(
            brandID: "acme", model: "my-pi3", serial: "7", deviceKeyID: "key", registeredAt: nil, signedBy: nil,
            firstSeen: 1, lastSeen: 1, lastSession: 1)
        let other = DeviceRecord(
            brandID: "acme", model: "my-pi3", serial: "8", deviceKeyID: "key8", registeredAt: nil, signedBy: nil,
            firstSeen: 1, lastSeen: 1, lastSession: 1)
        try await catalogue.addDeviceSession(tokenHash: "other", device: other, at: 1)
        for time in 1...5 {
            try await catalogue.addDeviceSession(tokenHash: "s\(time)", device: device, at: Int64(time))
        }
        var kept: [String] = []
        for hash in ["s1", "s2", "s3", "s4", "s5", "other"]
        where try await catalogue.deviceSession(tokenHash: hash) != nil {
            kept.append(hash)
        }
        #expect(kept == ["s4", "s5", "other"])
    }
}
