import KnowHowCore

/// The PostgreSQL store serves the whole port, as the SQLite store does: contributing (+Write,
/// through +Changes), transfer (+Transfer), reading, curating and insight facts (their files);
/// the contract suite runs on it when a test server is named.
extension PostgresKnowledgeStore: KnowledgeContributing, KnowledgeTransfer, KnowledgeStore {}
