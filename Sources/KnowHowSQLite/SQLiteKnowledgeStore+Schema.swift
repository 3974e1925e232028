import Foundation
import GRDB
import KnowHowCore

extension SQLiteKnowledgeStore {
    /// Names every migration and the derived data's version, so caches of built stores can tell
    /// when the schema changed.
    public static var schemaVersion: String { migrator.migrations.joined(separator: ",") + ",derived-\(derivedVersion)" }

    /// Named migrations, every one of the store's; never edit one that has shipped, add a new one.
    /// Each runs literal SQL only: code that may change later (the index, ranked lists, members'
    /// work) runs after migrating, in `upgrade`.
    static let migrator: DatabaseMigrator = {
        var m = DatabaseMigrator()
        m.registerMigration("v1-core") { db in
            try db.execute(sql: """
            CREATE TABLE tag (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                description TEXT
            );
            CREATE TABLE tag_alias (
                alias TEXT PRIMARY KEY,
                tag_id INTEGER NOT NULL REFERENCES tag(id) ON DELETE CASCADE
            ) WITHOUT ROWID;
            CREATE INDEX tag_alias_tag ON tag_alias(tag_id);

            CREATE TABLE member (
                id INTEGER PRIMARY KEY,
                handle TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                email TEXT,
                organisation TEXT,
                sector TEXT,
                location TEXT,
                time_zone TEXT,
                bio TEXT,
                role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'contributor', 'curator')),
                open_to_questions INTEGER NOT NULL DEFAULT 1,
                mentoring INTEGER NOT NULL DEFAULT 0,
                joined TEXT,
                source_id TEXT UNIQUE
            );
            CREATE INDEX member_sector ON member(sector COLLATE NOCASE);
            CREATE INDEX member_email ON member(email COLLATE NOCASE);

            CREATE TABLE member_skill (
                member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
                tag_id INTEGER NOT NULL REFERENCES tag(id),
                level TEXT NOT NULL CHECK (level IN ('learning', 'practising', 'expert')),
                PRIMARY KEY (member_id, tag_id)
            ) WITHOUT ROWID;
            CREATE INDEX member_skill_tag ON member_skill(tag_id, level);

            CREATE TABLE member_interest (
                member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
                tag_id INTEGER NOT NULL REFERENCES tag(id),
                PRIMARY KEY (member_id, tag_id)
            ) WITHOUT ROWID;
            CREATE INDEX member_interest_tag ON member_interest(tag_id);

            CREATE TABLE resource (
                id INTEGER PRIMARY KEY,
                title TEXT NOT NULL CHECK (title <> ''),
                url TEXT,
                kind TEXT NOT NULL CHECK (kind IN ('guide', 'template', 'tool', 'course', 'article', 'video', 'book', 'dataset', 'slides', 'notes', 'other')),
                summary TEXT,
                body TEXT,
                contributor_id INTEGER REFERENCES member(id),
                created TEXT NOT NULL,
                updated TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived'))
            );
            CREATE INDEX resource_url ON resource(url);
            CREATE INDEX resource_contributor ON resource(contributor_id);

            CREATE TABLE resource_author (
                resource_id INTEGER NOT NULL REFERENCES resource(id) ON DELETE CASCADE,
                member_id INTEGER NOT NULL REFERENCES member(id),
                PRIMARY KEY (resource_id, member_id)
            ) WITHOUT ROWID;
            CREATE INDEX resource_author_member ON resource_author(member_id);

            CREATE TABLE practice (
                id INTEGER PRIMARY KEY,
                title TEXT NOT NULL CHECK (title <> ''),
                context TEXT,
                practice TEXT,
                evidence TEXT,
                contributor_id INTEGER REFERENCES member(id),
                status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'verified', 'retired')),
                verified_by_id INTEGER REFERENCES member(id),
                verified_at TEXT,
                review_by TEXT,
                created TEXT NOT NULL,
                updated TEXT NOT NULL
            );
            CREATE INDEX practice_contributor ON practice(contributor_id);
            CREATE INDEX practice_verified_by ON practice(verified_by_id);
            CREATE INDEX practice_review_by ON practice(review_by);

            CREATE TABLE question (
                id INTEGER PRIMARY KEY,
                title TEXT NOT NULL CHECK (title <> ''),
                body TEXT,
                asker_id INTEGER REFERENCES member(id),
                created TEXT NOT NULL,
                score INTEGER,
                accepted_answer_id INTEGER
            );
            CREATE INDEX question_asker ON question(asker_id);

            CREATE TABLE answer (
                id INTEGER PRIMARY KEY,
                question_id INTEGER NOT NULL REFERENCES question(id) ON DELETE CASCADE,
                body TEXT NOT NULL,
                author_id INTEGER REFERENCES member(id),
                created TEXT NOT NULL,
                score INTEGER
            );
            CREATE INDEX answer_question ON answer(question_id);
            CREATE INDEX answer_author ON answer(author_id);

            -- Tags of resources, practices and questions, by entry key (see EntryKey).
            CREATE TABLE entry_tag (
                entry INTEGER NOT NULL,
                tag_id INTEGER NOT NULL REFERENCES tag(id),
                PRIMARY KEY (entry, tag_id)
            ) WITHOUT ROWID;
            CREATE INDEX entry_tag_tag ON entry_tag(tag_id, entry);

            -- One full-text index over every kind; rowid is the entry key.
            CREATE VIRTUAL TABLE entry_fts USING fts5(
                title, tags, summary, body,
                tokenize = 'porter unicode61 remove_diacritics 2',
                prefix = '2 3'
            );
            -- Unstemmed words of titles, tags and summaries, for "did you mean".
            CREATE VIRTUAL TABLE word_fts USING fts5(
                text, tokenize = 'unicode61 remove_diacritics 2', content = '', detail = 'none'
            );
            CREATE VIRTUAL TABLE word_vocab USING fts5vocab(word_fts, 'row');
            """)
        }
        m.registerMigration("v2-endorsements") { db in
            try db.execute(sql: """
            CREATE TABLE endorsement (
                endorser_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
                member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
                tag_id INTEGER NOT NULL REFERENCES tag(id),
                created TEXT NOT NULL,
                PRIMARY KEY (endorser_id, member_id, tag_id),
                CHECK (endorser_id <> member_id)
            ) WITHOUT ROWID;
            CREATE INDEX endorsement_member ON endorsement(member_id, tag_id);
            """)
        }
        m.registerMigration("v-curation-history") { db in
            try db.execute(sql: """
            -- Every change: who (a handle; NULL for the system), when, what. See +History.
            CREATE TABLE change (
                id INTEGER PRIMARY KEY,
                actor TEXT,
                at TEXT NOT NULL,
                action TEXT NOT NULL,
                summary TEXT NOT NULL,
                undoable INTEGER NOT NULL DEFAULT 1,
                undoes INTEGER REFERENCES change(id),
                undone_by INTEGER REFERENCES change(id)
            );
            CREATE INDEX change_actor ON change(actor, id);
            -- The rows a change touched: JSON images before (NULL: created) and after (NULL: deleted).
            CREATE TABLE change_row (
                change_id INTEGER NOT NULL REFERENCES change(id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                tbl TEXT NOT NULL,
                pk TEXT NOT NULL,
                before TEXT,
                after TEXT,
                PRIMARY KEY (change_id, seq)
            ) WITHOUT ROWID;
            CREATE INDEX change_row_key ON change_row(tbl, pk);
            -- The entries, members (entry keys) and tags (id << 3 | 6) a change touched, for `history ID`.
            CREATE TABLE change_entry (
                entry INTEGER NOT NULL,
                change_id INTEGER NOT NULL REFERENCES change(id) ON DELETE CASCADE,
                PRIMARY KEY (entry, change_id)
            ) WITHOUT ROWID;
            -- Ids and handles merged away, and where they point now: 'r15' → 'r12', '@kimlee' → '@kim-lee'.
            CREATE TABLE redirect (
                old TEXT PRIMARY KEY,
                new TEXT NOT NULL
            ) WITHOUT ROWID;
            -- The practice that replaced a retired one.
            CREATE TABLE practice_successor (
                practice_id INTEGER PRIMARY KEY REFERENCES practice(id) ON DELETE CASCADE,
                successor_id INTEGER NOT NULL REFERENCES practice(id)
            );
            """)
        }
        m.registerMigration("v-search-log") { db in
            try db.execute(sql: """
            -- Every find, who and ask (see +Insights); member_id is NULL when logged anonymously.
            CREATE TABLE search_log (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('find', 'who', 'ask')),
                query TEXT NOT NULL,
                results INTEGER NOT NULL CHECK (results >= 0),
                weak INTEGER NOT NULL DEFAULT 0 CHECK (weak IN (0, 1)),
                member_id INTEGER REFERENCES member(id) ON DELETE SET NULL
            );
            CREATE INDEX search_log_at ON search_log(at);
            CREATE INDEX search_log_member ON search_log(member_id);
            -- Settings of the store itself, such as logging = on | off | anonymous.
            CREATE TABLE store_setting (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            ) WITHOUT ROWID;
            """)
        }
        m.registerMigration("v2-source-ids") { db in
            // Where imported questions and answers came from (see +StackExchange). SQLite cannot
            // add a UNIQUE column, so a unique index does that job (NULLs stay distinct).
            try db.execute(sql: """
            ALTER TABLE question ADD COLUMN source_id TEXT;
            CREATE UNIQUE INDEX question_source_id ON question(source_id);
            ALTER TABLE answer ADD COLUMN source_id TEXT;
            CREATE UNIQUE INDEX answer_source_id ON answer(source_id);
            """)
        }
        m.registerMigration("v3-lean-index") { db in
            // Without prefix indexes (prefix = '2 3' tripled the index work and made the store 1.6×
            // larger; FTS5 expands a prefix from the term list instead), and with ranked lists for
            // terms in many entries (see +RankLists).
            try db.execute(sql: """
            DROP TABLE entry_fts;
            CREATE VIRTUAL TABLE entry_fts USING fts5(
                title, tags, summary, body,
                tokenize = 'porter unicode61 remove_diacritics 2'
            );
            CREATE TABLE rank_list (
                term TEXT NOT NULL,
                entry INTEGER NOT NULL,
                impact REAL NOT NULL,
                PRIMARY KEY (term, entry)
            ) WITHOUT ROWID;
            CREATE INDEX rank_list_entry ON rank_list(entry);
            CREATE TABLE rank_term (
                term TEXT PRIMARY KEY,
                entries INTEGER NOT NULL,
                floor REAL NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE rank_state (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                entries INTEGER NOT NULL,
                tokens INTEGER NOT NULL,
                list_length INTEGER NOT NULL,
                list_min_docs INTEGER NOT NULL,
                built_entries INTEGER NOT NULL
            );
            """)
            // The new index and the ranked lists are filled after migrating, with the other
            // derived data (see `derivedVersion`): rank_state has no row, which marks them stale.
        }
        m.registerMigration("v3-work-indexes") { db in
            // `who` reads each candidate's newest work by kind (see `work(of:)`): these indexes hold
            // what it reads, so it never visits the rows themselves.
            try db.execute(sql: """
            DROP INDEX resource_contributor;
            CREATE INDEX resource_contributor ON resource(contributor_id, id, created);
            DROP INDEX practice_contributor;
            CREATE INDEX practice_contributor ON practice(contributor_id, id, created);
            DROP INDEX practice_verified_by;
            CREATE INDEX practice_verified_by ON practice(verified_by_id, id, verified_at, created);
            DROP INDEX answer_author;
            CREATE INDEX answer_author ON answer(author_id, id, created);
            CREATE INDEX question_accepted ON question(accepted_answer_id) WHERE accepted_answer_id IS NOT NULL;
            """)
        }
        m.registerMigration("v3-work-summary") { db in
            // Each member's work kept ready for `who` (see +WorkSummary), and the triggers that
            // mark members whose work changed. The rows are filled after migrating, with the other
            // derived data: emptying rank_state marks it all stale (see `derivedVersion`).
            try db.execute(sql: """
            CREATE TABLE rank_work (
                member_id INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                total INTEGER NOT NULL,
                first INTEGER,
                newest BLOB NOT NULL,
                PRIMARY KEY (member_id, kind)
            ) WITHOUT ROWID;
            CREATE TABLE rank_work_stale (member_id INTEGER PRIMARY KEY);

            CREATE TRIGGER rank_work_resource_insert AFTER INSERT ON resource BEGIN
                INSERT OR IGNORE INTO rank_work_stale SELECT NEW.contributor_id WHERE NEW.contributor_id IS NOT NULL;
            END;
            CREATE TRIGGER rank_work_resource_delete AFTER DELETE ON resource BEGIN
                INSERT OR IGNORE INTO rank_work_stale SELECT OLD.contributor_id WHERE OLD.contributor_id IS NOT NULL;
                INSERT OR IGNORE INTO rank_work_stale SELECT member_id FROM resource_author WHERE resource_id = OLD.id;
            END;
            CREATE TRIGGER rank_work_resource_update AFTER UPDATE OF id, contributor_id, created ON resource BEGIN
                INSERT OR IGNORE INTO rank_work_stale SELECT OLD.contributor_id WHERE OLD.contributor_id IS NOT NULL;
                INSERT OR IGNORE INTO rank_work_stale SELECT NEW.contributor_id WHERE NEW.contributor_id IS NOT NULL;
                INSERT OR IGNORE INTO rank_work_stale SELECT member_id FROM resource_author WHERE resource_id IN (OLD.id, NEW.id);
            END;
            CREATE TRIGGER rank_work_author_insert AFTER INSERT ON resource_author BEGIN
                INSERT OR IGNORE INTO rank_work_stale VALUES (NEW.member_id);
            END;
            CREATE TRIGGER rank_work_author_delete AFTER DELETE ON resource_author BEGIN
                INSERT OR IGNORE INTO rank_work_stale VALUES (OLD.member_id);
            END;
            CREATE TRIGGER rank_work_author_update AFTER UPDATE ON resource_author BEGIN
                INSERT OR IGNORE INTO rank_work_stale VALUES (OLD.member_id);
                INSERT OR IGNORE INTO rank_work_stale VALUES (NEW.member_id);
            END;
            CREATE TRIGGER rank_work_practice_insert AFTER INSERT ON practice BEGIN
                INSERT OR IGNORE INTO rank_work_stale SELECT NEW.contributor_id WHERE NEW.contributor_id IS NOT NULL;
                INSERT OR IGNORE INTO rank_work_stale SELECT NEW.verified_by_id WHERE NEW.verified_by_id IS NOT NULL;
            END;
            CREATE TRIGGER rank_work_practice_delete AFTER DELETE ON practice BEGIN
                INSERT OR IGNORE INTO rank_work_stale SELECT OLD.contributor_id WHERE OLD.contributor_id IS NOT NULL;
                INSERT OR IGNORE INTO rank_work_stale SELECT OLD.verified_by_id WHERE OLD.verified_by_id IS NOT NULL;
            END;
            CREATE TRIGGER rank_work_practice_update AFTER UPDATE OF id, contributor_id, verified_by_id, verified_at, created ON practice BEGIN
                INSERT OR IGNORE INTO rank_work_stale SELECT OLD.contributor_id WHERE OLD.contributor_id IS NOT NULL;
                INSERT OR IGNORE INTO rank_work_stale SELECT NEW.contributor_id WHERE NEW.contributor_id IS NOT NULL;
                INSERT OR IGNORE INTO rank_work_stale SELECT OLD.verified_by_id WHERE OLD.verified_by_id IS NOT NULL;
                INSERT OR IGNORE INTO rank_work_stale SELECT NEW.verified_by_id WHERE NEW.verified_by_id IS NOT NULL;
            END;
            CREATE TRIGGER rank_work_answer_insert AFTER INSERT ON answer BEGIN
                INSERT OR IGNORE INTO rank_work_stale SELECT NEW.author_id WHERE NEW.author_id IS NOT NULL;
            END;
            CREATE TRIGGER rank_work_answer_delete AFTER DELETE ON answer BEGIN
                INSERT OR IGNORE INTO rank_work_stale SELECT OLD.author_id WHERE OLD.author_id IS NOT NULL;
            END;
            CREATE TRIGGER rank_work_answer_update AFTER UPDATE OF id, author_id, created ON answer BEGIN
                INSERT OR IGNORE INTO rank_work_stale SELECT OLD.author_id WHERE OLD.author_id IS NOT NULL;
                INSERT OR IGNORE INTO rank_work_stale SELECT NEW.author_id WHERE NEW.author_id IS NOT NULL;
            END;
            CREATE TRIGGER rank_work_accepted AFTER UPDATE OF accepted_answer_id ON question BEGIN
                INSERT OR IGNORE INTO rank_work_stale
                    SELECT author_id FROM answer WHERE id IN (OLD.accepted_answer_id, NEW.accepted_answer_id) AND author_id IS NOT NULL;
            END;
            DELETE FROM rank_state;
            """)
        }
        m.registerMigration("v4-not-duplicates") { db in
            try db.execute(sql: """
            -- Pairs a curator marked as not duplicates ('r3', 'r9'; '@kim', '@kimlee'), a before b.
            CREATE TABLE not_duplicate (
                a TEXT NOT NULL,
                b TEXT NOT NULL,
                PRIMARY KEY (a, b),
                CHECK (a < b)
            ) WITHOUT ROWID;
            """)
        }
        m.registerMigration("v5-derived-state") { db in
            // Which version of the derived data (full-text index, ranked lists, members' work) the
            // store holds; see `derivedVersion`. A store whose ranked lists were built (rank_state
            // has its row) holds version 1: until now migrations built it all, and writes keep it current.
            try db.execute(sql: """
            CREATE TABLE derived_state (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                version INTEGER NOT NULL
            );
            INSERT INTO derived_state(id, version) SELECT 1, 1 FROM rank_state WHERE id = 1;
            """)
        }
        m.registerMigration("v5-accepted-answer-key") { db in
            // A question's accepted answer must exist. SQLite adds a foreign key only by rebuilding
            // the table (https://sqlite.org/lang_altertable.html#otheralter): the migrator turns
            // foreign keys off meanwhile, so dropping the table deletes no answers. Its indexes and
            // trigger go with it and are made again. A reference to an answer that is gone (stores
            // allowed one) is cleared.
            try db.execute(sql: """
            CREATE TABLE new_question (
                id INTEGER PRIMARY KEY,
                title TEXT NOT NULL CHECK (title <> ''),
                body TEXT,
                asker_id INTEGER REFERENCES member(id),
                created TEXT NOT NULL,
                score INTEGER,
                accepted_answer_id INTEGER REFERENCES answer(id),
                source_id TEXT
            );
            INSERT INTO new_question(id, title, body, asker_id, created, score, accepted_answer_id, source_id)
                SELECT id, title, body, asker_id, created, score,
                       CASE WHEN accepted_answer_id IN (SELECT id FROM answer) THEN accepted_answer_id END, source_id
                FROM question;
            DROP TABLE question;
            ALTER TABLE new_question RENAME TO question;
            CREATE INDEX question_asker ON question(asker_id);
            CREATE UNIQUE INDEX question_source_id ON question(source_id);
            CREATE INDEX question_accepted ON question(accepted_answer_id) WHERE accepted_answer_id IS NOT NULL;
            CREATE TRIGGER rank_work_accepted AFTER UPDATE OF accepted_answer_id ON question BEGIN
                INSERT OR IGNORE INTO rank_work_stale
                    SELECT author_id FROM answer WHERE id IN (OLD.accepted_answer_id, NEW.accepted_answer_id) AND author_id IS NOT NULL;
            END;
            """)
            try db.checkForeignKeys(in: "question")
        }
        m.registerMigration("v6-meetings") { db in
            // Meetings (see +Meetings): series that recur on a weekday at a local time in a time
            // zone, and meetings (entries, key code 7) with their presenters, attendees and links.
            // Times are UTC instants as text; a meeting's tags are in entry_tag by its key.
            try db.execute(sql: """
            CREATE TABLE meeting_series (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE CHECK (name <> ''),
                weekday TEXT NOT NULL CHECK (weekday IN ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday')),
                at TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
                weeks INTEGER NOT NULL DEFAULT 1 CHECK (weeks BETWEEN 1 AND 52),
                place TEXT,
                format TEXT NOT NULL,
                organiser_id INTEGER REFERENCES member(id),
                starts TEXT NOT NULL,
                created TEXT NOT NULL
            );
            CREATE TABLE meeting (
                id INTEGER PRIMARY KEY,
                title TEXT NOT NULL CHECK (title <> ''),
                series_id INTEGER REFERENCES meeting_series(id),
                start TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
                place TEXT,
                format TEXT NOT NULL,
                notes TEXT,
                organiser_id INTEGER REFERENCES member(id),
                uid TEXT UNIQUE,
                created TEXT NOT NULL,
                updated TEXT NOT NULL
            );
            CREATE INDEX meeting_start ON meeting(start);
            CREATE INDEX meeting_series_start ON meeting(series_id, start);
            CREATE INDEX meeting_organiser ON meeting(organiser_id);
            -- Who presented and who attended; `seq` keeps presenters in the order given.
            CREATE TABLE meeting_person (
                meeting_id INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
                member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
                part TEXT NOT NULL CHECK (part IN ('presenter', 'attendee')),
                seq INTEGER NOT NULL,
                PRIMARY KEY (meeting_id, part, member_id)
            ) WITHOUT ROWID;
            CREATE INDEX meeting_person_member ON meeting_person(member_id, part);
            -- Resources, practices and questions a meeting used or led to, by entry key.
            CREATE TABLE meeting_link (
                meeting_id INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
                entry INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                PRIMARY KEY (meeting_id, entry)
            ) WITHOUT ROWID;
            CREATE INDEX meeting_link_entry ON meeting_link(entry);
            """)
        }
        m.registerMigration("v7-contentless-index") { db in
            // The index keeps no copy of the text (a normal FTS5 table stored every entry's text a
            // second time, about a third of the store): the entries' tables hold it, and a row is
            // taken out of the index with FTS5's 'delete' command and the text it was made from
            // (see +Index). The word list keeps no column sizes: nothing ranks by them. An entry
            // leaves the ranked lists of the terms of that text, so they need no index by entry.
            // Nothing looks resources up by address (duplicates match part of it, with LIKE).
            // All are filled again after migrating (`derivedVersion` 2), in one transaction.
            try db.execute(sql: """
            DROP TABLE entry_fts;
            CREATE VIRTUAL TABLE entry_fts USING fts5(
                title, tags, summary, body,
                tokenize = 'porter unicode61 remove_diacritics 2', content = ''
            );
            DROP TABLE word_vocab;
            DROP TABLE word_fts;
            CREATE VIRTUAL TABLE word_fts USING fts5(
                text, tokenize = 'unicode61 remove_diacritics 2', content = '', detail = 'none', columnsize = 0
            );
            CREATE VIRTUAL TABLE word_vocab USING fts5vocab(word_fts, 'row');
            DROP INDEX rank_list_entry;
            DROP INDEX resource_url;
            DELETE FROM derived_state;
            """)
        }
        m.registerMigration("v8-partial-indexes") { db in
            // Indexes of columns that are mostly NULL hold only the rows that have a value: ids
            // from an archive (only imported questions and answers have one), who verified a
            // practice and when to review it (only verified ones). Every lookup names a value
            // (`= ?`, `<= ?`), which implies NOT NULL, so SQLite uses them as before; NULLs were
            // never unique anyway. At a million generated entries they were 1% of the store.
            try db.execute(sql: """
            DROP INDEX question_source_id;
            CREATE UNIQUE INDEX question_source_id ON question(source_id) WHERE source_id IS NOT NULL;
            DROP INDEX answer_source_id;
            CREATE UNIQUE INDEX answer_source_id ON answer(source_id) WHERE source_id IS NOT NULL;
            DROP INDEX practice_verified_by;
            CREATE INDEX practice_verified_by ON practice(verified_by_id, id, verified_at, created) WHERE verified_by_id IS NOT NULL;
            DROP INDEX practice_review_by;
            CREATE INDEX practice_review_by ON practice(review_by) WHERE review_by IS NOT NULL;
            """)
        }
        m.registerMigration("v9-index-version") { db in
            // What a process's kept ranked lists and tags' words are kept under
            // (`RankStats.indexVersion`). The schema keeps it, so that any KnowHow writing to the
            // store changes it, an older one too: every change to the index or its lists sets the
            // entries or tokens of rank_state, and each such update, or a new row, draws a new
            // random version (halved, never past the largest integer; random, so that two copies
            // of a store changed apart do not meet at one version).
            try db.execute(sql: """
            ALTER TABLE rank_state ADD COLUMN index_version INTEGER NOT NULL DEFAULT 0;
            UPDATE rank_state SET index_version = random() >> 1;
            CREATE TRIGGER rank_state_new_version AFTER INSERT ON rank_state BEGIN
                UPDATE rank_state SET index_version = random() >> 1 WHERE id = NEW.id;
            END;
            CREATE TRIGGER rank_state_next_version AFTER UPDATE OF entries, tokens ON rank_state BEGIN
                UPDATE rank_state SET index_version = random() >> 1 WHERE id = NEW.id;
            END;
            """)
        }
        return m
    }()

