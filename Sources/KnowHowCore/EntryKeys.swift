import Foundation

/// Entry keys: one integer for every indexed thing (the search row's key, history's entry
/// list): the entry's number shifted past the low three bits, which say the type
/// (`EntryType.keyCode`), so `r12` is 12 << 3 | 2. The same in every store.
public enum EntryKeys {
    public static func code(_ t: EntryType) -> Int { t.keyCode }

    public static func make(_ t: EntryType, _ n: Int64) -> Int64 { n << 3 | Int64(code(t)) }
    public static func make(_ id: EntryID) -> Int64 { make(id.type, id.number) }
    public static func type(_ key: Int64) -> EntryType? { EntryType.allCases.first { Int64(code($0)) == key & 7 } }
    public static func number(_ key: Int64) -> Int64 { key >> 3 }
}
