import Foundation

// Contributing and curating: each use case takes who acts. Until the store's writes take the
// actor themselves (see the note on `acting`), the community hands it over just before the call.
extension Community {
    /// Makes the store's writes for `actor`. The store still holds whom it writes for
    /// (`KnowledgeContributing.actingAs`); every write here goes through this one place, so
    /// when the port's writes take the actor, only this changes.
    func acting(_ actor: String?) {
        let who = ActingAs(actor)
        if store.actingAs != who { store.actingAs = who }
    }

    /// Throws what the change would be refused with, before anything is asked for.
    public func authorize(_ action: ChangeAction, on ref: EntryRef?, as actor: String?) throws {
        acting(actor)
        try store.authorize(action, on: ref)
    }

    @discardableResult public func add(_ member: Member, as actor: String?) throws -> Member {
        acting(actor); return try store.add(member)
    }
    @discardableResult public func add(_ resource: Resource, as actor: String?) throws -> EntryID {
        acting(actor); return try store.add(resource)
    }
    @discardableResult public func add(_ practice: Practice, as actor: String?) throws -> EntryID {
        acting(actor); return try store.add(practice)
    }

    /// Saves an edit if nobody changed the entry since `original` was read; the fields changed.
    @discardableResult public func update(_ edited: Resource, expecting original: Resource, as actor: String?) throws -> [String] {
        acting(actor); return try store.update(edited, expecting: original)
    }
    @discardableResult public func update(_ edited: Practice, expecting original: Practice, as actor: String?) throws -> [String] {
        acting(actor); return try store.update(edited, expecting: original)
    }
    @discardableResult public func update(_ edited: Member, expecting original: Member, as actor: String?) throws -> [String] {
        acting(actor); return try store.update(edited, expecting: original)
    }

    /// Adds and removes tags of an entry; its tags after.
    public func retag(_ id: EntryID, add: [String], remove: [String], as actor: String?) throws -> [String] {
        acting(actor); return try store.retag(id, add: add, remove: remove)
    }
    public func renameTag(_ old: String, to new: String, as actor: String?) throws {
        acting(actor); try store.renameTag(old, to: new)
    }
    public func tagMergePlan(_ from: String, into: String) throws -> TagMergePlan {
        try store.tagMergePlan(from, into: into)
    }
    @discardableResult public func mergeTag(_ from: String, into: String, as actor: String?) throws -> TagMergePlan {
        acting(actor); return try store.mergeTag(from, into: into)
    }
    public func changeAliases(_ tag: String, add: [String], remove: [String], as actor: String?) throws -> Tag {
        acting(actor); return try store.changeAliases(tag, add: add, remove: remove)
    }
    public func describeTag(_ tag: String, _ text: String?, as actor: String?) throws {
        acting(actor); try store.describeTag(tag, text)
    }

    public func mergePlan(keep: EntryRef, drop: EntryRef) throws -> MergePlan {
        try store.mergePlan(keep: keep, drop: drop)
    }
    @discardableResult public func merge(keep: EntryRef, drop: EntryRef, as actor: String?) throws -> MergePlan {
        acting(actor); return try store.merge(keep: keep, drop: drop)
    }
    public func duplicates(limit: Int) throws -> [DuplicatePair] {
        try store.duplicates(limit: limit)
    }
    public func markNotDuplicates(_ a: EntryRef, _ b: EntryRef, as actor: String?) throws {
        acting(actor); try store.markNotDuplicates(a, b)
    }

    public func verify(_ id: EntryID, reviewBy: Day?, as actor: String?) throws -> Practice {
        acting(actor); return try store.verify(id, reviewBy: reviewBy)
    }
    public func retire(_ id: EntryID, supersededBy: EntryID?, as actor: String?) throws -> Practice {
        acting(actor); return try store.retire(id, supersededBy: supersededBy)
    }
    /// Practices due for review within `days` of today.
    public func review(within days: Int) throws -> [Practice] {
        try store.dueForReview(within: days, today: now.day)
    }

    /// Changes, newest first: all, or those touching a reference, or those by a member.
    public func history(of reference: String?, by actor: String?, limit: Int) throws -> [ChangeRecord] {
        try store.history(of: reference, by: actor, limit: limit)
    }
    public func historyRecord(_ number: Int64) throws -> ChangeRecord {
        try store.historyRecord(number)
    }
    /// Reverses a change (nil: the actor's own last); the record of the undo.
    public func undo(_ number: Int64?, as actor: String?) throws -> ChangeRecord {
        acting(actor); return try store.undo(number)
    }
}
