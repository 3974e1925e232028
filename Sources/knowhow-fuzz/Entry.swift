import Foundation

// Built two ways (see .ci/fuzz). With `-sanitize=fuzzer -D FUZZING`, libFuzzer drives one
// target: `knowhow-fuzz TARGET [libFuzzer options] [corpus folders]`. In a plain build, the
// program replays inputs through the same checks: `knowhow-fuzz TARGET FILE_OR_FOLDER...`,
// which is what the tests and a person reproducing a crash use.

func usage() -> Never {
    let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: knowhow-fuzz TARGET [FILE_OR_FOLDER...]; targets: \(names)\n".utf8))
    exit(2)
}

#if FUZZING

nonisolated(unsafe) var selected: ((Data) -> Void)?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    selected?(Data(bytes: data, count: size))
    return 0
}

typealias FuzzerCallback = @convention(c) (UnsafePointer<UInt8>, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: FuzzerCallback) -> CInt

/// SwiftPM links an executable's entry point as `<module>_main` on Linux; here it takes the
/// target's name off the arguments and hands the rest to libFuzzer.
@_cdecl("knowhow_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    guard argc >= 2, let name = argv[1].map({ String(cString: $0) }), let run = FuzzTargets.named(name) else { usage() }
    selected = run
    var args: [UnsafeMutablePointer<CChar>?] = [argv[0]] + (2..<Int(argc)).map { argv[$0] } + [nil]
    var count = argc - 1
    return args.withUnsafeMutableBufferPointer { buffer in
        var base = buffer.baseAddress
        return LLVMFuzzerRunDriver(&count, &base, fuzz)
    }
}

#else

@main
enum Replay {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let run = FuzzTargets.named(name), args.count >= 2 else { usage() }
        var count = 0
        for path in args.dropFirst() {
            for file in files(path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("knowhow-fuzz: cannot read \(file)\n".utf8))
                    exit(2)
                }
                run(data)
                count += 1
            }
        }
        print("\(name): \(count) inputs replayed, no crash")
    }

    /// A file, or the files of a folder in name order.
    static func files(_ path: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map { (path as NSString).appendingPathComponent($0) }
    }
}

#endif
