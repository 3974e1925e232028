import Foundation

/// Every failure a user can meet, each rendered as a full sentence that says what to do next.
public enum KnowHowError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownEntry(EntryID)
    case unknownMember(handle: String)
    case unknownTag(String, suggestion: String?)
    case unknownReference(String)
    case invalidHandle(String)
    case invalidTag(String)
    case invalidEmail(String)
    case invalidURL(String)
    case invalidValue(field: String, value: String, expected: String)
    case missingField(String)
    /// Text longer than its field allows (`length` and `limit` in characters).
    case tooLong(field: String, length: Int, limit: Int)
    case emptyQuery(String)
    case badFilter(key: String, reason: String)
    case unknownFilter(key: String, suggestion: String)
    case duplicate(String)
    /// Every number an entry of this type can have is used (see `EntryID.maxNumber`).
    case idsExhausted(EntryType)
    case badImport(path: String, location: String, reason: String)
    /// An iCalendar file that cannot be read: where (a line) and why.
    case badCalendar(path: String, line: Int?, reason: String)
    case unknownSeries(String, known: [String])
    case fileNotFound(String)
    case cannotWrite(path: String, reason: String)
    case storeUnavailable(path: String, reason: String)
    case storeBusy
    case notAStore(String)
    /// A read of a store that does not exist yet: nothing is created until a write or `init`.
    case noStore(path: String)
    case permissionDenied(action: String, needs: Role, actor: String?)
    case notIdentified(action: String)
    /// On a shared store the database login is the member: `--as` another member is for curators.
    case actingAsOther(login: String, member: String, asked: String)
    /// A database login no curator has mapped to a member yet.
    case unmappedLogin(login: String)
    /// A verification refused for a reason other than the role: the verifier's own practice, or an
    /// expert level that only the verifier vouched for.
    case verificationRefused(practice: String, actor: String, reason: String)
    case conflict(String)
    /// An edit refused because someone changed the entry since it was opened; `keptIn` holds the edit.
    case staleEdit(entry: String, changed: [String], keptIn: String?)
    case unsupported(String)
    case internalError(code: Int)

    public var description: String {
        switch self {
        case .unknownEntry(let id):
            return "no \(id.type.rawValue) \(id); try `find` or `list \(id.type.plural)`"
        case .unknownMember(let h):
            return "no member @\(h); try `list members` or `who TOPIC`"
        case .unknownTag(let t, let s):
            return "no tag '\(t)'" + (s.map { "; did you mean '\($0)'?" } ?? "; try `list tags`")
        case .unknownReference(let r):
            return "'\(r)' is not an id, a @handle or a tag; ids look like r12, p3, q7, a40"
        case .invalidHandle(let h):
            return "'\(h)' is not a valid handle: use 2–32 lowercase letters, digits, '-' or '_', starting with a letter"
        case .invalidTag(let t):
            return "'\(t)' is not a valid tag: use letters, digits and '-', e.g. 'social-care'"
        case .invalidEmail(let e):
            return "'\(e)' is not an email address such as kim@example.org"
        case .invalidURL(let u):
            return "'\(u)' is not a web address: use an http:// or https:// URL"
        case .invalidValue(let field, let value, let expected):
            return "'\(value)' is not a valid \(field): expected \(expected)"
        case .missingField(let f):
            return "\(f) is required"
        case .tooLong(let field, let length, let limit):
            return "the \(field) is \(Validation.grouped(length)) characters long; the most it may have is \(Validation.grouped(limit)): shorten it and try again"
        case .emptyQuery(let why):
            return why
        case .badFilter(let key, let reason):
            return "\(key): \(reason)"
        case .unknownFilter(let key, let s):
            return "unknown filter '\(key):'; did you mean '\(s):'?"
        case .duplicate(let what):
            return what
        case .idsExhausted(let t):
            return "no more \(t.plural) can be added: this store has used every number up to \(EntryID(t, EntryID.maxNumber)); start a new store for them"
        case .badImport(let path, let location, let reason):
            return "\(path): \(location): \(reason); nothing was imported"
        case .badCalendar(let path, let line, let reason):
            return "\(path)" + (line.map { ": line \($0)" } ?? "") + ": \(reason); nothing was imported"
        case .unknownSeries(let name, let known):
            return "no meeting series '\(name)'; " + (known.isEmpty ? "add one with `meeting series add NAME --every thursday --at 11:00 --tz Europe/London`"
                                                     : "series are: " + known.joined(separator: ", "))
        case .fileNotFound(let p):
            return "no such file: \(p)"
        case .cannotWrite(let p, let reason):
            return "cannot write \(p): \(reason)"
        case .storeUnavailable(let p, let reason):
            return "cannot open the store at \(p): \(reason)"
        case .storeBusy:
            return "the store is busy with another writer; try again in a moment"
        case .noStore(let p):
            return "there is no KnowHow store at \(p) yet, and nothing was created; make one with `knowhow --db \(p) init`, or start it with `add member @you` or `import FILE`"
        case .notAStore(let p):
            return "\(p) is not a KnowHow store (or is damaged); give another path with --db"
        case .permissionDenied(let action, let needs, let actor):
            let who = actor.map { "@\($0)" } ?? "you"
            return "\(action) needs the \(needs.rawValue) role; \(who) cannot do it. Ask a curator"
        case .notIdentified(let action):
            return "\(action) needs to know who you are: pass --as @handle or set KNOWHOW_USER"
        case .actingAsOther(let login, let member, let asked):
            return "your database login \(login) is @\(member), and on a shared store you act as yourself; only curators may act for @\(asked). Leave out --as, or ask a curator"
        case .unmappedLogin(let login):
            return "your database login \(login) is not mapped to a member yet, so nothing was changed; ask a curator to map it to your handle"
        case .verificationRefused(let practice, let actor, let reason):
            return "@\(actor) cannot verify \(practice): \(reason)"
        case .conflict(let what):
            return what
        case .staleEdit(let entry, let changed, let keptIn):
            return "\(entry) was changed by someone else since you opened it (\(changed.joined(separator: ", "))); nothing was saved"
                + (keptIn.map { ". Your version is kept in \($0): run `edit \(entry)` again and copy your changes across" } ?? "")
        case .unsupported(let what):
            return what
        case .internalError(let code):
            return "the store failed unexpectedly (code \(code)); nothing was changed. Please report this with the command you ran"
        }
    }
}

extension KnowHowError: LocalizedError {
    public var errorDescription: String? { description }
}
