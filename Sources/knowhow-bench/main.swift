import Foundation
print("knowhow-bench: see README")
