/// Tags on devices and the groups releases target (`devices tag`, `groups`). A brand's token sees
/// and labels its own devices; the admin token all of them.
extension SnapStore {
    /// Adds and removes tags on the devices with these serials (narrowed by brand and model when a
    /// serial repeats); every serial must name exactly one device, or nothing changes.
    @discardableResult
    public func tagDevices(
        serials: [String], brandID: String? = nil, model: String? = nil, add: [String], remove: [String],
        by principal: Principal
    ) async throws -> [DeviceRecord] {
        guard !serials.isEmpty else { throw StoreError(.invalid, "name at least one device by its serial") }
        guard !add.isEmpty || !remove.isEmpty else { throw StoreError(.invalid, "add or remove at least one tag") }
        for tag in add + remove where !DeviceGroup.isValidName(tag) {
            throw StoreError(
                .invalid, "invalid tag \"\(tag)\": lower-case letters, digits and -, starting with a letter")
        }
        var devices: [DeviceRecord] = []
        for serial in serials {
            let found = try await self.devices(
                DeviceFilter(brandID: brandID, model: model, serial: serial), by: principal)
            guard let device = found.first else {
                throw StoreError(.notFound, "no device with serial \(serial) in the inventory")
            }
            guard found.count == 1 else {
                throw StoreError(.invalid, "serial \(serial) names \(found.count) devices: give the brand and model")
            }
            devices.append(device)
        }
        try await catalogue.tagDevices(devices.map(\.serialKey), add: add, remove: remove)
        var tagged: [DeviceRecord] = []
        for device in devices {
            tagged += try await self.devices(
                DeviceFilter(brandID: device.brandID, model: device.model, serial: device.serial), by: principal)
        }
        return tagged
    }

    /// Creates or replaces a group of one brand's devices.
    @discardableResult
    public func saveGroup(_ group: DeviceGroup, by principal: Principal) async throws -> [DeviceRecord] {
        guard DeviceGroup.isValidName(group.name) else {
            throw StoreError(
                .invalid,
                "invalid group name \"\(group.name)\": lower-case letters, digits and -, starting with a letter")
        }
        try requireBrand(group.brandID, principal)
        guard group.model != nil || group.tag != nil || group.serials != nil else {
            throw StoreError(.invalid, "a group selects devices by model, tag or serials: give at least one")
        }
        if let tag = group.tag, !DeviceGroup.isValidName(tag) { throw StoreError(.invalid, "invalid tag \"\(tag)\"") }
        if group.model?.isEmpty == true || group.serials?.isEmpty == true {
            throw StoreError(.invalid, "an empty model or serial list selects no device")
        }
        // A tag or serial no device of the brand has is a typo until shown otherwise.
        if let tag = group.tag,
            try await devices(DeviceFilter(brandID: group.brandID, tag: tag), by: principal).isEmpty
        {
            throw StoreError(.notFound, "no device of \(group.brandID) has tag \(tag): tag devices first (devices tag)")
        }
        for serial in group.serials ?? []
        where try await devices(DeviceFilter(brandID: group.brandID, serial: serial), by: principal).isEmpty {
            throw StoreError(.notFound, "no device of \(group.brandID) has serial \(serial)")
        }
        if let existing = try await catalogue.groups().first(where: { $0.name == group.name }),
            existing.brandID != group.brandID
        {
            throw StoreError(.conflict, "group \(group.name) belongs to \(existing.brandID)")
        }
        try await catalogue.saveGroup(group)
        return try await members(of: group, by: principal)
    }

    public func groups(by principal: Principal) async throws -> [DeviceGroup] {
        let all = try await catalogue.groups()
        return principal.isAdmin ? all : all.filter { $0.brandID == principal.accountID }
    }

    /// A group and the devices in it now.
    public func group(named name: String, by principal: Principal) async throws -> (DeviceGroup, [DeviceRecord]) {
        guard let group = try await groups(by: principal).first(where: { $0.name == name }) else {
            throw StoreError(.notFound, "no group \(name)")
        }
        return (group, try await members(of: group, by: principal))
    }

    public func deleteGroup(named name: String, by principal: Principal) async throws {
        _ = try await group(named: name, by: principal)
        try await catalogue.deleteGroup(named: name)
    }

    /// The names of the groups a device (by serial key) belongs to.
    func groupNames(ofDevice serialKey: String) async throws -> Set<String> {
        let parts = serialKey.split(separator: "/", maxSplits: 2).map(String.init)
        guard parts.count == 3,
            let device = try await catalogue.device(brandID: parts[0], model: parts[1], serial: parts[2])
        else { return [] }
        return Set(try await catalogue.groups().filter { $0.contains(device) }.map(\.name))
    }

    private func members(of group: DeviceGroup, by principal: Principal) async throws -> [DeviceRecord] {
        try await devices(DeviceFilter(brandID: group.brandID, model: group.model, tag: group.tag), by: principal)
            .filter(group.contains)
    }

    private func requireBrand(_ brandID: String, _ principal: Principal) throws {
        guard principal.isAdmin || principal.accountID == brandID else {
            throw StoreError(.forbidden, "this token cannot group the devices of \(brandID)")
        }
    }
}
