import Foundation
import KnowHowCore

/// The small community the contract runs on: 10 members in 6 sectors, 12 resources, 6 practices,
/// 3 questions with 4 answers, 12 tags (some with aliases). Ids are fixed, so tests can name them.
/// A copy of the SQLite tests' fixture (a test target cannot import another); keep the two alike.
enum Fixture {
    static func t(_ s: String) -> Timestamp { Timestamp(s)! }

    static let tags: [KnowHowCore.Tag] = [
        KnowHowCore.Tag(name: "onboarding", description: "Welcoming and inducting new people", aliases: ["induction", "new-starters"]),
        KnowHowCore.Tag(name: "facilitation", description: "Running meetings and workshops", aliases: ["facilitating"]),
        KnowHowCore.Tag(name: "supervision", description: "Professional supervision"),
        KnowHowCore.Tag(name: "reflective-practice"),
        KnowHowCore.Tag(name: "coaching"),
        KnowHowCore.Tag(name: "mentoring", aliases: ["mentorship"]),
        KnowHowCore.Tag(name: "retrospectives"),
        KnowHowCore.Tag(name: "templates"),
        KnowHowCore.Tag(name: "safeguarding"),
        KnowHowCore.Tag(name: "research-methods"),
        KnowHowCore.Tag(name: "wellbeing"),
        KnowHowCore.Tag(name: "remote-work", aliases: ["remote"]),
    ]

    static let members: [Member] = [
        Member(handle: "kim", name: "Kim Lee", email: "kim@northside.example.org", organisation: "Northside Care Trust",
               sector: "social care", location: "Leeds", timeZone: "Europe/London",
               bio: "Practice lead. I run induction and onboarding for new care workers.", role: .curator,
               mentoring: true, joined: Day("2023-01-10"),
               skills: [Skill(tag: "supervision", level: .expert), Skill(tag: "onboarding", level: .practising)],
               interests: ["coaching"]),
        Member(handle: "sam", name: "Sam Patel", organisation: "University of Leeds", sector: "research",
               bio: "Researcher studying how teams share knowledge.", role: .contributor, joined: Day("2023-02-01"),
               skills: [Skill(tag: "research-methods", level: .expert), Skill(tag: "facilitation", level: .learning)]),
        Member(handle: "ana", name: "Ana Costa", organisation: "St Mary's Hospital", sector: "health",
               bio: "Ward manager with an eye on staff wellbeing.", role: .contributor, mentoring: true,
               skills: [Skill(tag: "wellbeing", level: .expert), Skill(tag: "mentoring", level: .practising)]),
        Member(handle: "joe", name: "Joe Okafor", organisation: "Brightbyte", sector: "engineering",
               bio: "Engineering manager; I facilitate retrospectives.", role: .contributor,
               skills: [Skill(tag: "retrospectives", level: .expert), Skill(tag: "facilitation", level: .expert)]),
        Member(handle: "priya", name: "Priya Shah", organisation: "Learning Works", sector: "learning and development",
               bio: "Trainer and coach.", role: .contributor,
               skills: [Skill(tag: "facilitation", level: .expert), Skill(tag: "coaching", level: .expert)]),
        Member(handle: "tom", name: "Tom Reid", organisation: "Northside Care Trust", sector: "social care",
               bio: "Senior care worker.", skills: [Skill(tag: "safeguarding", level: .practising)]),
        Member(handle: "li", name: "Li Wei", organisation: "Open Data Lab", sector: "research",
               skills: [Skill(tag: "research-methods", level: .practising)]),
        Member(handle: "maria", name: "María González", organisation: "Riverside School", sector: "education",
               bio: "Head of year; runs the school's mentoring programme.",
               skills: [Skill(tag: "mentoring", level: .expert)]),
        Member(handle: "dev", name: "Dev Kumar", email: "dev@example.org", organisation: "Brightbyte", sector: "engineering",
               openToQuestions: false, skills: [Skill(tag: "remote-work", level: .practising)]),
        Member(handle: "zoe", name: "Zoe Adams", organisation: "St Mary's Hospital", sector: "health",
               bio: "Newly qualified nurse.", skills: [Skill(tag: "supervision", level: .learning)],
               interests: ["reflective-practice"]),
    ]

