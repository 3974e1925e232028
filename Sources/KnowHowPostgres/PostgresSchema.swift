import KnowHowCore

/// The PostgreSQL schema, made and upgraded through numbered migrations in its own schema
/// (`knowhow`). Migrations are frozen SQL: never edit one that has shipped, add the next number.
public enum PostgresSchema {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    /// The key of the advisory lock every migrating client takes first, so two clients starting
    /// at once apply each migration exactly once ('knowhow' in ASCII).
    public static let lockKey: Int64 = 0x6B6E_6F77_686F_77

    /// Applies the migrations this database has not had yet, in one transaction under the
    /// advisory lock; returns the versions applied (empty when it was up to date).
    @discardableResult
    public static func migrate(_ connection: PGConnection) throws -> [Int] {
        do {
            // Up to date: nothing to lock or create, so logins that may not create (members) open it too.
            if try appliedVersions(connection) == migrations.map(\.version) { return [] }
            return try connection.transaction { c in
                try c.query("SELECT pg_advisory_xact_lock($1)", [lockKey])
                try c.executeScript("""
                    CREATE SCHEMA IF NOT EXISTS knowhow;
                    CREATE TABLE IF NOT EXISTS knowhow.schema_migration (
                        version integer PRIMARY KEY,
                        name text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    );
                    """)
                let done = Set(try c.query("SELECT version FROM knowhow.schema_migration").rows.map { try $0.require("version", as: Int.self) })
                var applied: [Int] = []
                for m in migrations where !done.contains(m.version) {
                    try c.executeScript(m.sql)
                    try c.query("INSERT INTO knowhow.schema_migration(version, name) VALUES ($1, $2)", [m.version, m.name])
                    applied.append(m.version)
                }
                return applied
            }
        } catch let e as PGError {
            if e.sqlState == "58P01" || (e.sqlState == "0A000" && e.message.contains("extension")) {
                throw KnowHowError.storeUnavailable(path: connection.displayName, reason: "the server lacks the unaccent extension (PostgreSQL's contrib modules, shipped with postgresql-15); install them on the server and run `init` again")
            }
            if e.sqlState == "42501" {
                throw KnowHowError.storeUnavailable(path: connection.displayName, reason: "the login \(connection.user) may not create KnowHow's schema; run `init` once as the database's owner")
            }
            throw e.knowHowError
        }
    }

    /// The versions recorded as applied, oldest first (empty when the schema does not exist).
    public static func appliedVersions(_ connection: PGConnection) throws -> [Int] {
        let exists = try connection.query("SELECT to_regclass('knowhow.schema_migration') IS NOT NULL AS e").first?.get("e", as: Bool.self) ?? false
        guard exists else { return [] }
        return try connection.query("SELECT version FROM knowhow.schema_migration ORDER BY version").rows.map { try $0.require("version") }
    }

    /// Tables whose ids PostgreSQL numbers (identity columns).
    static let numberedTables = ["tag", "member", "resource", "practice", "question", "answer", "change", "search_log"]

