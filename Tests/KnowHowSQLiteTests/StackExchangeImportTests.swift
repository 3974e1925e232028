import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// A dump written by hand into a temporary folder named like a real one.
struct HandmadeDump {
    let root: URL
    let folder: String

    init(site: String = "demo.stackexchange.com", tags: String? = Self.tags, users: String? = Self.users,
         posts: String = Self.posts) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("knowhow-se-\(UUID().uuidString)")
        let dir = root.appendingPathComponent(site)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        folder = dir.path
        func write(_ name: String, _ text: String?) throws {
            guard let text else { return }
            // Real dumps start with a byte-order mark.
            try ("\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + text).write(
                to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try write("Tags.xml", tags)
        try write("Users.xml", users)
        try write("Posts.xml", posts)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    static let tags = """
        <tags>
          <row Id="1" TagName="neural-networks" Count="2" />
          <row Id="2" TagName="c++" Count="1" />
          <row Id="3" TagName="c#" Count="1" />
          <row Id="4" TagName="node.js" Count="0" />
        </tags>
        """

    static let users = """
        <users>
          <row Id="-1" DisplayName="Community" CreationDate="2016-08-02T00:14:10.580" AboutMe="&lt;p&gt;Hi, I'm not really a person.&lt;/p&gt;" />
          <row Id="1" DisplayName="Jérémy Pouyet" CreationDate="2016-08-02T15:36:45.333" Location="Lyon, France" AboutMe="&lt;p&gt;Data &amp;amp; &lt;em&gt;models&lt;/em&gt;.&lt;/p&gt;&#xA;&lt;ul&gt;&lt;li&gt;one&lt;/li&gt;&lt;li&gt;two&lt;/li&gt;&lt;/ul&gt;" />
          <row Id="2" DisplayName="Kim Lee" CreationDate="2016-08-03T10:00:00.000" />
          <row Id="3" DisplayName="Kim Lee" CreationDate="2016-08-04T10:00:00.000" />
          <row Id="4" DisplayName="42" CreationDate="2016-08-05T10:00:00.000" />
        </users>
        """

    /// An answer (5) before its question (3); a question by a user missing from Users.xml (99);
    /// an answer whose author's account is gone; a tag wiki (type 4) that is skipped.
    static let posts = """
        <posts>
          <row Id="5" PostTypeId="2" ParentId="3" CreationDate="2016-08-02T16:00:00.100" Score="10" Body="&lt;p&gt;Use &lt;code&gt;x &amp;lt; y&lt;/code&gt;.&lt;/p&gt;" OwnerUserId="2" />
          <row Id="3" PostTypeId="1" AcceptedAnswerId="5" CreationDate="2016-08-02T15:39:14.947" Score="5" Title="What is &quot;backprop&quot;?" Body="&lt;p&gt;What does it mean?&lt;/p&gt;&#xA;&#xA;&lt;p&gt;Really.&lt;/p&gt;" Tags="&lt;neural-networks&gt;&lt;c++&gt;" OwnerUserId="1" />
          <row Id="6" PostTypeId="2" ParentId="3" CreationDate="2016-08-03T09:00:00.000" Score="-1" Body="&lt;p&gt;&lt;img src=&quot;https://i.stack.imgur.com/x.png&quot;&gt;&lt;/p&gt;" OwnerDisplayName="gone" />
          <row Id="7" PostTypeId="1" CreationDate="2016-08-04T12:00:00.000" Score="0" Title="Which language?" Body="&lt;p&gt;C# or Python?&lt;/p&gt;" Tags="|c#|python|bad!tag|" OwnerUserId="99" />
          <row Id="8" PostTypeId="2" ParentId="7" CreationDate="2016-08-04T13:00:00.000" Score="2" Body="&lt;p&gt;Python.&lt;/p&gt;" OwnerUserId="99" />
          <row Id="9" PostTypeId="4" CreationDate="2016-08-04T13:00:00.000" Body="A tag wiki excerpt." OwnerUserId="-1" />
        </posts>
        """
}

struct StackExchangeImportTests {
    @Test func anImportIntoANewStoreMakesWhoImportsItsCurator() throws {
        var acting = Acting.system
        let dump = try HandmadeDump()
        defer { dump.remove() }
        let store = try SQLiteKnowledgeStore()
        acting.actor = .member("kim-lee")
        let summary = try store.importStackExchange(folder: dump.folder, progress: nil, as: acting)
        #expect(summary.founder == "kim-lee" && summary.added[.member] == 5)
        #expect(summary.description.hasSuffix("; @kim-lee is the new store's first member and its curator"))
        #expect(try store.member("kim-lee").role == .curator)
        // The imported Kim Lee is someone else, and no imported user is a curator.
        #expect(try store.member("kim-lee-2").name == "Kim Lee")
        let curators = try store.list(.member, query: QueryParser.parse("role:curator"), limit: 50).hits.map(\.ref.description)
        #expect(curators == ["@kim-lee"])
        // The new curator may import more at once.
        #expect(try store.importStackExchange(folder: dump.folder, progress: nil, as: acting).total == 0)
    }

    @Test func anImportIntoANewStoreByNobodyIsRefused() throws {
        var acting = Acting.system
        let dump = try HandmadeDump()
        defer { dump.remove() }
        let store = try SQLiteKnowledgeStore()
        acting.actor = .nobody
        let e = knowHowError { _ = try store.importStackExchange(folder: dump.folder, progress: nil, as: acting) }
        #expect(e == .notIdentified(action: "Importing a Stack Exchange archive into a new store (you become its curator)"))
        #expect(try store.counts().members == 0 && store.counts().questions == 0)
    }

    @Test func importsHandmadeDump() throws {
        let acting = Acting.system
        let dump = try HandmadeDump()
        defer { dump.remove() }
        let store = try SQLiteKnowledgeStore()
        let summary = try store.importStackExchange(folder: dump.folder, progress: nil, as: acting)

        #expect(summary.added[.member] == 5)  // four users (not the Community bot) and @user-99
        #expect(summary.added[.question] == 2)
        #expect(summary.added[.answer] == 3)
        #expect(summary.tagsAdded == 5)  // four from Tags.xml, python from a post
        #expect(summary.skipped == 0)

        let jeremy = try store.member("jeremy-pouyet")
        #expect(jeremy.name == "Jérémy Pouyet")
        #expect(jeremy.bio == "Data & models.\n\n- one\n- two")
        #expect(jeremy.location == "Lyon, France")
        #expect(jeremy.joined == Day("2016-08-02"))
        #expect(jeremy.sourceId == "stackexchange:demo:1")
        #expect(jeremy.role == .member && jeremy.openToQuestions)
        #expect(try store.member("kim-lee").sourceId == "stackexchange:demo:2")
        #expect(try store.member("kim-lee-2").sourceId == "stackexchange:demo:3")
        #expect(try store.member("user-4").name == "42")
        let placeholder = try store.member("user-99")
        #expect(placeholder.name == "user 99")
        #expect(placeholder.sourceId == "stackexchange:demo:99")

        // Questions go in first (q1 is post 3, q2 post 7), then answers in file order.
        let q1 = try store.question(EntryID(.question, 1))
        #expect(q1.title == "What is \"backprop\"?")
        #expect(q1.body == "What does it mean?\n\nReally.")
        #expect(q1.tags.sorted() == ["c-plus-plus", "neural-networks"])
        #expect(q1.asker == "jeremy-pouyet")
        #expect(q1.created == Timestamp("2016-08-02T15:39:14Z"))
        #expect(q1.score == 5)
        #expect(q1.acceptedAnswer == EntryID(.answer, 1))

        let answers = try store.answers(to: EntryID(.question, 1))
        #expect(answers.map(\.body) == ["Use x < y.", "[image]"])
        #expect(answers.map(\.author) == ["kim-lee", nil])
        #expect(answers.map(\.score) == [10, -1])

        let q2 = try store.question(EntryID(.question, 2))
        #expect(q2.tags.sorted() == ["c-sharp", "python"])  // "bad!tag" cannot be a tag; the question still imports
        #expect(q2.asker == "user-99")
        #expect(q2.acceptedAnswer == nil)
        #expect(try store.answers(to: EntryID(.question, 2)).map(\.author) == ["user-99"])

        #expect(try store.resolveTag("node-js") == "node-js")
        let hits = try store.search(try QueryParser.parse("backprop"), limit: 10)
        #expect(hits.hits.contains { $0.ref == .entry(EntryID(.question, 1)) })
    }

    @Test func reimportAddsNothing() throws {
        let acting = Acting.system
        let dump = try HandmadeDump()
        defer { dump.remove() }
        let store = try SQLiteKnowledgeStore()
        _ = try store.importStackExchange(folder: dump.folder, progress: nil, as: acting)
        let before = try store.exportCommunity()
        let again = try store.importStackExchange(folder: dump.folder, progress: nil, as: acting)
        #expect(again.total == 0)
        #expect(again.skipped == 4 + 2 + 3)
        #expect(again.description == "nothing new to import (9 already present)")
        #expect(try store.exportCommunity() == before)
    }

    @Test func sitesAreKeptApart() throws {
        let acting = Acting.system
        let ai = try HandmadeDump(site: "ai.stackexchange.com"), coffee = try HandmadeDump(site: "coffee")
        defer { ai.remove(); coffee.remove() }
        let store = try SQLiteKnowledgeStore()
        _ = try store.importStackExchange(folder: ai.folder, progress: nil, as: acting)
        let second = try store.importStackExchange(folder: coffee.folder, progress: nil, as: acting)
        #expect(second.added[.question] == 2)
        #expect(try store.member("jeremy-pouyet-2").sourceId == "stackexchange:coffee:1")
    }

    @Test func postsWithoutUsersFile() throws {
        let acting = Acting.system
        let dump = try HandmadeDump(tags: nil, users: nil)
        defer { dump.remove() }
        let store = try SQLiteKnowledgeStore()
        let summary = try store.importStackExchange(folder: dump.folder, progress: nil, as: acting)
        #expect(summary.added[.member] == 3)  // users 1, 2 and 99, known by id alone
        #expect(try store.question(EntryID(.question, 1)).asker == "user-1")
        #expect(try store.member("user-2").name == "user 2")
    }

    static let malformed: [(file: String, text: String, message: String)] = [
        ("Posts.xml", """
            <posts>
              <row Id="3" PostTypeId="1" CreationDate="2016-08-02T15:39:14.947" Title="Fine" Body="ok" />
              <row Id="98" CreationDate="2016-08-02T15:39:14.947" Title="No type" Body="ok" />
            </posts>
            """, "Posts.xml: row 2 (Id 98): PostTypeId is missing; nothing was imported"),
        // Found on the second pass over Posts.xml, after the questions went in.
        ("Posts.xml", """
            <posts>
              <row Id="3" PostTypeId="1" CreationDate="2016-08-02T15:39:14.947" Title="Fine" Body="ok" />
              <row Id="4" PostTypeId="2" CreationDate="2016-08-02T15:39:14.947" Body="no parent" />
            </posts>
            """, "Posts.xml: row 2 (Id 4): ParentId is missing; nothing was imported"),
        ("Posts.xml", """
            <posts>
              <row Id="3" PostTypeId="1" CreationDate="yesterday" Title="Fine" Body="ok" />
            </posts>
            """, "Posts.xml: row 1 (Id 3): CreationDate 'yesterday' is not a time such as 2016-08-02T15:39:14.947; nothing was imported"),
        ("Posts.xml", """
            <posts>
              <row Id="3" PostTypeId="1" CreationDate="2016-08-02T15:39:14.947" Title="" Body="ok" />
            </posts>
            """, "Posts.xml: row 1 (Id 3): Title is missing; nothing was imported"),
        ("Posts.xml", """
            <posts>
              <row Id="3" PostTypeId="1" CreationDate="2016-08-02T15:39:14.947" Title="Fine" Body="ok" />
              <row Id="4" PostTypeId="2" ParentId="3" CreationDate="2016-08-02T15:39:14.947" Body="cut
            """, "Posts.xml: line 4, column 91 (after row 1): an attribute value is not properly quoted; nothing was imported"),
        ("Posts.xml", """
            <posts>
              <row Id="3" PostTypeId="1" CreationDate="2016-08-02T15:39:14.947" Title="Fine" Body="ok" />
              <row Id="4" PostTypeId="1" CreationDate="2016-08-02T15:39:14.947" Title="Fine" Body="ok"></wrong>
            </posts>
            """, "Posts.xml: line 4, column 100 (after row 2): a closing tag does not match the tag it closes; nothing was imported"),
        ("Posts.xml", "", "Posts.xml: line 1: the file is empty or is not XML; nothing was imported"),
        ("Posts.xml", "<badges><row Id=\"1\" /></badges>",
         "Posts.xml: line 2: expected <posts> holding <row> elements, found <badges>; is this a Stack Exchange dump?; nothing was imported"),
        ("Users.xml", """
            <users>
              <row DisplayName="No id" />
            </users>
            """, "Users.xml: row 1: Id is missing; nothing was imported"),
        ("Users.xml", """
            <users>
              <row Id="x1" DisplayName="Bad id" />
            </users>
            """, "Users.xml: row 1 (Id x1): Id 'x1' is not a whole number; nothing was imported"),
        ("Tags.xml", "<tags><row Id=\"1\" Count=\"3\" /></tags>", "Tags.xml: row 1 (Id 1): TagName is missing; nothing was imported"),
    ]

    @Test(arguments: malformed)
    func malformedFileLeavesStoreUnchanged(_ c: (file: String, text: String, message: String)) throws {
        let acting = Acting.system
        let store = try SQLiteKnowledgeStore()
        let good = try HandmadeDump()
        defer { good.remove() }
        _ = try store.importStackExchange(folder: good.folder, progress: nil, as: acting)
        let before = try store.exportCommunity()

        // A second site, so that its rows would all be new.
        let bad = try HandmadeDump(site: "other",
                                   tags: c.file == "Tags.xml" ? c.text : HandmadeDump.tags,
                                   users: c.file == "Users.xml" ? c.text : HandmadeDump.users,
                                   posts: c.file == "Posts.xml" ? c.text : HandmadeDump.posts)
        defer { bad.remove() }
        if c.text.isEmpty {  // no XML declaration at all
            try Data().write(to: URL(fileURLWithPath: bad.folder).appendingPathComponent(c.file))
        }
        let error = #expect(throws: KnowHowError.self) {
            try store.importStackExchange(folder: bad.folder, progress: nil, as: acting)
        }
        #expect(error?.description == c.message)
        #expect(try store.exportCommunity() == before)
    }

    @Test func folderWithoutPosts() throws {
        let acting = Acting.system
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("knowhow-se-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(!StackExchangeDump.isDump(folder: root.path))
        #expect(throws: KnowHowError.self) { try SQLiteKnowledgeStore().importStackExchange(folder: root.path, progress: nil, as: acting) }
    }

    /// The smallest real archive with all three files (coffee.stackexchange.com, early 2015).
    @Test(.enabled(if: SharedData.stackExchange("coffee") != nil,
                   "needs ../shared/data/stackexchange/coffee beside the checkout, or KNOWHOW_SHARED"))
    func importsRealCoffeeArchive() throws {
        let acting = Acting.system
        let folder = try #require(SharedData.stackExchange("coffee"))
        let store = try SQLiteKnowledgeStore()
        let summary = try store.importStackExchange(folder: folder, progress: nil, as: acting)
        #expect(summary.added[.question] == 225)
        #expect(summary.added[.answer] == 327)
        #expect(summary.added[.member] == 455)  // 456 users less the Community bot
        #expect(summary.tagsAdded == 123)
        let counts = try store.counts()
        #expect(counts.questions == 225 && counts.answers == 327 && counts.members == 455)
        let accepted = try store.list(.question, query: nil, limit: 1000).hits.filter {
            guard case .entry(let id) = $0.ref else { return false }
            return (try? store.question(id).acceptedAnswer) != nil
        }
        #expect(accepted.count == 105)
        #expect(try store.importStackExchange(folder: folder, progress: nil, as: acting).total == 0)
    }
}

/// The pure parts of reading a dump.
struct StackExchangeDumpTests {
    @Test(arguments: [
        ("<neural-networks><definitions>", ["neural-networks", "definitions"]),
        ("|image-generation|prompt-design|", ["image-generation", "prompt-design"]),
        ("<c++>", ["c++"]),
        ("", []),
    ])
    func tagLists(_ c: (String, [String])) {
        #expect(StackExchangeDump.tags(c.0) == c.1)
    }

    @Test(arguments: [
        ("neural-networks", "neural-networks"), ("c++", "c-plus-plus"), ("c#", "c-sharp"), ("f#", "f-sharp"),
        ("node.js", "node-js"), (".net", "net"), ("notepad++", "notepad-plus-plus"), ("C++11", "c-plus-plus-11"),
    ])
    func tagNames(_ c: (String, String)) {
        #expect(StackExchangeDump.tagName(c.0) == c.1)
    }

    @Test func unusableTagName() {
        #expect(StackExchangeDump.tagName("bad!tag") == nil)
    }

    @Test(arguments: [
        ("Jérémy Pouyet", "jeremy-pouyet"), ("Bjørn-Roger Kringsjå", "bjorn-roger-kringsja"),
        ("Łukasz Grabowski", "lukasz-grabowski"), ("Дмитрий Иванов", "dmitrij-ivanov"), ("张伟", "zhang-wei"), ("Ærøskøbing Straße", "aeroskobing-strasse"),
        ("007 Bond", "bond"), ("A. B. Smith!", "a-b-smith"), ("x", "user-7"), ("", "user-7"), ("42", "user-7"),
        ("An Extraordinarily Long Display Name Indeed", "an-extraordinarily-long-display"),
        ("user3313", "user3313"), ("  Kim   Lee  ", "kim-lee"),
    ])
    func handles(_ c: (String, String)) throws {
        let h = StackExchangeDump.handle(displayName: c.0, userId: 7)
        #expect(h == c.1)
        #expect(try Validation.handle(h) == h)
    }

    @Test func handleSuffixes() {
        #expect(StackExchangeDump.handle("kim-lee", suffix: 1) == "kim-lee")
        #expect(StackExchangeDump.handle("kim-lee", suffix: 2) == "kim-lee-2")
        #expect(StackExchangeDump.handle("an-extraordinarily-long-display", suffix: 12) == "an-extraordinarily-long-displ-12")
        #expect(StackExchangeDump.handle("an-extraordinarily-long-dis-pla", suffix: 123) == "an-extraordinarily-long-dis-123")
    }

    @Test func groupsThousands() {
        #expect(StackExchangeDump.grouped(0) == "0")
        #expect(StackExchangeDump.grouped(999) == "999")
        #expect(StackExchangeDump.grouped(12_000) == "12,000")
        #expect(StackExchangeDump.grouped(1_234_567) == "1,234,567")
    }

    @Test func siteNames() {
        #expect(SQLiteKnowledgeStore.siteName(folder: "/data/ai.stackexchange.com") == "ai")
        #expect(SQLiteKnowledgeStore.siteName(folder: "/data/coffee/") == "coffee")
        #expect(SQLiteKnowledgeStore.siteName(folder: "/data/stackoverflow.com") == "stackoverflow")
    }
}
