import Testing

/// Says, in every run, whether the contract ran on PostgreSQL: skipped visibly (with the reason)
/// when no test server is named, and checked to be among the stores when one is.
@Suite struct PostgresContractTests {
    @Test(.enabled(if: ContractStores.server != nil,
                   "PostgreSQL was skipped: KNOWHOW_TEST_PG is not set, so the contract ran on SQLite only; start a server with `. .ci/postgres start`"))
    func theContractRunsOnPostgreSQL() throws {
        #expect(ContractStores.all.map(\.name).contains("PostgreSQL"))
        let store = try #require(ContractStores.postgres).empty()
        #expect(try store.counts().members == 0)
    }
}
