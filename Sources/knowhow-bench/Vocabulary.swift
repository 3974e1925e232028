/// The words of the generated communities: about 300 real English words at the head of a Zipf
/// distribution (so `the` and `team` behave as they do in real text), then pronounceable
/// pseudo-words made from syllables, shorter ones more frequent.
struct Vocabulary: Sendable {
    /// Word by rank; rank 0 is the most frequent.
    let words: [String]
    let zipf: Zipf

    /// Ranks below this are real English words.
    static let realCount = Vocabulary.real.count

    /// Which word frequencies: `standard` (Zipf, exponent 1) or `heavyHead`, whose steeper Zipf
    /// (exponent 1.2) puts the top word in nearly every entry and the next nine each in about
    /// half to nearly all of them, as text drawn from licences, documentation and code comments.
    enum Kind: String, CaseIterable, Sendable {
        case standard
        case heavyHead = "heavy-head"

        var exponent: Double { self == .standard ? 1.0 : 1.2 }
    }

    let kind: Kind

    init(size: Int = 30_000, seed: UInt64 = 0x6B6E_6F77, kind: Kind = .standard) {
        self.kind = kind
        var seen = Set(Vocabulary.real)
        var made: [String] = []
        var rng = SplitMix64(seed: seed)
        let target = max(size - Vocabulary.real.count, 1)
        while made.count < target {
            let w = Vocabulary.pseudoWord(&rng)
            if w.count >= 3, seen.insert(w).inserted { made.append(w) }
        }
        // Short words are the frequent ones in real languages.
        let ordered = made.enumerated().sorted { ($0.element.count, $0.offset) < ($1.element.count, $1.offset) }.map(\.element)
        words = Vocabulary.real + ordered
        zipf = Zipf(count: words.count, exponent: kind.exponent)
    }

    var count: Int { words.count }

    func word(_ rng: inout SplitMix64) -> String { words[zipf.sample(&rng)] }

    func word(_ rng: inout SplitMix64, ranks: Range<Int>) -> String { words[zipf.sample(&rng, in: ranks)] }

    /// A word for a title: titles carry fewer function words than running text.
    func titleWord(_ rng: inout SplitMix64) -> String {
        while true {
            let r = zipf.sample(&rng)
            if r >= 40 || rng.chance(0.15) { return words[r] }
        }
    }