    // MARK: - Derived data

    /// The version of what the store derives from its tables: the full-text index and its word
    /// list, the ranked lists (+RankLists) and members' work (+WorkSummary). Writes keep them
    /// current; when the way they are made changes, raise this and every store rebuilds them once,
    /// after migrating. Migrations never build them: they run frozen SQL, not code that changes.
    static let derivedVersion = 2

    /// Whether the store's derived data is of this code's version.
    static func derivedDataIsCurrent(_ db: Database) throws -> Bool {
        try Int.fetchOne(db, sql: "SELECT version FROM derived_state WHERE id = 1") == derivedVersion
    }

    /// Migrates, then rebuilds the derived data if it is of another version, in one transaction.
    static func upgrade(_ writer: any DatabaseWriter, tuning: SearchTuning) throws {
        try migrator.migrate(writer)
        try writer.write { db in
            if try derivedDataIsCurrent(db) { return }
            try rebuildDerivedData(db, tuning: tuning)
            try db.execute(sql: "INSERT OR REPLACE INTO derived_state(id, version) VALUES (1, ?)", arguments: [derivedVersion])
        }
    }

    /// Rebuilds the full-text index, the ranked lists and members' work from the tables; the
    /// lists with the store's tuning when it has lists, else with `tuning`.
    static func rebuildDerivedData(_ db: Database, tuning: SearchTuning) throws {
        try rebuildIndex(db, tuning: tuning)
        try rebuildWork(db)
        try db.execute(sql: "DELETE FROM rank_work_stale")
    }

    /// Rebuilds the full-text index, its word list and the ranked lists from the tables.
    static func rebuildIndex(_ db: Database, tuning: SearchTuning = .standard) throws {
        try db.execute(sql: "INSERT INTO entry_fts(entry_fts) VALUES ('delete-all'); INSERT INTO word_fts(word_fts) VALUES ('delete-all')")
        // In key order, and batched, as an import indexes (see WriteSession).
        let keys = try Int64.fetchAll(db, sql: EntryType.allCases.map { t in
            "SELECT id << 3 | \(EntryKey.code(t)) FROM \(EntryKey.table(t))"
        }.joined(separator: " UNION ALL ") + " ORDER BY 1")
        let session = WriteSession(importing: true)
        for key in keys {
            if let doc = try document(db, key: key) { try session.index(db, key: key, doc) }
        }
        try session.flushIndex(db)
        // Lists as long as the store's were, when it had some.
        let kept = try rankStats(db).map { SearchTuning(listMinDocs: $0.listMinDocs, listLength: $0.listLength) }
        try rebuildRankLists(db, tuning: kept ?? tuning)
    }
}
