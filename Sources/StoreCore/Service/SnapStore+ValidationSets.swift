import Assertions

extension SnapStore {
    /// Publishes a validation set a brand signed with its registered key; the publisher must be
    /// the set's account. Verified like any import, stored, and served by the assertion service.
    public func publishValidationSet(_ assertion: Assertion, by principal: Principal) async throws -> Assertion {
        guard assertion.type == .validationSet else {
            throw StoreError(.invalid, "expected a validation-set assertion, got \(assertion.type.name)")
        }
        try principal.requireActing(for: assertion.string("account-id"))
        var database = try await trustDatabase(for: [assertion])
        do {
            try database.add(assertion)
        } catch {
            throw StoreError(.invalid, "the validation set does not verify: \(error.message)")
        }
        do {
            try await catalogue.putAssertions([assertion])
        } catch {
            throw StoreError(.conflict, "\(error)")
        }
        return assertion
    }

    /// An account's validation sets: the latest sequence of each (or of `name`), every sequence
    /// with `sequence` "all", or one sequence.
    public func validationSets(accountID: String, name: String? = nil, sequence: String? = nil) async throws
        -> [Assertion]
    {
        let mine = try await catalogue.assertions(ofType: .validationSet).filter {
            $0.string("account-id") == accountID && (name == nil || $0.string("name") == name)
        }
        let bySequence = { (assertion: Assertion) in Int(assertion.string("sequence")) ?? 0 }
        switch sequence {
        case "all":
            return mine.sorted { ($0.string("name"), bySequence($0)) < ($1.string("name"), bySequence($1)) }
        case let number? where Int(number) != nil:
            return mine.filter { $0.string("sequence") == number }
        default:
            let latest = Dictionary(grouping: mine) { $0.string("name") }.compactMap {
                $0.value.max { bySequence($0) < bySequence($1) }
            }
            return latest.sorted { $0.string("name") < $1.string("name") }
        }
    }

    /// The newest sequence of a validation set, for the assertion service's `?sequence=latest`.
    public func latestValidationSet(accountID: String, name: String) async throws -> Assertion? {
        try await validationSets(accountID: accountID, name: name).first
    }

    /// Creates the `store` assertion of a brand store, signed under the store's root authority.
    public func createBrandStore(
        id: String, operatorID: String, url: String?, friendlyStores: [String], location: String?,
        by principal: Principal
    ) async throws -> Assertion {
        try principal.requireAdmin()
        guard try await catalogue.account(id: operatorID) != nil else {
            throw StoreError(.notFound, "no account \"\(operatorID)\" to operate the store")
        }
        var headers: Headers = [
            "type": "store", "store": .string(id), "operator-id": .string(operatorID),
            "timestamp": .string(clock().text),
        ]
        if let url { headers["url"] = .string(url) }
        if !friendlyStores.isEmpty { headers["friendly-stores"] = .list(friendlyStores.map { .string($0) }) }
        if let location { headers["location"] = .string(location) }
        let assertion: Assertion
        do {
            assertion = try signer.sign(headers, now: clock())
        } catch let error as AssertionError {
            throw StoreError(.invalid, error.message)
        }
        try await catalogue.putAssertions([assertion])
        return assertion
    }
}
