/// A device's serial key (`brand/model/serial`) as the `brand_id`, `model` and `serial` columns
/// both catalogues key devices and their sessions by.
enum DeviceKeyColumns {
    static func of(_ serialKey: String) -> [String]? {
        let parts = serialKey.split(separator: "/", maxSplits: 2).map(String.init)
        return parts.count == 3 ? parts : nil
    }
}
