import StoreProtocol

/// What a snapcraft login may do: the `permissions`, `packages` and `channels` it was asked with
/// (`snapcraft export-login --acls … --snaps … --channels …`). The store writes them into the
/// root macaroon as first-party caveats, so they travel with the login and cannot be removed; a
/// holder may add more (a macaroon only narrows), and a caveat the store does not know refuses the
/// login, since a restriction nobody enforces is a hole.
public struct LoginLimits: Sendable, Equatable {
    /// The ACL names snapcraft asks for (craft-store's `export-login --acls`).
    public enum Permission: String, CaseIterable, Sendable {
        case access = "package_access"
        case manage = "package_manage"
        case metrics = "package_metrics"
        case push = "package_push"
        case register = "package_register"
        case release = "package_release"
        case update = "package_update"
    }

    /// nil: every permission.
    public private(set) var permissions: Set<Permission>?
    /// Snap names; nil: every snap of the account.
    public private(set) var packages: Set<String>?
    /// Channels as given (`edge`, `2.0/stable`); nil: every channel.
    public private(set) var channels: Set<String>?

    public static let unlimited = LoginLimits()

    public init(permissions: Set<Permission>? = nil, packages: Set<String>? = nil, channels: Set<String>? = nil) {
        self.permissions = permissions
        self.packages = packages
        self.channels = channels
    }

    /// The limits of a login request, refusing names the store does not know: an unknown
    /// permission would otherwise be granted by being ignored.
    public init(permissionNames: [String]?, packages: [String]?, channels: [String]?) throws(StoreError) {
        if let permissionNames, !permissionNames.isEmpty {
            var known: Set<Permission> = []
            for name in permissionNames {
                // snapcraft's older /v1/tokens/usso spells them with dashes.
                guard let permission = Permission(rawValue: name.replacingOccurrences(of: "-", with: "_")) else {
                    throw StoreError(
                        .invalid,
                        "unknown permission \"\(name)\": this store grants "
                            + Permission.allCases.map(\.rawValue).joined(separator: ", "))
                }
                known.insert(permission)
            }
            self.permissions = known
        }
        if let packages, !packages.isEmpty { self.packages = Set(packages) }
        if let channels, !channels.isEmpty {
            for channel in channels {
                do {
                    _ = try ChannelRequest.parse(channel)
                } catch {
                    throw StoreError(.invalid, "channel \"\(channel)\": \(error.description)")
                }
            }
            self.channels = Set(channels)
        }
    }

    public var isUnlimited: Bool { self == .unlimited }

    // MARK: Caveats

    static let permissionsCaveat = "snapdepot-permissions "
    static let packagesCaveat = "snapdepot-packages "
    static let channelsCaveat = "snapdepot-channels "

    /// The first-party caveats that carry these limits.
    var caveats: [String] {
        var result: [String] = []
        if let permissions {
            result.append(Self.permissionsCaveat + permissions.map(\.rawValue).sorted().joined(separator: ","))
        }
        if let packages { result.append(Self.packagesCaveat + packages.sorted().joined(separator: ",")) }
        if let channels { result.append(Self.channelsCaveat + channels.sorted().joined(separator: ",")) }
        return result
    }

    /// Narrows these limits by one caveat; false when the caveat is not one of the store's.
    mutating func narrow(by caveat: String) -> Bool {
        func list(after prefix: String) -> Set<String> {
            Set(caveat.dropFirst(prefix.count).split(separator: ",").map(String.init))
        }
        if caveat.hasPrefix(Self.permissionsCaveat) {
            let named = Set(list(after: Self.permissionsCaveat).compactMap(Permission.init(rawValue:)))
            permissions = permissions.map { $0.intersection(named) } ?? named
        } else if caveat.hasPrefix(Self.packagesCaveat) {
            let named = list(after: Self.packagesCaveat)
            packages = packages.map { $0.intersection(named) } ?? named
        } else if caveat.hasPrefix(Self.channelsCaveat) {
            let named = list(after: Self.channelsCaveat)
            channels = channels.map { $0.intersection(named) } ?? named
        } else {
            return false
        }
        return true
    }

    // MARK: Checks

    /// Reading a snap's revisions and status comes with any permission over it.
    func require(_ permission: Permission) throws(StoreError) {
        guard let permissions else { return }
        if permission == .access, !permissions.isEmpty { return }
        guard permissions.contains(permission) else {
            throw StoreError(.forbidden, "this login lacks the \(permission.rawValue) permission")
        }
    }

    func require(package name: String) throws(StoreError) {
        guard let packages else { return }
        guard packages.contains(name) else {
            throw StoreError(
                .forbidden, "this login is for \(packages.sorted().joined(separator: ", ")), not \(name)")
        }
    }

    /// A channel given without a branch covers its branches.
    func require(channel: Channel, defaultTrack: String) throws(StoreError) {
        guard let channels else { return }
        let allowed = channels.contains { text in
            guard let granted = try? ChannelRequest.parse(text).channel(defaultTrack: defaultTrack) else {
                return false
            }
            return granted == channel || (granted.branch.isEmpty && granted == channel.withoutBranch)
        }
        guard allowed else {
            throw StoreError(
                .forbidden,
                "this login may release only to \(channels.sorted().joined(separator: ", ")), not \(channel.name)")
        }
    }
}
