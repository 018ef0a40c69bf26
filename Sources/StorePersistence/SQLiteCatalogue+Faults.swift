import Foundation
import GRDB
import StoreCore

/// Faults are kept whole as JSON: they are few, read together, and only their counter changes.
extension SQLiteCatalogue {
    public func addFault(_ fault: Fault) async throws -> Fault {
        let description = String(decoding: try JSONEncoder().encode(fault), as: UTF8.self)
        return try await writer.write { db in
            try db.execute(sql: "INSERT INTO faults (description) VALUES (?)", arguments: [description])
            var stored = fault
            stored.id = Int(db.lastInsertedRowID)
            return stored
        }
    }

    public func faults() async throws -> [Fault] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM faults ORDER BY id").map { row in
                let description: String = row["description"]
                var fault = try JSONDecoder().decode(Fault.self, from: Data(description.utf8))
                fault.id = row["id"]
                fault.fired = row["fired"]
                return fault
            }
        }
    }

    public func deleteFaults(id: Int?) async throws {
        try await writer.write { db in
            if let id {
                try db.execute(sql: "DELETE FROM faults WHERE id = ?", arguments: [id])
            } else {
                try db.execute(sql: "DELETE FROM faults")
            }
        }
    }

    public func recordFiring(ofFault id: Int) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE faults SET fired = fired + 1 WHERE id = ?", arguments: [id])
        }
    }
}
