import GRDB

/// Statements on the write paths are prepared once per connection and reused: preparing
/// (parsing, planning, and GRDB's authorizer) cost more than running them when an import
/// writes a million rows. Only for single statements; scripts still go through `execute(sql:)`.
extension Database {
    func run(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}

extension DatabaseValueConvertible where Self: StatementColumnConvertible {
    static func fetchOne(cached db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws -> Self? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}
