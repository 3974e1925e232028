import Foundation

extension Permissions {
    /// The one permission check every store makes before a change, in one order. The system acts
    /// unchecked; nobody identified may only start an empty store (its first member, or an
    /// import); a member must exist (except the first, joining an empty store) and hold the role
    /// the change needs, or, to verify, pass `verifier` (`PracticeRules.authorizeVerifier`).
    /// `storeIsEmpty` reads whether the store has no member yet; `login` is a store's check of who
    /// connects (PostgreSQL's database login), returning the login's own handle when a curator
    /// acts for another member; `member` reads a member's row id and role. Returns the handle to
    /// record as the change's author and who made it for them.
    public static func authorize(_ action: ChangeAction, _ target: ChangeTarget, acting: ActingAs,
                                 storeIsEmpty: () throws -> Bool,
                                 login: (_ handle: String, _ bootstrap: Bool) throws -> String? = { _, _ in nil },
                                 member: (String) throws -> (id: Int64, role: Role)?,
                                 verifier: (_ member: Int64, _ handle: String, _ role: Role) throws -> Void) throws -> (actor: String?, madeBy: String?) {
        let empty = try storeIsEmpty()
        let bootstrap = (action == .addMember || action == .importCommunity) && empty
        switch acting {
        case .system:
            return (nil, nil)
        case .nobody:
            if bootstrap { return (nil, nil) }
            let doing = rule(action).doing
            throw KnowHowError.notIdentified(action: doing.prefix(1).uppercased() + doing.dropFirst())
        case .member(let handle):
            let madeBy = try login(handle, bootstrap)
            guard let row = try member(handle) else {
                if bootstrap { return (handle, madeBy) }
                throw KnowHowError.unsupported("you are acting as @\(handle), but this store has no such member; pass --as with a member's handle, or ask a curator to add you")
            }
            if action == .verify {
                try verifier(row.id, handle, row.role)
                return (handle, madeBy)
            }
            try require(action, handle: handle, role: row.role, isOwner: target.owner == handle, target: target.ref)
            return (handle, madeBy)
        }
    }

    /// Store settings are the curators': the system may change them, nobody unidentified may not,
    /// and a member must exist and be a curator. `login` is a store's check of who connects;
    /// `role` reads a member's role.
    public static func requireCurator(_ acting: ActingAs, doing: String, login: (String) throws -> Void = { _ in },
                                      role: (String) throws -> Role?) throws {
        switch acting {
        case .system:
            return
        case .nobody:
            throw KnowHowError.notIdentified(action: doing)
        case .member(let h):
            try login(h)
            guard let role = try role(h) else {
                throw KnowHowError.unsupported("you are acting as @\(h), but this store has no such member; pass --as with a member's handle")
            }
            if role < .curator { throw KnowHowError.permissionDenied(action: doing, needs: .curator, actor: h) }
        }
    }
}