    /// Moves each id sequence past the largest id stored, after rows were written with their
    /// own ids (an import keeps a community file's ids), so the next id PostgreSQL gives is free.
    public static func syncIdentities(_ c: PGConnection) throws {
        for t in numberedTables {
            // Never back: a change in progress has taken its number already (see +Changes).
            try c.query("""
                SELECT setval(s, greatest(coalesce((SELECT max(id) FROM knowhow.\(t)), 0), coalesce(pg_sequence_last_value(s::regclass), 0)) + 1, false)
                FROM pg_get_serial_sequence($1, 'id') AS s
                """, ["knowhow.\(t)"])
        }
    }

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "core", sql: v1Core),
        Migration(version: 2, name: "roles", sql: v2Roles),
        Migration(version: 3, name: "entry-documents", sql: v3Documents),
        Migration(version: 4, name: "diacritics-and-vocabulary", sql: v4Vocabulary),
        Migration(version: 5, name: "history-recording", sql: v5History),
        Migration(version: 6, name: "entry-statistics", sql: v6Statistics),
        Migration(version: 7, name: "meetings", sql: v7Meetings),
        Migration(version: 8, name: "byte-ordered-pairs", sql: v8ByteOrderedPairs),
    ]

    /// The model of the SQLite store (see SQLiteKnowledgeStore+Schema.swift), table for table.
    /// Times are kept as the same text the SQLite store keeps, so a community file goes round
    /// byte for byte. Entry keys are `id << 3 | type code` as there (1 member … 5 answer).
    static let v1Core = """
    -- English stemming as SQLite's porter tokenizer does it, but without stop words: SQLite
    -- indexes every word, so `find the` must not become an empty search here.
    CREATE TEXT SEARCH DICTIONARY knowhow.english_stem (TEMPLATE = snowball, Language = english);
    CREATE TEXT SEARCH CONFIGURATION knowhow.english (COPY = pg_catalog.english);
    ALTER TEXT SEARCH CONFIGURATION knowhow.english
        ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
        WITH knowhow.english_stem;

    CREATE TABLE knowhow.tag (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        name text NOT NULL UNIQUE,
        description text
    );
    CREATE TABLE knowhow.tag_alias (
        alias text PRIMARY KEY,
        tag_id bigint NOT NULL REFERENCES knowhow.tag(id) ON DELETE CASCADE
    );
    CREATE INDEX tag_alias_tag ON knowhow.tag_alias(tag_id);

    CREATE TABLE knowhow.member (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        handle text NOT NULL UNIQUE,
        name text NOT NULL,
        email text,
        organisation text,
        sector text,
        location text,
        time_zone text,
        bio text,
        role text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'contributor', 'curator')),
        open_to_questions boolean NOT NULL DEFAULT true,
        mentoring boolean NOT NULL DEFAULT false,
        joined text,
        source_id text UNIQUE
    );
    CREATE INDEX member_sector ON knowhow.member(lower(sector));
    CREATE INDEX member_email ON knowhow.member(lower(email));

    CREATE TABLE knowhow.member_skill (
        member_id bigint NOT NULL REFERENCES knowhow.member(id) ON DELETE CASCADE,
        tag_id bigint NOT NULL REFERENCES knowhow.tag(id),
        level text NOT NULL CHECK (level IN ('learning', 'practising', 'expert')),
        PRIMARY KEY (member_id, tag_id)
    );
    CREATE INDEX member_skill_tag ON knowhow.member_skill(tag_id, level);
    CREATE TABLE knowhow.member_interest (
        member_id bigint NOT NULL REFERENCES knowhow.member(id) ON DELETE CASCADE,
        tag_id bigint NOT NULL REFERENCES knowhow.tag(id),
        PRIMARY KEY (member_id, tag_id)
    );
    CREATE INDEX member_interest_tag ON knowhow.member_interest(tag_id);

    CREATE TABLE knowhow.resource (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        title text NOT NULL CHECK (title <> ''),
        url text,
        kind text NOT NULL CHECK (kind IN ('guide', 'template', 'tool', 'course', 'article', 'video', 'book', 'dataset', 'slides', 'notes', 'other')),
        summary text,
        body text,
        contributor_id bigint REFERENCES knowhow.member(id),
        created text NOT NULL,
        updated text NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived'))
    );
    CREATE INDEX resource_url ON knowhow.resource(url);
    CREATE INDEX resource_contributor ON knowhow.resource(contributor_id, id, created);
    CREATE TABLE knowhow.resource_author (
        resource_id bigint NOT NULL REFERENCES knowhow.resource(id) ON DELETE CASCADE,
        member_id bigint NOT NULL REFERENCES knowhow.member(id),
        PRIMARY KEY (resource_id, member_id)
    );
    CREATE INDEX resource_author_member ON knowhow.resource_author(member_id);

    CREATE TABLE knowhow.practice (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        title text NOT NULL CHECK (title <> ''),
        context text,
        practice text,
        evidence text,
        contributor_id bigint REFERENCES knowhow.member(id),
        status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'verified', 'retired')),
        verified_by_id bigint REFERENCES knowhow.member(id),
        verified_at text,
        review_by text,
        created text NOT NULL,
        updated text NOT NULL
    );
    CREATE INDEX practice_contributor ON knowhow.practice(contributor_id, id, created);
    CREATE INDEX practice_verified_by ON knowhow.practice(verified_by_id, id, verified_at, created);
    CREATE INDEX practice_review_by ON knowhow.practice(review_by);

    CREATE TABLE knowhow.question (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        title text NOT NULL CHECK (title <> ''),
        body text,
        asker_id bigint REFERENCES knowhow.member(id),
        created text NOT NULL,
        score integer,
        accepted_answer_id bigint,
        source_id text UNIQUE
    );
    CREATE INDEX question_asker ON knowhow.question(asker_id);
    CREATE INDEX question_accepted ON knowhow.question(accepted_answer_id) WHERE accepted_answer_id IS NOT NULL;
    CREATE TABLE knowhow.answer (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        question_id bigint NOT NULL REFERENCES knowhow.question(id) ON DELETE CASCADE,
        body text NOT NULL,
        author_id bigint REFERENCES knowhow.member(id),
        created text NOT NULL,
        score integer,
        source_id text UNIQUE
    );
    CREATE INDEX answer_question ON knowhow.answer(question_id);
    CREATE INDEX answer_author ON knowhow.answer(author_id, id, created);
    -- The foreign key the SQLite schema lacks; deferred, as an answer and its acceptance may
    -- arrive in either order within one transaction.
    ALTER TABLE knowhow.question ADD CONSTRAINT question_accepted_answer
        FOREIGN KEY (accepted_answer_id) REFERENCES knowhow.answer(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

    -- Tags of resources, practices and questions, by entry key.
    CREATE TABLE knowhow.entry_tag (
        entry bigint NOT NULL,
        tag_id bigint NOT NULL REFERENCES knowhow.tag(id),
        PRIMARY KEY (entry, tag_id)
    );
    CREATE INDEX entry_tag_tag ON knowhow.entry_tag(tag_id, entry);

    -- What search reads, one row per entry of every kind: the texts for snippets and the
    -- weighted vector (title A, tags B, summary C, body D) the GIN index serves.
    CREATE TABLE knowhow.entry_text (
        entry bigint PRIMARY KEY,
        title text NOT NULL DEFAULT '',
        tags text NOT NULL DEFAULT '',
        summary text NOT NULL DEFAULT '',
        body text NOT NULL DEFAULT '',
        search tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('knowhow.english', title), 'A') ||
            setweight(to_tsvector('knowhow.english', tags), 'B') ||
            setweight(to_tsvector('knowhow.english', summary), 'C') ||
            setweight(to_tsvector('knowhow.english', body), 'D')) STORED
    );
    CREATE INDEX entry_text_search ON knowhow.entry_text USING gin (search);

    CREATE TABLE knowhow.endorsement (
        endorser_id bigint NOT NULL REFERENCES knowhow.member(id) ON DELETE CASCADE,
        member_id bigint NOT NULL REFERENCES knowhow.member(id) ON DELETE CASCADE,
        tag_id bigint NOT NULL REFERENCES knowhow.tag(id),
        created text NOT NULL,
        PRIMARY KEY (endorser_id, member_id, tag_id),
        CHECK (endorser_id <> member_id)
    );
    CREATE INDEX endorsement_member ON knowhow.endorsement(member_id, tag_id);

    -- Every change: who (a handle; NULL for the system), when, what.
    CREATE TABLE knowhow.change (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        actor text,
        at text NOT NULL,
        action text NOT NULL,
        summary text NOT NULL,
        undoable boolean NOT NULL DEFAULT true,
        undoes bigint REFERENCES knowhow.change(id),
        undone_by bigint REFERENCES knowhow.change(id)
    );
    CREATE INDEX change_actor ON knowhow.change(actor, id);
    -- The rows a change touched: JSON images before (NULL: created) and after (NULL: deleted).
    CREATE TABLE knowhow.change_row (
        change_id bigint NOT NULL REFERENCES knowhow.change(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        tbl text NOT NULL,
        pk text NOT NULL,
        before text,
        after text,
        PRIMARY KEY (change_id, seq)
    );
    CREATE INDEX change_row_key ON knowhow.change_row(tbl, pk);
    CREATE TABLE knowhow.change_entry (
        entry bigint NOT NULL,
        change_id bigint NOT NULL REFERENCES knowhow.change(id) ON DELETE CASCADE,
        PRIMARY KEY (entry, change_id)
    );
    CREATE TABLE knowhow.redirect (
        old text PRIMARY KEY,
        new text NOT NULL
    );
    CREATE TABLE knowhow.practice_successor (
        practice_id bigint PRIMARY KEY REFERENCES knowhow.practice(id) ON DELETE CASCADE,
        successor_id bigint NOT NULL REFERENCES knowhow.practice(id)
    );
    CREATE TABLE knowhow.not_duplicate (
        a text NOT NULL,
        b text NOT NULL,
        PRIMARY KEY (a, b),
        CHECK (a < b)
    );

    CREATE TABLE knowhow.search_log (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        at text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('find', 'who', 'ask')),
        query text NOT NULL,
        results integer NOT NULL CHECK (results >= 0),
        weak boolean NOT NULL DEFAULT false,
        member_id bigint REFERENCES knowhow.member(id) ON DELETE SET NULL
    );
    CREATE INDEX search_log_at ON knowhow.search_log(at);
    CREATE INDEX search_log_member ON knowhow.search_log(member_id);
    CREATE TABLE knowhow.store_setting (
        key text PRIMARY KEY,
        value text NOT NULL
    );

    -- Who a database login is: curators map logins to handles.
    CREATE TABLE knowhow.member_login (
        login name PRIMARY KEY,
        member_id bigint NOT NULL REFERENCES knowhow.member(id) ON DELETE CASCADE
    );
    CREATE INDEX member_login_member ON knowhow.member_login(member_id);
    """

    /// Group roles and the guard the database keeps itself, so a member who connects with psql
    /// can do no more than KnowHow lets them: knowhow_member ⊂ knowhow_contributor ⊂
    /// knowhow_curator. Who you are is `session_user` mapped through `member_login` (SET ROLE
    /// cannot change it). History is append-only for every role (only `undone_by` is updated).
    static let v2Roles = """
    DO $roles$
    DECLARE r text;
    BEGIN
        FOREACH r IN ARRAY ARRAY['knowhow_member', 'knowhow_contributor', 'knowhow_curator'] LOOP
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- roles belong to the cluster; another database made them already
            END;
        END LOOP;
    END
    $roles$;
    GRANT knowhow_member TO knowhow_contributor;
    GRANT knowhow_contributor TO knowhow_curator;

    -- Who the session is. SECURITY DEFINER so policies can read the mapping whatever the caller may read.
    CREATE FUNCTION knowhow.current_member_id() RETURNS bigint
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = knowhow, pg_temp
        AS $$ SELECT member_id FROM knowhow.member_login WHERE login = session_user $$;
    CREATE FUNCTION knowhow.current_handle() RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = knowhow, pg_temp
        AS $$ SELECT m.handle FROM knowhow.member_login l JOIN knowhow.member m ON m.id = l.member_id WHERE l.login = session_user $$;
    CREATE FUNCTION knowhow.is_curator() RETURNS boolean
        LANGUAGE sql STABLE
        AS $$ SELECT pg_has_role(session_user, 'knowhow_curator', 'MEMBER') $$;
    -- The member who owns an entry key: a profile's own member, an entry's contributor, asker or author.
    CREATE FUNCTION knowhow.entry_owner(entry bigint) RETURNS bigint
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = knowhow, pg_temp
        AS $$
        SELECT CASE entry & 7
            WHEN 1 THEN entry >> 3
            WHEN 2 THEN (SELECT contributor_id FROM knowhow.resource WHERE id = entry >> 3)
            WHEN 3 THEN (SELECT contributor_id FROM knowhow.practice WHERE id = entry >> 3)
            WHEN 4 THEN (SELECT asker_id FROM knowhow.question WHERE id = entry >> 3)
            WHEN 5 THEN (SELECT author_id FROM knowhow.answer WHERE id = entry >> 3)
        END
        $$;
    CREATE FUNCTION knowhow.owns_entry(entry bigint) RETURNS boolean
        LANGUAGE sql STABLE
        AS $$ SELECT knowhow.entry_owner(entry) IS NOT DISTINCT FROM knowhow.current_member_id() AND knowhow.current_member_id() IS NOT NULL $$;
    REVOKE ALL ON FUNCTION knowhow.current_member_id(), knowhow.current_handle(), knowhow.entry_owner(bigint) FROM PUBLIC;

    GRANT USAGE ON SCHEMA knowhow TO knowhow_member;
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA knowhow TO knowhow_member;
    GRANT SELECT ON ALL TABLES IN SCHEMA knowhow TO knowhow_member;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA knowhow TO knowhow_member;

    -- Every member: their own profile (not its role), questions, answers, endorsements, tags
    -- of their own entries, the index rows of their own entries, history of their own changes.
    GRANT UPDATE (name, email, organisation, sector, location, time_zone, bio, open_to_questions, mentoring)
        ON knowhow.member TO knowhow_member;
    GRANT INSERT, DELETE ON knowhow.member_skill, knowhow.member_interest TO knowhow_member;
    GRANT INSERT ON knowhow.tag TO knowhow_member;
    GRANT INSERT, UPDATE (title, body, accepted_answer_id) ON knowhow.question TO knowhow_member;
    GRANT INSERT, UPDATE (body) ON knowhow.answer TO knowhow_member;
    GRANT INSERT, DELETE ON knowhow.endorsement TO knowhow_member;
    GRANT INSERT, DELETE ON knowhow.entry_tag TO knowhow_member;
    GRANT INSERT, UPDATE, DELETE ON knowhow.entry_text TO knowhow_member;
    GRANT INSERT, UPDATE (undone_by) ON knowhow.change TO knowhow_member;
    GRANT INSERT ON knowhow.change_row, knowhow.change_entry TO knowhow_member;
    GRANT INSERT ON knowhow.search_log TO knowhow_member;

    -- Contributors: their own resources and practices (verifying is the curators').
    GRANT INSERT, UPDATE (title, url, kind, summary, body, updated, status) ON knowhow.resource TO knowhow_contributor;
    GRANT INSERT, DELETE ON knowhow.resource_author TO knowhow_contributor;
    GRANT INSERT, UPDATE (title, context, practice, evidence, updated) ON knowhow.practice TO knowhow_contributor;

    -- Curators: every entry and member, tags, merges, logins, settings; history stays append-only.
    GRANT INSERT, UPDATE, DELETE ON knowhow.member, knowhow.member_skill, knowhow.member_interest,
        knowhow.resource, knowhow.resource_author, knowhow.practice, knowhow.question, knowhow.answer,
        knowhow.tag, knowhow.tag_alias, knowhow.entry_tag, knowhow.entry_text, knowhow.endorsement,
        knowhow.redirect, knowhow.practice_successor, knowhow.not_duplicate, knowhow.store_setting,
        knowhow.member_login, knowhow.search_log
        TO knowhow_curator;

    -- Row-level security: everyone reads; members change their own rows; curators any row.
    DO $rls$
    DECLARE t text;
    BEGIN
        FOREACH t IN ARRAY ARRAY['member', 'member_skill', 'member_interest', 'resource', 'resource_author',
                                 'practice', 'question', 'answer', 'entry_tag', 'entry_text', 'endorsement',
                                 'change', 'change_row', 'change_entry', 'search_log'] LOOP
            EXECUTE format('ALTER TABLE knowhow.%I ENABLE ROW LEVEL SECURITY', t);
            EXECUTE format('CREATE POLICY read ON knowhow.%I FOR SELECT USING (true)', t);
            EXECUTE format('CREATE POLICY curate ON knowhow.%I FOR ALL TO knowhow_curator USING (knowhow.is_curator()) WITH CHECK (knowhow.is_curator())', t);
        END LOOP;
    END
    $rls$;

    CREATE POLICY own_profile ON knowhow.member FOR UPDATE TO knowhow_member
        USING (id = knowhow.current_member_id()) WITH CHECK (id = knowhow.current_member_id());
    CREATE POLICY own_skill ON knowhow.member_skill FOR ALL TO knowhow_member
        USING (member_id = knowhow.current_member_id()) WITH CHECK (member_id = knowhow.current_member_id());
    CREATE POLICY own_interest ON knowhow.member_interest FOR ALL TO knowhow_member
        USING (member_id = knowhow.current_member_id()) WITH CHECK (member_id = knowhow.current_member_id());

    CREATE POLICY own_resource ON knowhow.resource FOR ALL TO knowhow_contributor
        USING (contributor_id = knowhow.current_member_id()) WITH CHECK (contributor_id = knowhow.current_member_id());
    CREATE POLICY own_resource_author ON knowhow.resource_author FOR ALL TO knowhow_contributor
        USING (knowhow.owns_entry(resource_id << 3 | 2)) WITH CHECK (knowhow.owns_entry(resource_id << 3 | 2));
    CREATE POLICY own_practice ON knowhow.practice FOR ALL TO knowhow_contributor
        USING (contributor_id = knowhow.current_member_id()) WITH CHECK (contributor_id = knowhow.current_member_id());

    CREATE POLICY own_question ON knowhow.question FOR ALL TO knowhow_member
        USING (asker_id = knowhow.current_member_id()) WITH CHECK (asker_id = knowhow.current_member_id());
    CREATE POLICY own_answer ON knowhow.answer FOR ALL TO knowhow_member
        USING (author_id = knowhow.current_member_id()) WITH CHECK (author_id = knowhow.current_member_id());
    CREATE POLICY own_endorsement ON knowhow.endorsement FOR ALL TO knowhow_member
        USING (endorser_id = knowhow.current_member_id()) WITH CHECK (endorser_id = knowhow.current_member_id());
    CREATE POLICY own_entry_tag ON knowhow.entry_tag FOR ALL TO knowhow_member
        USING (knowhow.owns_entry(entry)) WITH CHECK (knowhow.owns_entry(entry));
    CREATE POLICY own_entry_text ON knowhow.entry_text FOR ALL TO knowhow_member
        USING (knowhow.owns_entry(entry)) WITH CHECK (knowhow.owns_entry(entry));

    CREATE POLICY own_change ON knowhow.change FOR ALL TO knowhow_member
        USING (actor = knowhow.current_handle()) WITH CHECK (actor = knowhow.current_handle());
    CREATE POLICY own_change_row ON knowhow.change_row FOR INSERT TO knowhow_member
        WITH CHECK (EXISTS (SELECT 1 FROM knowhow.change c WHERE c.id = change_id AND c.actor = knowhow.current_handle()));
    CREATE POLICY own_change_entry ON knowhow.change_entry FOR INSERT TO knowhow_member
        WITH CHECK (EXISTS (SELECT 1 FROM knowhow.change c WHERE c.id = change_id AND c.actor = knowhow.current_handle()));
    CREATE POLICY own_search ON knowhow.search_log FOR INSERT TO knowhow_member
        WITH CHECK (member_id IS NULL OR member_id = knowhow.current_member_id());
    """

    /// What search indexes for each entry key, defined once in the database (as the SQLite
    /// store's `document(_:key:)` defines it): title, tags (names and aliases, `-` as a space),
    /// summary, body. `knowhow.reindex` writes the rows of `entry_text` for a set of keys.
    static let v3Documents = """
    CREATE FUNCTION knowhow.tag_text(ids bigint[]) RETURNS text
        LANGUAGE sql STABLE SET search_path = knowhow, pg_temp
        AS $$
        SELECT coalesce(string_agg(replace(t.name || coalesce(' ' || (SELECT string_agg(a.alias, ' ' ORDER BY a.alias COLLATE "C")
                                                                       FROM knowhow.tag_alias a WHERE a.tag_id = t.id), ''), '-', ' '),
                                   ' ' ORDER BY t.name COLLATE "C"), '')
        FROM knowhow.tag t WHERE t.id = ANY (ids)
        $$;
    CREATE FUNCTION knowhow.entry_document(k bigint, OUT title text, OUT tags text, OUT summary text, OUT body text)
        LANGUAGE sql STABLE SET search_path = knowhow, pg_temp
        AS $$
        SELECT m.name, knowhow.tag_text(ARRAY(SELECT tag_id FROM knowhow.member_skill WHERE member_id = m.id
                                             UNION SELECT tag_id FROM knowhow.member_interest WHERE member_id = m.id)),
               concat_ws(' · ', '@' || m.handle, m.organisation, m.sector, m.location), coalesce(m.bio, '')
        FROM knowhow.member m WHERE k & 7 = 1 AND m.id = k >> 3
        UNION ALL
        SELECT r.title, knowhow.tag_text(ARRAY(SELECT tag_id FROM knowhow.entry_tag WHERE entry = k)),
               coalesce(r.summary, ''), coalesce(r.body, '')
        FROM knowhow.resource r WHERE k & 7 = 2 AND r.id = k >> 3
        UNION ALL
        SELECT p.title, knowhow.tag_text(ARRAY(SELECT tag_id FROM knowhow.entry_tag WHERE entry = k)),
               coalesce(p.context, ''), concat_ws(E'\\n\\n', p.practice, p.evidence)
        FROM knowhow.practice p WHERE k & 7 = 3 AND p.id = k >> 3
        UNION ALL
        SELECT q.title, knowhow.tag_text(ARRAY(SELECT tag_id FROM knowhow.entry_tag WHERE entry = k)), '', coalesce(q.body, '')
        FROM knowhow.question q WHERE k & 7 = 4 AND q.id = k >> 3
        UNION ALL
        SELECT '', knowhow.tag_text(ARRAY(SELECT tag_id FROM knowhow.entry_tag WHERE entry = a.question_id << 3 | 4)), q.title, a.body
        FROM knowhow.answer a JOIN knowhow.question q ON q.id = a.question_id WHERE k & 7 = 5 AND a.id = k >> 3
        $$;
    CREATE FUNCTION knowhow.reindex(keys bigint[]) RETURNS void
        LANGUAGE sql SET search_path = knowhow, pg_temp
        AS $$
        DELETE FROM knowhow.entry_text WHERE entry = ANY (keys);
        INSERT INTO knowhow.entry_text(entry, title, tags, summary, body)
        SELECT k, d.title, d.tags, d.summary, d.body FROM unnest(keys) AS k, LATERAL knowhow.entry_document(k) d;
        $$;
    -- Every key of every entry and member, for rebuilding the whole index.
    CREATE VIEW knowhow.entry_key AS
        SELECT id << 3 | 1 AS entry FROM knowhow.member
        UNION ALL SELECT id << 3 | 2 FROM knowhow.resource
        UNION ALL SELECT id << 3 | 3 FROM knowhow.practice
        UNION ALL SELECT id << 3 | 4 FROM knowhow.question
        UNION ALL SELECT id << 3 | 5 FROM knowhow.answer;
    GRANT SELECT ON knowhow.entry_key TO knowhow_member;
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA knowhow TO knowhow_member;
    """

    /// Accents fold away in search as SQLite's `remove_diacritics 2` folds them (`cafe` finds
    /// `café`), through the `unaccent` extension (trusted: a database owner may create it).
    /// And the unstemmed words of titles, tags and summaries, with how many entries hold each,
    /// for "did you mean" (SQLite's `word_vocab`); kept by statement triggers on `entry_text`,
    /// so every writer keeps it without knowing of it.
    static let v4Vocabulary = """
    CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA knowhow;
    DO $u$
    DECLARE s text;
    BEGIN
        SELECT n.nspname INTO s FROM pg_ts_template t JOIN pg_namespace n ON n.oid = t.tmplnamespace WHERE t.tmplname = 'unaccent' LIMIT 1;
        EXECUTE format('CREATE TEXT SEARCH DICTIONARY knowhow.fold (TEMPLATE = %I.unaccent, RULES = unaccent)', s);
    END
    $u$;
    -- Only words with letters beyond ASCII can carry accents; ASCII words skip the extra step.
    ALTER TEXT SEARCH CONFIGURATION knowhow.english
        ALTER MAPPING FOR word, hword, hword_part WITH knowhow.fold, knowhow.english_stem;
    -- Stored vectors are computed again with the folding.
    UPDATE knowhow.entry_text SET title = title;

    -- Words as SQLite's unicode61 tokenizer gives them: lower case, no accents, no stemming,
    -- hyphenated words as their parts.
    CREATE TEXT SEARCH CONFIGURATION knowhow.words (COPY = pg_catalog.simple);
    ALTER TEXT SEARCH CONFIGURATION knowhow.words DROP MAPPING IF EXISTS FOR asciihword, hword, numhword;
    ALTER TEXT SEARCH CONFIGURATION knowhow.words ALTER MAPPING FOR word, hword_part WITH knowhow.fold, simple;
    CREATE FUNCTION knowhow.words(title text, tags text, summary text) RETURNS text[]
        LANGUAGE sql IMMUTABLE
        AS $$ SELECT tsvector_to_array(to_tsvector('knowhow.words', title || E'\n' || tags || E'\n' || summary)) $$;

    CREATE TABLE knowhow.word (
        term text COLLATE "C" PRIMARY KEY,
        entries integer NOT NULL
    );
    INSERT INTO knowhow.word(term, entries)
    SELECT term, count(*) FROM knowhow.entry_text, unnest(knowhow.words(title, tags, summary)) term GROUP BY term;
    GRANT SELECT ON knowhow.word TO knowhow_member;

    CREATE FUNCTION knowhow.count_words() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = knowhow, pg_temp
        AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                UPDATE knowhow.word w SET entries = w.entries - d.n
                FROM (SELECT term, count(*) AS n FROM old_rows, unnest(knowhow.words(title, tags, summary)) term GROUP BY term) d
                WHERE w.term = d.term;
                DELETE FROM knowhow.word w USING (SELECT DISTINCT unnest(knowhow.words(title, tags, summary)) AS term FROM old_rows) d
                WHERE w.term = d.term AND w.entries <= 0;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO knowhow.word(term, entries)
                SELECT term, count(*) FROM new_rows, unnest(knowhow.words(title, tags, summary)) term GROUP BY term
                ON CONFLICT (term) DO UPDATE SET entries = knowhow.word.entries + excluded.entries;
            END IF;
            RETURN NULL;
        END
        $$;
    CREATE TRIGGER words_inserted AFTER INSERT ON knowhow.entry_text
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION knowhow.count_words();
    CREATE TRIGGER words_deleted AFTER DELETE ON knowhow.entry_text
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION knowhow.count_words();
    CREATE TRIGGER words_updated AFTER UPDATE ON knowhow.entry_text
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION knowhow.count_words();
    """

    /// History as the SQLite store keeps it: every row a change touches is logged, before and
    /// after, by a row trigger on every recorded table into a table of the session's own
    /// (`pg_temp.knowhow_change_log`), while the change has set `knowhow.recording` for its
    /// transaction; outside KnowHow's changes the triggers do not fire (a COPY import pays nothing). Images are `row_to_json`,
    /// keys a JSON array of the primary key (`[12]`, `[3,7]`), as SQLite's `json_array` writes them.
    /// A later migration that adds a table calls `knowhow.watch_tables()` again.
    ///
    /// Members may undo their own additions (the store refuses when someone else built on them),
    /// so they may delete their own questions and answers, contributors their own resources and
    /// practices; a question others answered is deleted by curators only, since its answers go too.
    /// The search index is derived from the tables, so writing it again (`reindex`) is anyone's.
    static let v5History = """
    CREATE FUNCTION knowhow.pk_text(image jsonb, columns text[]) RETURNS text
        LANGUAGE sql IMMUTABLE
        AS $$ SELECT '[' || string_agg((image -> c)::text, ',' ORDER BY i) || ']' FROM unnest(columns) WITH ORDINALITY AS k(c, i) $$;

    CREATE FUNCTION knowhow.log_row() RETURNS trigger
        LANGUAGE plpgsql
        AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO pg_temp.knowhow_change_log(tbl, newpk, new)
                VALUES (TG_TABLE_NAME, knowhow.pk_text(to_jsonb(NEW), TG_ARGV), row_to_json(NEW)::text);
            ELSIF TG_OP = 'UPDATE' THEN
                INSERT INTO pg_temp.knowhow_change_log(tbl, oldpk, newpk, old, new)
                VALUES (TG_TABLE_NAME, knowhow.pk_text(to_jsonb(OLD), TG_ARGV), knowhow.pk_text(to_jsonb(NEW), TG_ARGV),
                        row_to_json(OLD)::text, row_to_json(NEW)::text);
            ELSE
                INSERT INTO pg_temp.knowhow_change_log(tbl, oldpk, old)
                VALUES (TG_TABLE_NAME, knowhow.pk_text(to_jsonb(OLD), TG_ARGV), row_to_json(OLD)::text);
            END IF;
            RETURN NULL;
        END
        $$;

    -- The tables history records: all but history itself, migrations and derived data.
    CREATE VIEW knowhow.recorded_table AS
        SELECT c.relname::text AS name,
               ARRAY(SELECT a.attname::text FROM pg_index x CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, i)
                     JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                     WHERE x.indrelid = c.oid AND x.indisprimary ORDER BY k.i) AS pk
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'knowhow' AND c.relkind = 'r'
          AND c.relname NOT IN ('change', 'change_row', 'change_entry', 'schema_migration', 'entry_text', 'word');
    GRANT SELECT ON knowhow.recorded_table TO knowhow_member;

    CREATE FUNCTION knowhow.watch_tables() RETURNS void
        LANGUAGE plpgsql
        AS $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT t.name, t.pk FROM knowhow.recorded_table t
                     WHERE NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = ('knowhow.' || quote_ident(t.name))::regclass
                                       AND g.tgname = 'knowhow_history') LOOP
                EXECUTE format('CREATE TRIGGER knowhow_history AFTER INSERT OR UPDATE OR DELETE ON knowhow.%I '
                               'FOR EACH ROW WHEN (current_setting(''knowhow.recording'', true) = ''on'') '
                               'EXECUTE FUNCTION knowhow.log_row(%s)',
                               r.name, (SELECT string_agg(quote_literal(p), ', ') FROM unnest(r.pk) p));
            END LOOP;
        END
        $$;
    SELECT knowhow.watch_tables();

    -- entry_document gives a row of NULLs for a key whose entry is gone (an undone add): it has no index row.
    CREATE OR REPLACE FUNCTION knowhow.reindex(keys bigint[]) RETURNS void
        LANGUAGE sql SECURITY DEFINER SET search_path = knowhow, pg_temp
        AS $$
        DELETE FROM knowhow.entry_text WHERE entry = ANY (keys);
        INSERT INTO knowhow.entry_text(entry, title, tags, summary, body)
        SELECT k, d.title, d.tags, d.summary, d.body FROM unnest(keys) AS k, LATERAL knowhow.entry_document(k) d WHERE d.title IS NOT NULL;
        $$;

    GRANT DELETE ON knowhow.question, knowhow.answer TO knowhow_member;
    GRANT UPDATE (level) ON knowhow.member_skill TO knowhow_member;
    GRANT DELETE ON knowhow.resource, knowhow.practice TO knowhow_contributor;
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA knowhow TO knowhow_member;

    -- Whether the session administers the store: a superuser, the schema's owner, or a curator.
    CREATE FUNCTION knowhow.may_curate() RETURNS boolean
        LANGUAGE sql STABLE
        AS $$ SELECT knowhow.is_curator()
                  OR pg_has_role(session_user, (SELECT nspowner FROM pg_namespace WHERE nspname = 'knowhow'), 'MEMBER') $$;
    GRANT EXECUTE ON FUNCTION knowhow.may_curate() TO knowhow_member;

    CREATE FUNCTION knowhow.guard_question_delete() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = knowhow, pg_temp
        AS $$
        BEGIN
            IF NOT knowhow.may_curate() AND EXISTS (SELECT 1 FROM knowhow.answer a WHERE a.question_id = OLD.id
                                                    AND a.author_id IS DISTINCT FROM knowhow.current_member_id()) THEN
                RAISE EXCEPTION 'only curators delete a question others answered' USING ERRCODE = '42501';
            END IF;
            RETURN OLD;
        END
        $$;
    CREATE TRIGGER guard_delete BEFORE DELETE ON knowhow.question FOR EACH ROW EXECUTE FUNCTION knowhow.guard_question_delete();
    """

    /// Stemming by Porter's original algorithm, as SQLite's porter tokenizer stems (the snowball
    /// `english` stemmer is Porter's second: `weekly` became `week` there, `weekli` in SQLite, so
    /// `first week` found entries SQLite does not). And what bm25 needs of the whole index, kept as
    /// FTS5 keeps it: how many entries and how many tokens they hold (for the average length), one
    /// row kept by statement triggers on `entry_text`, so ranking reads it at once however large
    /// the store.
    static let v6Statistics = """
    CREATE TEXT SEARCH DICTIONARY knowhow.porter_stem (TEMPLATE = snowball, Language = porter);
    ALTER TEXT SEARCH CONFIGURATION knowhow.english
        ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH knowhow.porter_stem;
    ALTER TEXT SEARCH CONFIGURATION knowhow.english
        ALTER MAPPING FOR word, hword, hword_part WITH knowhow.fold, knowhow.porter_stem;
    -- Stored vectors are computed again with the new stems.
    UPDATE knowhow.entry_text SET title = title;

    CREATE FUNCTION knowhow.token_count(v tsvector) RETURNS bigint
        LANGUAGE sql IMMUTABLE
        AS $$ SELECT coalesce(sum(array_length(positions, 1)), 0)::bigint FROM unnest(v) $$;
    CREATE TABLE knowhow.entry_stats (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        entries bigint NOT NULL,
        tokens bigint NOT NULL
    );
    INSERT INTO knowhow.entry_stats(entries, tokens) SELECT count(*), coalesce(sum(knowhow.token_count(search)), 0) FROM knowhow.entry_text;
    -- Derived data, kept by triggers: history never records it (undo would count twice).
    CREATE OR REPLACE VIEW knowhow.recorded_table AS
        SELECT c.relname::text AS name,
               ARRAY(SELECT a.attname::text FROM pg_index x CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, i)
                     JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                     WHERE x.indrelid = c.oid AND x.indisprimary ORDER BY k.i) AS pk
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'knowhow' AND c.relkind = 'r'
          AND c.relname NOT IN ('change', 'change_row', 'change_entry', 'schema_migration', 'entry_text', 'word', 'entry_stats');
    GRANT SELECT ON knowhow.entry_stats TO knowhow_member;
    GRANT EXECUTE ON FUNCTION knowhow.token_count(tsvector) TO knowhow_member;

    CREATE FUNCTION knowhow.count_entries() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = knowhow, pg_temp
        AS $$
        DECLARE n bigint := 0; t bigint := 0; dn bigint; dt bigint;
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                SELECT count(*), coalesce(sum(knowhow.token_count(search)), 0) INTO dn, dt FROM old_rows;
                n := n - dn; t := t - dt;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                SELECT count(*), coalesce(sum(knowhow.token_count(search)), 0) INTO dn, dt FROM new_rows;
                n := n + dn; t := t + dt;
            END IF;
            IF n <> 0 OR t <> 0 THEN
                UPDATE knowhow.entry_stats SET entries = entries + n, tokens = tokens + t;
            END IF;
            RETURN NULL;
        END
        $$;
    CREATE TRIGGER entries_inserted AFTER INSERT ON knowhow.entry_text
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION knowhow.count_entries();
    CREATE TRIGGER entries_deleted AFTER DELETE ON knowhow.entry_text
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION knowhow.count_entries();
    CREATE TRIGGER entries_updated AFTER UPDATE ON knowhow.entry_text
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION knowhow.count_entries();
    """
    /// Meetings as the SQLite store keeps them (its migration v6-meetings; see
    /// +Meetings): series that recur on a weekday at a local time, and meetings (entries, key
    /// code 7) with their presenters, attendees and links. Times are the same UTC text; a
    /// meeting's tags are in `entry_tag` by its key; a meeting's number is chosen by the store
    /// (as SQLite's rowid: the largest plus one), a series' by its identity.
    ///
    /// The role rules: contributors plan (add series and meetings) and change the meetings they
    /// organise or planned; a member records the meetings they were at (notes, attendees, links)
    /// or adds themselves as an attendee; curators change any. Who planned a meeting or series is
    /// kept apart (`meeting_planner`, `series_planner`, written by a trigger as the session's
    /// member, never by a login), since its organiser may be someone else or nobody (a calendar's
    /// events): the planner may take it away again (undo). History records the meeting tables
    /// (`watch_tables`), not the planners (they go with their rows); the index reads meetings.
    /// A not-duplicates pair is kept in byte order (`@a-b` before `@a_b`), as the core orders it and
    /// SQLite compares text; the first check compared in the database's collation, which in an ICU
    /// or glibc locale puts `_` before `-` and refused such pairs.
    static let v8ByteOrderedPairs = """
    DO $d$
    DECLARE n text;
    BEGIN
        FOR n IN SELECT conname FROM pg_constraint WHERE conrelid = 'knowhow.not_duplicate'::regclass AND contype = 'c' LOOP
            EXECUTE format('ALTER TABLE knowhow.not_duplicate DROP CONSTRAINT %I', n);
        END LOOP;
    END
    $d$;
    ALTER TABLE knowhow.not_duplicate ADD CONSTRAINT not_duplicate_in_byte_order CHECK (a COLLATE "C" < b COLLATE "C");
    """

    static let v7Meetings = """
    CREATE TABLE knowhow.meeting_series (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        name text NOT NULL UNIQUE CHECK (name <> ''),
        weekday text NOT NULL CHECK (weekday IN ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday')),
        at text NOT NULL,
        time_zone text NOT NULL,
        minutes integer NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
        weeks integer NOT NULL DEFAULT 1 CHECK (weeks BETWEEN 1 AND 52),
        place text,
        format text NOT NULL,
        organiser_id bigint REFERENCES knowhow.member(id),
        starts text NOT NULL,
        created text NOT NULL
    );
    CREATE INDEX meeting_series_organiser ON knowhow.meeting_series(organiser_id);
    CREATE TABLE knowhow.meeting (
        id bigint PRIMARY KEY,
        title text NOT NULL CHECK (title <> ''),
        series_id bigint REFERENCES knowhow.meeting_series(id),
        start text NOT NULL,
        time_zone text NOT NULL,
        minutes integer NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
        place text,
        format text NOT NULL,
        notes text,
        organiser_id bigint REFERENCES knowhow.member(id),
        uid text UNIQUE,
        created text NOT NULL,
        updated text NOT NULL
    );
    CREATE INDEX meeting_start ON knowhow.meeting(start COLLATE "C");
    CREATE INDEX meeting_series_start ON knowhow.meeting(series_id, start COLLATE "C");
    CREATE INDEX meeting_organiser ON knowhow.meeting(organiser_id);
    -- Who presented and who attended; `seq` keeps them in the order given.
    CREATE TABLE knowhow.meeting_person (
        meeting_id bigint NOT NULL REFERENCES knowhow.meeting(id) ON DELETE CASCADE,
        member_id bigint NOT NULL REFERENCES knowhow.member(id) ON DELETE CASCADE,
        part text NOT NULL CHECK (part IN ('presenter', 'attendee')),
        seq integer NOT NULL,
        PRIMARY KEY (meeting_id, part, member_id)
    );
    CREATE INDEX meeting_person_member ON knowhow.meeting_person(member_id, part);
    -- Resources, practices and questions a meeting used or led to, by entry key.
    CREATE TABLE knowhow.meeting_link (
        meeting_id bigint NOT NULL REFERENCES knowhow.meeting(id) ON DELETE CASCADE,
        entry bigint NOT NULL,
        seq integer NOT NULL,
        PRIMARY KEY (meeting_id, entry)
    );
    CREATE INDEX meeting_link_entry ON knowhow.meeting_link(entry);

    -- Who planned each meeting and series: the session's member when the row was made.
    CREATE TABLE knowhow.meeting_planner (
        meeting_id bigint PRIMARY KEY REFERENCES knowhow.meeting(id) ON DELETE CASCADE,
        member_id bigint NOT NULL REFERENCES knowhow.member(id) ON DELETE CASCADE
    );
    CREATE TABLE knowhow.series_planner (
        series_id bigint PRIMARY KEY REFERENCES knowhow.meeting_series(id) ON DELETE CASCADE,
        member_id bigint NOT NULL REFERENCES knowhow.member(id) ON DELETE CASCADE
    );
    CREATE INDEX meeting_planner_member ON knowhow.meeting_planner(member_id);
    CREATE INDEX series_planner_member ON knowhow.series_planner(member_id);
    CREATE FUNCTION knowhow.note_planner() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = knowhow, pg_temp
        AS $$
        DECLARE me bigint := knowhow.current_member_id();
        BEGIN
            IF me IS NOT NULL THEN
                IF TG_TABLE_NAME = 'meeting' THEN
                    INSERT INTO knowhow.meeting_planner(meeting_id, member_id) VALUES (NEW.id, me) ON CONFLICT DO NOTHING;
                ELSE
                    INSERT INTO knowhow.series_planner(series_id, member_id) VALUES (NEW.id, me) ON CONFLICT DO NOTHING;
                END IF;
            END IF;
            RETURN NULL;
        END
        $$;
    CREATE TRIGGER planned AFTER INSERT ON knowhow.meeting FOR EACH ROW EXECUTE FUNCTION knowhow.note_planner();
    CREATE TRIGGER planned AFTER INSERT ON knowhow.meeting_series FOR EACH ROW EXECUTE FUNCTION knowhow.note_planner();
    GRANT SELECT ON knowhow.meeting_planner, knowhow.series_planner TO knowhow_member;
    -- Curators merge members, whose planning moves with them.
    GRANT UPDATE, DELETE ON knowhow.meeting_planner, knowhow.series_planner TO knowhow_curator;
    -- Planners are derived from who made the rows: history does not record them.
    CREATE OR REPLACE VIEW knowhow.recorded_table AS
        SELECT c.relname::text AS name,
               ARRAY(SELECT a.attname::text FROM pg_index x CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, i)
                     JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                     WHERE x.indrelid = c.oid AND x.indisprimary ORDER BY k.i) AS pk
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'knowhow' AND c.relkind = 'r'
          AND c.relname NOT IN ('change', 'change_row', 'change_entry', 'schema_migration', 'entry_text', 'word', 'entry_stats',
                                'meeting_planner', 'series_planner');

    SELECT knowhow.watch_tables();

    -- A meeting's owner is its organiser.
    CREATE OR REPLACE FUNCTION knowhow.entry_owner(entry bigint) RETURNS bigint
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = knowhow, pg_temp
        AS $$
        SELECT CASE entry & 7
            WHEN 1 THEN entry >> 3
            WHEN 2 THEN (SELECT contributor_id FROM knowhow.resource WHERE id = entry >> 3)
            WHEN 3 THEN (SELECT contributor_id FROM knowhow.practice WHERE id = entry >> 3)
            WHEN 4 THEN (SELECT asker_id FROM knowhow.question WHERE id = entry >> 3)
            WHEN 5 THEN (SELECT author_id FROM knowhow.answer WHERE id = entry >> 3)
            WHEN 7 THEN (SELECT organiser_id FROM knowhow.meeting WHERE id = entry >> 3)
        END
        $$;
    REVOKE ALL ON FUNCTION knowhow.entry_owner(bigint) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION knowhow.entry_owner(bigint) TO knowhow_member;
    -- The meetings the session's member organises or planned.
    CREATE FUNCTION knowhow.plans_meeting(meeting bigint) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = knowhow, pg_temp
        AS $$
        SELECT knowhow.current_member_id() IS NOT NULL
           AND (EXISTS (SELECT 1 FROM knowhow.meeting m WHERE m.id = meeting AND m.organiser_id = knowhow.current_member_id())
                OR EXISTS (SELECT 1 FROM knowhow.meeting_planner p WHERE p.meeting_id = meeting AND p.member_id = knowhow.current_member_id()))
        $$;
    -- The meetings the session's member presented at or attended.
    CREATE FUNCTION knowhow.was_at_meeting(meeting bigint) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = knowhow, pg_temp
        AS $$
        SELECT EXISTS (SELECT 1 FROM knowhow.meeting_person p WHERE p.meeting_id = meeting AND p.member_id = knowhow.current_member_id())
        $$;
    REVOKE ALL ON FUNCTION knowhow.plans_meeting(bigint), knowhow.was_at_meeting(bigint), knowhow.note_planner() FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION knowhow.plans_meeting(bigint), knowhow.was_at_meeting(bigint), knowhow.note_planner() TO knowhow_member;

    GRANT SELECT ON knowhow.meeting_series, knowhow.meeting, knowhow.meeting_person, knowhow.meeting_link TO knowhow_member;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA knowhow TO knowhow_member;
    -- Members: the notes of meetings they were at, who attended, what was linked.
    GRANT UPDATE (notes, updated) ON knowhow.meeting TO knowhow_member;
    GRANT INSERT, UPDATE (seq), DELETE ON knowhow.meeting_person, knowhow.meeting_link TO knowhow_member;
    -- Contributors: series and meetings they plan.
    GRANT INSERT, DELETE ON knowhow.meeting_series, knowhow.meeting TO knowhow_contributor;
    GRANT UPDATE (title, series_id, start, time_zone, minutes, place, format, notes, updated) ON knowhow.meeting TO knowhow_contributor;
    -- Curators: everything.
    GRANT INSERT, UPDATE, DELETE ON knowhow.meeting_series, knowhow.meeting, knowhow.meeting_person, knowhow.meeting_link TO knowhow_curator;

    DO $rls$
    DECLARE t text;
    BEGIN
        FOREACH t IN ARRAY ARRAY['meeting_series', 'meeting', 'meeting_person', 'meeting_link'] LOOP
            EXECUTE format('ALTER TABLE knowhow.%I ENABLE ROW LEVEL SECURITY', t);
            EXECUTE format('CREATE POLICY read ON knowhow.%I FOR SELECT USING (true)', t);
            EXECUTE format('CREATE POLICY curate ON knowhow.%I FOR ALL TO knowhow_curator USING (knowhow.is_curator()) WITH CHECK (knowhow.is_curator())', t);
        END LOOP;
    END
    $rls$;

    CREATE POLICY plan_series ON knowhow.meeting_series FOR INSERT TO knowhow_contributor
        WITH CHECK (knowhow.current_member_id() IS NOT NULL);
    CREATE POLICY own_series ON knowhow.meeting_series FOR DELETE TO knowhow_contributor
        USING (organiser_id = knowhow.current_member_id()
               OR EXISTS (SELECT 1 FROM knowhow.series_planner p WHERE p.series_id = id AND p.member_id = knowhow.current_member_id()));
    CREATE POLICY plan_meeting ON knowhow.meeting FOR INSERT TO knowhow_contributor
        WITH CHECK (knowhow.current_member_id() IS NOT NULL);
    CREATE POLICY own_meeting ON knowhow.meeting FOR DELETE TO knowhow_contributor
        USING (knowhow.plans_meeting(id));
    CREATE POLICY edit_meeting ON knowhow.meeting FOR UPDATE TO knowhow_contributor
        USING (organiser_id = knowhow.current_member_id()) WITH CHECK (organiser_id = knowhow.current_member_id());
    CREATE POLICY record_meeting ON knowhow.meeting FOR UPDATE TO knowhow_member
        USING (knowhow.was_at_meeting(id)) WITH CHECK (knowhow.was_at_meeting(id));
    -- A member adds or removes themselves as an attendee, or records a meeting they were at;
    -- presenters are the planner's.
    CREATE POLICY planned_person ON knowhow.meeting_person FOR ALL TO knowhow_contributor
        USING (knowhow.plans_meeting(meeting_id)) WITH CHECK (knowhow.plans_meeting(meeting_id));
    CREATE POLICY recorded_person ON knowhow.meeting_person FOR ALL TO knowhow_member
        USING (part = 'attendee' AND (knowhow.was_at_meeting(meeting_id) OR member_id = knowhow.current_member_id()))
        WITH CHECK (part = 'attendee' AND (knowhow.was_at_meeting(meeting_id) OR member_id = knowhow.current_member_id()));
    CREATE POLICY planned_link ON knowhow.meeting_link FOR ALL TO knowhow_contributor
        USING (knowhow.plans_meeting(meeting_id)) WITH CHECK (knowhow.plans_meeting(meeting_id));
    CREATE POLICY recorded_link ON knowhow.meeting_link FOR ALL TO knowhow_member
        USING (knowhow.was_at_meeting(meeting_id)) WITH CHECK (knowhow.was_at_meeting(meeting_id));
    CREATE POLICY planned_tag ON knowhow.entry_tag FOR ALL TO knowhow_contributor
        USING (entry & 7 = 7 AND knowhow.plans_meeting(entry >> 3)) WITH CHECK (entry & 7 = 7 AND knowhow.plans_meeting(entry >> 3));

    -- Undoing a change takes away the tags it made (a calendar's categories, a new entry's tags):
    -- anyone may delete a tag nothing uses any more; only curators one in use (or rename it).
    GRANT DELETE ON knowhow.tag TO knowhow_member;
    ALTER TABLE knowhow.tag ENABLE ROW LEVEL SECURITY;
    CREATE POLICY read ON knowhow.tag FOR SELECT USING (true);
    CREATE POLICY curate ON knowhow.tag FOR ALL TO knowhow_curator USING (knowhow.is_curator()) WITH CHECK (knowhow.is_curator());
    CREATE POLICY add_tag ON knowhow.tag FOR INSERT TO knowhow_member WITH CHECK (true);
    CREATE POLICY unused_tag ON knowhow.tag FOR DELETE TO knowhow_member
        USING (NOT EXISTS (SELECT 1 FROM knowhow.entry_tag e WHERE e.tag_id = id)
               AND NOT EXISTS (SELECT 1 FROM knowhow.member_skill s WHERE s.tag_id = id)
               AND NOT EXISTS (SELECT 1 FROM knowhow.member_interest i WHERE i.tag_id = id)
               AND NOT EXISTS (SELECT 1 FROM knowhow.endorsement d WHERE d.tag_id = id)
               AND NOT EXISTS (SELECT 1 FROM knowhow.tag_alias a WHERE a.tag_id = id));

    -- What search reads of a meeting: its title; its tags; its series, format (`-` as a space)
    -- and presenters' names; its notes.
    CREATE FUNCTION knowhow.meeting_summary(meeting bigint) RETURNS text
        LANGUAGE sql STABLE SET search_path = knowhow, pg_temp
        AS $$
        SELECT concat_ws(' · ', s.name, replace(m.format, '-', ' '),
                         'presented by ' || (SELECT string_agg(x.name, ', ' ORDER BY p.seq) FROM knowhow.meeting_person p
                                             JOIN knowhow.member x ON x.id = p.member_id
                                             WHERE p.meeting_id = m.id AND p.part = 'presenter'))
        FROM knowhow.meeting m LEFT JOIN knowhow.meeting_series s ON s.id = m.series_id WHERE m.id = meeting
        $$;
    GRANT EXECUTE ON FUNCTION knowhow.meeting_summary(bigint) TO knowhow_member;
    CREATE OR REPLACE FUNCTION knowhow.entry_document(k bigint, OUT title text, OUT tags text, OUT summary text, OUT body text)
        LANGUAGE sql STABLE SET search_path = knowhow, pg_temp
        AS $$
        SELECT m.name, knowhow.tag_text(ARRAY(SELECT tag_id FROM knowhow.member_skill WHERE member_id = m.id
                                             UNION SELECT tag_id FROM knowhow.member_interest WHERE member_id = m.id)),
               concat_ws(' · ', '@' || m.handle, m.organisation, m.sector, m.location), coalesce(m.bio, '')
        FROM knowhow.member m WHERE k & 7 = 1 AND m.id = k >> 3
        UNION ALL
        SELECT r.title, knowhow.tag_text(ARRAY(SELECT tag_id FROM knowhow.entry_tag WHERE entry = k)),
               coalesce(r.summary, ''), coalesce(r.body, '')
        FROM knowhow.resource r WHERE k & 7 = 2 AND r.id = k >> 3
        UNION ALL
        SELECT p.title, knowhow.tag_text(ARRAY(SELECT tag_id FROM knowhow.entry_tag WHERE entry = k)),
               coalesce(p.context, ''), concat_ws(E'\\n\\n', p.practice, p.evidence)
        FROM knowhow.practice p WHERE k & 7 = 3 AND p.id = k >> 3
        UNION ALL
        SELECT q.title, knowhow.tag_text(ARRAY(SELECT tag_id FROM knowhow.entry_tag WHERE entry = k)), '', coalesce(q.body, '')
        FROM knowhow.question q WHERE k & 7 = 4 AND q.id = k >> 3
        UNION ALL
        SELECT '', knowhow.tag_text(ARRAY(SELECT tag_id FROM knowhow.entry_tag WHERE entry = a.question_id << 3 | 4)), q.title, a.body
        FROM knowhow.answer a JOIN knowhow.question q ON q.id = a.question_id WHERE k & 7 = 5 AND a.id = k >> 3
        UNION ALL
        SELECT g.title, knowhow.tag_text(ARRAY(SELECT tag_id FROM knowhow.entry_tag WHERE entry = k)), knowhow.meeting_summary(g.id),
               coalesce(g.notes, '')
        FROM knowhow.meeting g WHERE k & 7 = 7 AND g.id = k >> 3
        $$;
    CREATE OR REPLACE VIEW knowhow.entry_key AS
        SELECT id << 3 | 1 AS entry FROM knowhow.member
        UNION ALL SELECT id << 3 | 2 FROM knowhow.resource
        UNION ALL SELECT id << 3 | 3 FROM knowhow.practice
        UNION ALL SELECT id << 3 | 4 FROM knowhow.question
        UNION ALL SELECT id << 3 | 5 FROM knowhow.answer
        UNION ALL SELECT id << 3 | 7 FROM knowhow.meeting;
    GRANT EXECUTE ON FUNCTION knowhow.entry_document(bigint) TO knowhow_member;
    """
}
