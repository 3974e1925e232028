import Foundation
import KnowHowShell

// The composition root: the store technology is chosen here, and the shell sees only the port.
exit(KnowHowMain.run(Array(CommandLine.arguments.dropFirst()), opener: StoreFactory()))
