import Foundation
import Testing

/// The fuzz targets' seed corpus (Tests/Fuzz/Corpus), replayed through the same checks the
/// fuzzer runs, by `knowhow-fuzz` from the plain build: the corpus stays valid and the checks
/// stay compiled and working between fuzzing runs.
struct FuzzCorpusTests {
    static let corpus = BinaryTests.repoRoot.appendingPathComponent("Tests/Fuzz/Corpus")
    static let targets = ["query", "shell-line", "community-file", "stackexchange", "icalendar"]

    static var program: String? {
        BinaryTests.binary.map { URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("knowhow-fuzz").path }
    }

    @Test(arguments: targets)
    func seedCorpusReplaysWithoutACrash(_ target: String) throws {
        let program = try #require(Self.program, "knowhow-fuzz was not found beside the tests")
        let folder = Self.corpus.appendingPathComponent(target)
        let seeds = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
        #expect(seeds.count >= 5, "\(target) has a seed corpus")
        let box = try BinaryTests.Sandbox()
        let r = try box.run([target, folder.path], executable: program)
        #expect(r.exited && r.status == 0, "\(target): \(r.err)")
        #expect(r.out.contains("\(seeds.count) inputs replayed, no crash"), "\(r.out)")
    }

    @Test func everyTargetHasACorpusAndAnUnknownTargetIsRefused() throws {
        let program = try #require(Self.program, "knowhow-fuzz was not found beside the tests")
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { !$0.hasPrefix(".") }
        #expect(Set(folders) == Set(Self.targets))
        let r = try BinaryTests.Sandbox().run(["no-such-target", Self.corpus.path], executable: program)
        #expect(r.status == 2)
        #expect(r.err.contains("targets: query, shell-line, community-file, stackexchange, icalendar"), "\(r.err)")
    }
}
