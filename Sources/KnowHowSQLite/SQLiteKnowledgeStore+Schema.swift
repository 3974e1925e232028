import Foundation
import GRDB

extension SQLiteKnowledgeStore {
    /// Named migrations; never edit one that has shipped, add a new one.
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
        return m
    }()
}
