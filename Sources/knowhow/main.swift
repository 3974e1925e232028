import Foundation
import KnowHowShell

exit(KnowHowMain.run(Array(CommandLine.arguments.dropFirst())))
