import Assertions

/// Fetches an assertion and whatever it needs that a trust database does not hold yet, signers
/// first, from the store's assertion service (snapd's `asserts/fetcher.go`). `image build` and a
/// device's refresh use the same walk.
public struct AssertionFetcher: Sendable {
    let connection: StoreConnection

    public init(connection: StoreConnection) {
        self.connection = connection
    }

    /// `visiting` holds the chain being followed: a key that leads back to itself (a root these
    /// roots do not hold) ends the walk with the reason.
    public func chain(_ reference: AssertionReference, trusting trust: TrustDatabase, visiting: Set<String> = [])
        async throws -> [Assertion]
    {
        if trust.find(reference) != nil { return [] }
        guard !visiting.contains(reference.path) else {
            throw DeviceAgentError(
                "\(reference) is signed by a key that is not among the trusted roots: "
                    + "the store signs with another root than the one trusted")
        }
        let visiting = visiting.union([reference.path])
        guard let assertion = try await connection.assertion(reference) else {
            throw DeviceAgentError(
                "the store has no \(reference.type.name) \(reference.primaryKey.joined(separator: "/"))")
        }
        var chain: [Assertion] = []
        let signKey = assertion.string("sign-key-sha3-384")
        let authority = assertion.string("authority-id")
        if !authority.isEmpty, !trust.isTrustedAccount(authority) {
            chain += try await self.chain(
                AssertionReference(.account, [authority]), trusting: trust, visiting: visiting)
        }
        if !signKey.isEmpty {
            chain += try await self.chain(
                AssertionReference(.accountKey, [signKey]), trusting: trust, visiting: visiting)
        }
        return chain + [assertion]
    }

    /// What snapd fetches to validate a snap file (`snapasserts.FetchSnapAssertions`): the
    /// publisher's account, the declaration, the developer's account and the snap-revision of
    /// the file's digest, in the order a trust database accepts them.
    func snapChain(digest: String, snapID: String, trusting trust: TrustDatabase) async throws -> [Assertion] {
        var working = trust
        var chain: [Assertion] = []
        func take(_ reference: AssertionReference) async throws {
            let found = try await self.chain(reference, trusting: working)
            for assertion in found where working.find(assertion.reference) == nil {
                // Each is checked as it comes, so a bad signature is named where it is.
                try working.add(assertion)
                chain.append(assertion)
            }
        }
        let declarationReference = AssertionReference(.snapDeclaration, ["16", snapID])
        guard let declaration = try await connection.assertion(declarationReference) else {
            throw DeviceAgentError("the store has no snap-declaration for \(snapID)")
        }
        try await take(AssertionReference(.account, [declaration.string("publisher-id")]))
        try await take(declarationReference)
        guard let revision = try await connection.assertion(AssertionReference(.snapRevision, [digest])) else {
            throw DeviceAgentError("cannot verify the snap: no snap-revision for its digest \(digest)")
        }
        try await take(AssertionReference(.account, [revision.string("developer-id")]))
        try await take(AssertionReference(.snapRevision, [digest]))
        return chain
    }
}
