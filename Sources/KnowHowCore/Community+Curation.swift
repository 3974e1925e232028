import Foundation

// Contributing and curating: each use case takes who acts, and hands the store who acts and now.
extension Community {
    /// Who makes a write and when: `actor` (nobody when nil), at the community's clock.
    func acting(_ actor: String?) -> Acting {
        Acting(ActingAs(actor), at: now)
    }

    /// Throws what the change would be refused with, before anything is asked for.
    public func authorize(_ action: ChangeAction, on ref: EntryRef?, as actor: String?) throws {
        try store.authorize(action, on: ref, as: acting(actor))
    }

    @discardableResult public func add(_ member: Member, as actor: String?) throws -> Member {
        try store.add(member, as: acting(actor))
    }
    @discardableResult public func add(_ resource: Resource, as actor: String?) throws -> EntryID {
        try store.add(resource, as: acting(actor))
    }
    @discardableResult public func add(_ practice: Practice, as actor: String?) throws -> EntryID {
        try store.add(practice, as: acting(actor))
    }

    /// Saves an edit if nobody changed the entry since `original` was read; the fields changed.
    @discardableResult public func update(_ edited: Resource, expecting original: Resource, as actor: String?) throws -> [String] {
        try store.update(edited, expecting: original, as: acting(actor))
    }
    @discardableResult public func update(_ edited: Practice, expecting original: Practice, as actor: String?) throws -> [String] {
        try store.update(edited, expecting: original, as: acting(actor))
    }
    @discardableResult public func update(_ edited: Member, expecting original: Member, as actor: String?) throws -> [String] {
        try store.update(edited, expecting: original, as: acting(actor))
    }

    /// Adds and removes tags of an entry; its tags after.
    public func retag(_ id: EntryID, add: [String], remove: [String], as actor: String?) throws -> [String] {
        try store.retag(id, add: add, remove: remove, as: acting(actor))
    }
    public func renameTag(_ old: String, to new: String, as actor: String?) throws {
        try store.renameTag(old, to: new, as: acting(actor))
    }
    public func tagMergePlan(_ from: String, into: String) throws -> TagMergePlan {
        try store.tagMergePlan(from, into: into)
    }
    @discardableResult public func mergeTag(_ from: String, into: String, as actor: String?) throws -> TagMergePlan {
        try store.mergeTag(from, into: into, as: acting(actor))
    }
    public func changeAliases(_ tag: String, add: [String], remove: [String], as actor: String?) throws -> Tag {
        try store.changeAliases(tag, add: add, remove: remove, as: acting(actor))
    }
    public func describeTag(_ tag: String, _ text: String?, as actor: String?) throws {
        try store.describeTag(tag, text, as: acting(actor))
    }

    public func mergePlan(keep: EntryRef, drop: EntryRef) throws -> MergePlan {
        try store.mergePlan(keep: keep, drop: drop)
    }
    @discardableResult public func merge(keep: EntryRef, drop: EntryRef, as actor: String?) throws -> MergePlan {
        try store.merge(keep: keep, drop: drop, as: acting(actor))
    }
    public func duplicates(limit: Int) throws -> [DuplicatePair] {
        try store.duplicates(limit: limit)
    }
    public func markNotDuplicates(_ a: EntryRef, _ b: EntryRef, as actor: String?) throws {
        try store.markNotDuplicates(a, b, as: acting(actor))
    }

    public func verify(_ id: EntryID, reviewBy: Day?, as actor: String?) throws -> Practice {
        try store.verify(id, reviewBy: reviewBy, as: acting(actor))
    }
    public func retire(_ id: EntryID, supersededBy: EntryID?, as actor: String?) throws -> Practice {
        try store.retire(id, supersededBy: supersededBy, as: acting(actor))
    }
    /// Changes how searches are logged (curators only).
    public func setSearchLogging(_ mode: SearchLogging, as actor: String?) throws {
        try store.setSearchLogging(mode, as: acting(actor))
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
        try store.undo(number, as: acting(actor))
    }
}
