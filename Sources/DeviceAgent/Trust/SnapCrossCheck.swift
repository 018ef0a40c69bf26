import Assertions
import SnapFiles

/// What snapd checks between a snap file, the store's answer and the verified assertions before
/// it installs anything (`asserts/snapasserts/snapasserts.go` `CrossCheck`).
enum SnapCrossCheck {
    static func check(
        file: SnapFile, name: String, snapID: String, revision: Int, publisherID: String?, in database: TrustDatabase
    ) throws {
        guard
            let revisionAssertion = database.find(AssertionReference(.snapRevision, [file.sha3_384Base64URL])),
            let snapRevision = try? SnapRevision(revisionAssertion)
        else {
            throw DeviceAgentError("cannot verify snap \"\(name)\", no matching signatures found")
        }
        guard snapRevision.snapSize == file.size else {
            throw DeviceAgentError(
                "snap \"\(name)\" file does not have expected size according to signatures (download is broken or "
                    + "tampered): \(file.size) != \(snapRevision.snapSize)")
        }
        guard snapRevision.snapID == snapID, snapRevision.snapRevision == revision else {
            throw DeviceAgentError(
                "snap \"\(name)\" does not have expected ID or revision according to assertions (metadata is "
                    + "broken or tampered): \(revision) / \(snapID) != \(snapRevision.snapRevision) / "
                    + "\(snapRevision.snapID)")
        }
        guard let declaration = database.find(AssertionReference(.snapDeclaration, ["16", snapID])) else {
            throw DeviceAgentError("snap \"\(name)\" has no verified snap-declaration")
        }
        guard declaration.string("snap-name") == name, file.metadata.name == name else {
            throw DeviceAgentError(
                "cannot install \"\(name)\", snap \"\(name)\" is undergoing a rename to "
                    + "\"\(declaration.string("snap-name"))\"")
        }
        if let publisherID, declaration.string("publisher-id") != publisherID {
            throw DeviceAgentError(
                "snap \"\(name)\" is published by \"\(declaration.string("publisher-id"))\" but the store said "
                    + "\"\(publisherID)\"")
        }
    }
}
