/// A device the store has seen: registered by its serial vault, or opening a session with a serial
/// signed elsewhere.
public struct DeviceRecord: Sendable, Codable, Equatable {
    public let brandID: String
    public let model: String
    public let serial: String
    /// SHA3-384 id of the device's key, which signs its serial-request and session requests.
    public let deviceKeyID: String
    /// When this store's vault signed the serial; nil when the serial came from another authority.
    public let registeredAt: Int64?
    /// The key the vault signed the serial with.
    public let signedBy: String?
    public let firstSeen: Int64
    public let lastSeen: Int64
    public let lastSession: Int64?
    /// Labels the brand or the admin gave the device (`devices tag`), sorted.
    public var tags: [String]

    public init(
        brandID: String, model: String, serial: String, deviceKeyID: String, registeredAt: Int64?, signedBy: String?,
        firstSeen: Int64, lastSeen: Int64, lastSession: Int64?, tags: [String] = []
    ) {
        self.brandID = brandID
        self.model = model
        self.serial = serial
        self.deviceKeyID = deviceKeyID
        self.registeredAt = registeredAt
        self.signedBy = signedBy
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.lastSession = lastSession
        self.tags = tags
    }

    /// `brand/model/serial`, how sessions and rollouts name the device.
    public var serialKey: String { "\(brandID)/\(model)/\(serial)" }
}

/// Which devices to list; nil matches everything.
public struct DeviceFilter: Sendable, Equatable {
    public var brandID: String?
    public var model: String?
    public var serial: String?
    /// Only devices seen at or after this time (seconds since the epoch).
    public var seenSince: Int64?
    /// Only devices with this tag.
    public var tag: String?
    /// A snap at a revision, as a device reported it installed.
    public struct Installed: Sendable, Equatable {
        public let snapID: String
        public let revision: Int

        public init(snapID: String, revision: Int) {
            self.snapID = snapID
            self.revision = revision
        }
    }

    /// Only devices whose last report had this snap at this revision.
    public var installed: Installed?
    /// Only devices last seen before this time (seconds since the epoch): the silent ones.
    public var seenBefore: Int64?
    /// Only devices whose newest update event is a failure: failing now, not failed once.
    public var failing = false

    public init(
        brandID: String? = nil, model: String? = nil, serial: String? = nil, seenSince: Int64? = nil,
        tag: String? = nil, installed: Installed? = nil
    ) {
        self.brandID = brandID
        self.model = model
        self.serial = serial
        self.seenSince = seenSince
        self.tag = tag
        self.installed = installed
    }
}

/// A request-id the vault handed out, and what became of it.
public struct SerialRequestRecord: Sendable, Equatable {
    public let requestID: String
    public let issuedAt: Int64
    /// Set by the first serial-request that used this id: the id then belongs to that key.
    public let deviceKeyID: String?
    public let firstPostedAt: Int64?
    /// `brand/model/serial` once a serial was issued: the id is spent.
    public let issuedSerial: String?

    public init(
        requestID: String, issuedAt: Int64, deviceKeyID: String?, firstPostedAt: Int64?, issuedSerial: String?
    ) {
        self.requestID = requestID
        self.issuedAt = issuedAt
        self.deviceKeyID = deviceKeyID
        self.firstPostedAt = firstPostedAt
        self.issuedSerial = issuedSerial
    }
}

/// Devices of one model in the inventory.
public struct DeviceCount: Sendable, Codable, Equatable {
    public let brandID: String
    public let model: String
    public let count: Int

    public init(brandID: String, model: String, count: Int) {
        self.brandID = brandID
        self.model = model
        self.count = count
    }
}

/// Devices whose last report had one revision of one snap.
public struct InstalledCount: Sendable, Codable, Equatable {
    public let snapID: String
    public let revision: Int
    public let count: Int

    public init(snapID: String, revision: Int, count: Int) {
        self.snapID = snapID
        self.revision = revision
        self.count = count
    }
}

/// One page of the device inventory, and how many devices the filter matches in all.
public struct InventoryPage: Sendable {
    public let devices: [DeviceRecord]
    public let total: Int

    public init(devices: [DeviceRecord], total: Int) {
        self.devices = devices
        self.total = total
    }
}