    static func r(_ n: Int64, _ title: String, _ kind: ResourceKind, tags: [String], by: String, authors: [String] = [],
                  url: String? = nil, summary: String? = nil, body: String? = nil,
                  status: ResourceStatus = .active) -> Resource {
        Resource(id: EntryID(.resource, n), title: title, url: url, kind: kind, summary: summary, body: body, tags: tags,
                 contributor: by, authors: authors, created: t("2024-03-0\(n % 9 + 1)T09:00:00Z"),
                 updated: t("2024-04-0\(n % 9 + 1)T10:30:00Z"), status: status)
    }

    static let resources: [Resource] = [
        r(1, "Onboarding checklist for new starters", .template, tags: ["onboarding", "templates"], by: "kim", authors: ["tom"],
          summary: "A one-page checklist for the first two weeks.",
          body: "Covers accounts, introductions, shadowing and a first supervision session."),
        r(2, "Running a good retrospective", .guide, tags: ["retrospectives", "facilitation"], by: "joe",
          summary: "Five steps for a retrospective people look forward to.",
          body: "Set the stage, gather data, generate insights, decide what to do, close. A regular retrospective also helps teams onboard new members quickly."),
        r(3, "Facilitation techniques for remote workshops", .guide, tags: ["facilitation", "remote-work"], by: "priya",
          summary: "Energisers, breakout rooms and check-ins that work online."),
        r(4, "Reflective supervision template", .template, tags: ["supervision", "reflective-practice", "templates"], by: "kim",
          summary: "Questions to structure a reflective supervision session."),
        r(5, "Supervision notes: a short guide", .guide, tags: ["supervision"], by: "zoe",
          summary: "How to write notes that are reflective of what was said, not a transcript of the supervision."),
        r(6, "Mentoring scheme starter kit", .template, tags: ["mentoring", "templates"], by: "ana", authors: ["maria"],
          summary: "Matching forms and a first-meeting agenda for mentors."),
        r(7, "Research methods for practitioners", .course, tags: ["research-methods"], by: "sam",
          url: "https://example.org/research-course", summary: "A free six-week course on small-scale practitioner research."),
        r(8, "Safeguarding refresher slides", .slides, tags: ["safeguarding"], by: "tom",
          summary: "Slides from the 2023 refresher; superseded.", status: .archived),
        r(9, "Wellbeing check-in cards", .tool, tags: ["wellbeing", "facilitation"], by: "ana",
          summary: "Prompt cards to open a team meeting."),
        r(10, "Coaching conversations: the GROW model", .article, tags: ["coaching"], by: "priya",
          url: "https://example.org/grow", summary: "Goal, reality, options, will: a simple coaching structure."),
        r(11, "Remote induction video", .video, tags: ["onboarding", "remote-work"], by: "dev",
          summary: "A ten-minute welcome for people joining remotely."),
        r(12, "Data sharing agreement template", .template, tags: ["research-methods", "templates"], by: "li",
          summary: "Plain-language agreement for sharing research data between partners."),
    ]

