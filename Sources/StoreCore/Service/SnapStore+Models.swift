import Assertions

/// A model assertion the store holds, as the dashboard shows it: its text, whether it verifies
/// against the store's roots, and the chain it verifies through.
public struct ModelView: Sendable, Equatable {
    public let brandID: String
    public let model: String
    public let architecture: String
    public let text: String
    /// nil when it verifies; why not otherwise.
    public let problem: String?
    /// From the root down: each assertion the model's signature rests on, as snapd names it.
    public let chain: [String]
}

extension SnapStore {
    /// Every model the store holds, by brand and name, each checked as a device would check it.
    public func models() async throws -> [ModelView] {
        let models = try await catalogue.assertions(ofType: .model)
        let database = try await trustDatabase(for: models)
        return models.map { assertion in
            var problem: String?
            do {
                try database.check(assertion)
            } catch {
                problem = "\(error)"
            }
            var chain: [String] = []
            if let key = database.find(AssertionReference(.accountKey, [assertion.signKeyID])) {
                let owner = key.string("account-id")
                if let account = database.find(AssertionReference(.account, [owner])) {
                    if let rootKey = database.find(AssertionReference(.accountKey, [account.signKeyID])) {
                        chain.append("\(rootKey.reference) of \(rootKey.string("account-id")) (trusted root)")
                    }
                    chain.append("\(account.reference), signed by \(account.authorityID)")
                }
                chain.append("\(key.reference) \"\(key.string("name"))\" of \(owner), signed by \(key.authorityID)")
            }
            chain.append("\(assertion.reference), signed by \(assertion.authorityID)")
            return ModelView(
                brandID: assertion.string("brand-id"), model: assertion.string("model"),
                architecture: assertion.string("architecture"), text: assertion.encodedText, problem: problem,
                chain: chain)
        }.sorted { ($0.brandID, $0.model) < ($1.brandID, $1.model) }
    }
}