    static let onsets = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
                         "br", "cr", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr", "ch", "sl", "sp", "qu", ""]
    static let vowels = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "ou", "io", "ee", "oo", "y"]
    static let codas = ["", "", "", "n", "r", "l", "s", "t", "m", "nd", "nt", "st", "rk", "ck", "ng", "x", "th", "sh"]

    static func pseudoWord(_ rng: inout SplitMix64) -> String {
        let syllables = [1, 2, 2, 2, 3, 3, 4][rng.below(7)]
        var w = ""
        for i in 0..<syllables {
            w += onsets[rng.below(onsets.count)]
            w += vowels[rng.below(vowels.count)]
            if i == syllables - 1 || rng.chance(0.3) { w += codas[rng.below(codas.count)] }
        }
        return w
    }

    /// Common English, roughly by frequency, with the words of working life a community uses.
    static let real: [String] = """
    the of and to a in is that for it as with was on be by this are or at from have an which \
    not but they you we can more their has been one all will team our about work there its \
    also other when if what so would these some who people time new support how data may them \
    than into should any use only most first need practice care two up out each could were \
    service do well such make like just help many over where because those after between \
    project training staff way through health learning used both very same local years \
    community before good find much while within year own being every information process \
    plan different group work review meeting part three then here see place case right \
    approach does example set change guide used back under even know often report young \
    without during take number best level early better key policy risk must system another \
    around across next since quality users evidence research still programme public \
    design questions area did us whether development model tool session feedback however \
    important sharing skills knowledge network question answer few less based form long \
    safety clear colleagues things later point small high client clients manager managers \
    families family children budget cost costs social school schools digital \
    online course courses template templates workshop workshops mentoring onboarding \
    member members focus goal goals impact outcome outcomes measure measures progress \
    problem problems solution solutions step steps task tasks tools volunteers volunteer \
    practices resources resource partners partner funding contract contracts decision \
    decisions standard standards assessment assessments workflow shared open lead
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init).reduce(into: [String]()) { out, w in
        if !out.contains(w) { out.append(w) }
    }
}

/// Names and places for members, plus the real tag names at the head of the tag list.
enum Names {
    static let first = ["Kim", "Ana", "Sam", "Priya", "Tom", "Lena", "Omar", "Jo", "Ravi", "Mia", "Ben", "Aisha", "Leo",
                        "Nora", "Yusuf", "Ella", "Dan", "Sara", "Ivan", "Zoe", "Raj", "Hana", "Luca", "Maya", "Eli",
                        "Fatima", "Noah", "Ines", "Chen", "Amara", "Ola", "Tess", "Kofi", "Rosa", "Finn", "Lila",
                        "Marek", "Chloe", "Jamal", "Ruth", "Pavel", "Anya", "Hugo", "Esther", "Ken", "Nia", "Alex",
                        "Grace", "Mo", "Iris", "Seth", "Dina", "Arjun", "Eva", "Tariq", "June", "Milo", "Sofia"]
    static let last = ["Patel", "Smith", "Okafor", "Nguyen", "Garcia", "Kowalski", "Jones", "Khan", "Müller", "Rossi",
                       "Silva", "Brown", "Ali", "Hughes", "Tanaka", "Evans", "Osei", "Moreau", "Novak", "Walsh",
                       "Ahmed", "Clarke", "Berg", "Lopez", "Ivanova", "Reid", "Chowdhury", "Fischer", "Mensah",
                       "Kaur", "Lindqvist", "Bauer", "Costa", "Murphy", "Sato", "Haddad", "Price", "Quinn", "Ward",
                       "Dubois", "Kim", "Singh", "Olsen", "Baker", "Hall", "Yilmaz", "Park", "Wood", "Cruz"]
    static let sectors = ["health", "social care", "education", "local government", "housing", "charity",
                          "technology", "finance", "transport", "energy", "justice", "environment"]
    static let places: [(String, String)] = [
        ("Leeds", "Europe/London"), ("Bristol", "Europe/London"), ("Glasgow", "Europe/London"),
        ("Cardiff", "Europe/London"), ("Dublin", "Europe/Dublin"), ("Lisbon", "Europe/Lisbon"),
        ("Berlin", "Europe/Berlin"), ("Lyon", "Europe/Paris"), ("Utrecht", "Europe/Amsterdam"),
        ("Oslo", "Europe/Oslo"), ("Warsaw", "Europe/Warsaw"), ("Nairobi", "Africa/Nairobi"),
        ("Accra", "Africa/Accra"), ("Toronto", "America/Toronto"), ("Boston", "America/New_York"),
        ("Denver", "America/Denver"), ("Mumbai", "Asia/Kolkata"), ("Singapore", "Asia/Singapore"),
        ("Melbourne", "Australia/Melbourne"), ("Auckland", "Pacific/Auckland"),
    ]
    static let orgSuffixes = ["Trust", "Council", "Foundation", "Partnership", "Network", "Services", "Group",
                              "Collective", "Institute", "Association"]
    static let realTags = [
        "onboarding", "mentoring", "safeguarding", "data-protection", "accessibility", "facilitation",
        "user-research", "service-design", "evaluation", "coaching", "supervision", "wellbeing",
        "project-management", "budgeting", "fundraising", "volunteering", "peer-support", "leadership",
        "communication", "training", "digital-skills", "procurement", "risk-management", "quality-improvement",
        "community-engagement", "co-production", "policy", "governance", "reporting", "data-analysis",
        "knowledge-management", "change-management", "agile", "retrospectives", "workshops", "hiring",
        "induction", "remote-work", "inclusion", "equality", "health-and-safety", "first-aid", "housing",
        "mental-health", "youth-work", "family-support", "case-management", "triage", "partnerships",
        "grant-writing", "impact-measurement", "storytelling", "social-media", "newsletters", "events",
        "documentation", "templates", "open-source", "automation", "spreadsheets",
    ]
}