    static let practices: [Practice] = [
        Practice(id: EntryID(.practice, 1), title: "Buddy system for onboarding",
                 context: "New care workers felt isolated in their first month.",
                 practice: "Pair every new starter with a buddy from another team for six weeks.",
                 evidence: "Early leavers fell from 9 to 3 in a year.", tags: ["onboarding", "mentoring"],
                 contributor: "tom", status: .verified, verifiedBy: "kim", verifiedAt: t("2024-05-01T12:00:00Z"),
                 reviewBy: Day("2026-05-01"), created: t("2024-02-01T09:00:00Z"), updated: t("2024-05-01T12:00:00Z")),
        Practice(id: EntryID(.practice, 2), title: "Rotate facilitation of team meetings",
                 context: "The same two people always ran meetings.",
                 practice: "Rotate the facilitator role weekly, with a one-page guide.", tags: ["facilitation"],
                 contributor: "joe", status: .proposed, created: t("2024-02-02T09:00:00Z"), updated: t("2024-02-02T09:00:00Z")),
        Practice(id: EntryID(.practice, 3), title: "Monthly reflective supervision in groups",
                 context: "One-to-one supervision was often cancelled.",
                 practice: "Meet monthly in groups of four with a trained facilitator.",
                 evidence: "Attendance rose to 90%.", tags: ["supervision", "reflective-practice"], contributor: "zoe",
                 status: .verified, verifiedBy: "kim", verifiedAt: t("2024-06-01T12:00:00Z"),
                 created: t("2024-02-03T09:00:00Z"), updated: t("2024-06-01T12:00:00Z")),
        Practice(id: EntryID(.practice, 4), title: "Pre-mortems before research projects",
                 context: "Projects failed for reasons everyone had suspected.",
                 practice: "Imagine the project has failed and list why, before starting.", tags: ["research-methods"],
                 contributor: "sam", status: .proposed, created: t("2024-02-04T09:00:00Z"), updated: t("2024-02-04T09:00:00Z")),
        Practice(id: EntryID(.practice, 5), title: "Shadowing before solo visits",
                 context: "Induction used to be two days of slides.",
                 practice: "New workers shadow three visits before making one alone.", tags: ["onboarding", "safeguarding"],
                 contributor: "kim", status: .retired, created: t("2024-02-05T09:00:00Z"), updated: t("2024-02-05T09:00:00Z")),
        Practice(id: EntryID(.practice, 6), title: "Mentoring circles across sectors",
                 context: "Mentors ran out of time for one-to-one pairs.",
                 practice: "Groups of five mentees meet one mentor monthly.", tags: ["mentoring", "coaching"],
                 contributor: "maria", status: .verified, verifiedBy: "priya", verifiedAt: t("2023-07-01T12:00:00Z"),
                 reviewBy: Day("2024-01-31"), created: t("2023-06-01T09:00:00Z"), updated: t("2023-07-01T12:00:00Z")),
    ]

    static let questions: [Question] = [
        Question(id: EntryID(.question, 1), title: "How do you run onboarding for remote staff?",
                 body: "Our new starters work from home from day one.", tags: ["onboarding", "remote-work"], asker: "dev",
                 created: t("2024-07-01T08:00:00Z"), score: 3, acceptedAnswer: EntryID(.answer, 1)),
        Question(id: EntryID(.question, 2), title: "Good icebreakers for facilitation of large groups?",
                 tags: ["facilitation"], asker: "sam", created: t("2024-07-02T08:00:00Z"), score: 1),
        Question(id: EntryID(.question, 3), title: "How often should supervision happen for new managers?",
                 tags: ["supervision"], asker: "zoe", created: t("2024-07-03T08:00:00Z")),
    ]

    static let answers: [Answer] = [
        Answer(id: EntryID(.answer, 1), question: EntryID(.question, 1),
               body: "Send the laptop early and book a video call with a buddy every day of the first week.",
               author: "kim", created: t("2024-07-01T10:00:00Z"), score: 5),
        Answer(id: EntryID(.answer, 2), question: EntryID(.question, 1),
               body: "We recorded a short welcome video; see r11.", author: "dev", created: t("2024-07-01T11:00:00Z")),
        Answer(id: EntryID(.answer, 3), question: EntryID(.question, 2),
               body: "Try the 1-2-4-All structure from Liberating Structures.", author: "priya",
               created: t("2024-07-02T09:00:00Z")),
        Answer(id: EntryID(.answer, 4), question: EntryID(.question, 3),
               body: "Monthly at least; weekly during the first three months.", author: "kim",
               created: t("2024-07-03T09:00:00Z")),
    ]

    static let file = CommunityFile(tags: tags, members: members, resources: resources, practices: practices,
                                    questions: questions, answers: answers)
}
