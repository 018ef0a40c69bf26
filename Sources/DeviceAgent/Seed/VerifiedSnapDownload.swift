import Assertions
import Foundation
import SnapFiles
import StoreProtocol

/// One snap fetched as `snap download` and `snap prepare-image` fetch it: the store's answer for a
/// name and channel on the connection's architecture, the file checked against the SHA3-384 the
/// store gave, and its assertion chain (the publisher's account, the declaration, the revision)
/// verified against `trust`. `image build` and `export` use it.
public struct VerifiedSnapDownload {
    public let connection: StoreConnection
    public let trust: TrustDatabase
    /// Told of the download's progress: the file's name, bytes so far, and its size.
    public let progress: (@Sendable (String, UInt64, UInt64) -> Void)?
    /// Told when the download is done.
    public let finished: (@Sendable (String) -> Void)?

    public init(
        connection: StoreConnection, trust: TrustDatabase,
        progress: (@Sendable (String, UInt64, UInt64) -> Void)? = nil, finished: (@Sendable (String) -> Void)? = nil
    ) {
        self.connection = connection
        self.trust = trust
        self.progress = progress
        self.finished = finished
    }

    public struct Fetched {
        public let snapID: String
        public let revision: Int
        /// `NAME_REVISION.snap`, in the folder given.
        public let file: String
        public let snap: SnapFile
        /// What the trust database did not hold, signers first, as snapd accepts them.
        public let assertions: [Assertion]
    }

    private var fetcher: AssertionFetcher { AssertionFetcher(connection: connection) }

    public func fetch(name: String, channel: String, into folder: URL) async throws -> Fetched {
        let answer = try await connection.snapAction(
            SnapActionRequest(
                context: [],
                actions: [.init(.download, instanceKey: "download-1", name: name, channel: channel)],
                fields: ["download", "revision", "snap-id", "type"]))
        guard let result = answer.results.first else {
            throw DeviceAgentError("the store did not answer for \(name)")
        }
        if let error = result.error {
            throw DeviceAgentError(
                "\(name) (\(channel), \(connection.architecture ?? "any architecture")): \(error.message)")
        }
        guard let snap = result.snap else {
            throw DeviceAgentError("the store's answer for \(name) lacks its download")
        }
        let snapID = snap.snapID
        let revision = snap.revision
        let expected = snap.download.sha3_384
        let file = "\(name)_\(revision).snap"
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(file).path
        var reporter: (@Sendable (UInt64, UInt64) -> Void)?
        if let progress { reporter = { done, total in progress(file, done, total) } }
        _ = try await connection.download(
            snap.download.url, to: path, expectedSize: snap.download.size, progress: reporter)
        finished?(file)
        let opened: SnapFile
        do {
            opened = try SnapFile.open(path: path)
        } catch {
            throw DeviceAgentError("\(file) from the store is not a valid snap: \(error)")
        }
        guard opened.sha3_384Hex == expected else {
            throw DeviceAgentError("\(file): its SHA3-384 is \(opened.sha3_384Hex), the store said \(expected)")
        }
        // In the order snapd accepts them: the publisher's account, the declaration, then the revision.
        let declarationChain = try await fetcher.chain(
            AssertionReference(.snapDeclaration, ["16", snapID]), trusting: trust)
        let publisher = declarationChain.last?.string("publisher-id") ?? ""
        var chain =
            publisher.isEmpty ? [] : try await fetcher.chain(AssertionReference(.account, [publisher]), trusting: trust)
        chain += declarationChain
        chain += try await fetcher.chain(AssertionReference(.snapRevision, [opened.sha3_384Base64URL]), trusting: trust)
        let revisionAssertion = chain.first { $0.type == .snapRevision }
        guard let revisionAssertion, revisionAssertion.string("snap-id") == snapID,
            revisionAssertion.string("snap-revision") == String(revision),
            revisionAssertion.string("snap-size") == String(opened.size)
        else {
            throw DeviceAgentError("\(file) does not match its snap-revision assertion (id, revision or size)")
        }
        return Fetched(snapID: snapID, revision: revision, file: file, snap: opened, assertions: chain)
    }
}
